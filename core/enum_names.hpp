// The one lookup from a name to an enum value, for enums whose names are an array in the
// enum's order (kCaseKindNames, kEmployeeNames, ...).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace mend {

template <typename E, std::size_t N>
std::optional<E> from_name(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace mend
