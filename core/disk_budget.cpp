#include "core/disk_budget.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <limits>
#include <utility>

namespace mend {

std::optional<SpaceAmount> parse_space_amount(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text.back() == '%') {
    const std::string_view num = text.substr(0, text.size() - 1);
    double v = 0;
    const auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
    if (num.empty() || ec != std::errc{} || end != num.data() + num.size() || !(v >= 0) ||
        v > 100) {
      return std::nullopt;
    }
    return SpaceAmount{true, v, 0};
  }
  static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 4> kUnits{{
      {"GiB", std::uint64_t{1} << 30},
      {"MiB", std::uint64_t{1} << 20},
      {"KiB", std::uint64_t{1} << 10},
      {"B", 1},
  }};
  for (const auto& [unit, scale] : kUnits) {
    if (text.size() <= unit.size() || !text.ends_with(unit)) continue;
    const std::string_view num = text.substr(0, text.size() - unit.size());
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
    if (ec != std::errc{} || end != num.data() + num.size()) return std::nullopt;
    if (v > std::numeric_limits<std::uint64_t>::max() / scale) return std::nullopt;
    return SpaceAmount{false, 0, v * scale};
  }
  return std::nullopt;
}

bool is_space_amount(std::string_view text) { return parse_space_amount(text).has_value(); }

bool space_is_low(const SpaceAmount& mark, std::uint64_t free_bytes, std::uint64_t total_bytes) {
  if (!mark.percent) return free_bytes < mark.bytes;
  if (total_bytes == 0) return false;  // nothing measured: not a reason to prune
  return static_cast<double>(free_bytes) * 100.0 < mark.share * static_cast<double>(total_bytes);
}

std::string format_bytes(std::uint64_t bytes) {
  static constexpr std::array<std::string_view, 4> kNames{"B", "KiB", "MiB", "GiB"};
  double v = static_cast<double>(bytes);
  std::size_t i = 0;
  while (v >= 1024 && i + 1 < kNames.size()) {
    v /= 1024;
    ++i;
  }
  std::array<char, 32> buf{};
  if (i == 0) {
    std::snprintf(buf.data(), buf.size(), "%llu B", static_cast<unsigned long long>(bytes));
  } else {
    std::snprintf(buf.data(), buf.size(), "%.1f %s", v, kNames[i].data());
  }
  return buf.data();
}

}  // namespace mend
