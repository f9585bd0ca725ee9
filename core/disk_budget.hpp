// How much free space counts as "low", as the config says it: a share of the filesystem
// ("5%") or an amount ("200MiB"). Below it the daemon prunes raw events down to
// store.low_space_retention and raises a store.low_space case, long before a write fails.
// Pure: the adapter measures (adapters/store/disk_space.hpp), this decides.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mend {

struct SpaceAmount {
  bool percent = false;
  double share = 0;         // percent: 0 to 100
  std::uint64_t bytes = 0;  // otherwise
};

// "5%", "0.5%", "200MiB", "1GiB", "512KiB", "1048576B" (binary units, B for bytes). Nullopt for
// anything else, a percentage above 100, or an amount that overflows.
std::optional<SpaceAmount> parse_space_amount(std::string_view text);
bool is_space_amount(std::string_view text);

// Whether `free_bytes` of `total_bytes` is below the mark.
bool space_is_low(const SpaceAmount& mark, std::uint64_t free_bytes, std::uint64_t total_bytes);

// "12.3 MiB": for the low-space case's text and logs.
std::string format_bytes(std::uint64_t bytes);

}  // namespace mend
