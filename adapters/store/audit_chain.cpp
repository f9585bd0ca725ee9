#include "adapters/store/audit_chain.hpp"

#include <sodium.h>

#include <array>

#include "core/json.hpp"

namespace mend::audit_chain {

namespace {

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string canonical_text(std::int64_t at_ms, std::string_view actor, std::string_view role,
                           std::string_view action, std::string_view target,
                           std::string_view detail) {
  return json::dump(
      json::Value(json::Array{json::Value(at_ms), json::Value(actor), json::Value(role),
                              json::Value(action), json::Value(target), json::Value(detail)}));
}

std::optional<std::pair<std::int64_t, std::string>> parse_head(std::string_view text) {
  const std::size_t space = text.find(' ');
  if (space == std::string_view::npos || space == 0 || space > 18) return std::nullopt;
  std::int64_t id = 0;
  for (std::size_t i = 0; i < space; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    id = id * 10 + (text[i] - '0');
  }
  return std::make_pair(id, std::string(text.substr(space + 1)));
}

std::string link_hash(std::string_view prev_hash, std::string_view text) {
  std::array<unsigned char, crypto_generichash_BYTES> digest{};
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, digest.size());
  crypto_generichash_update(&state, bytes(prev_hash), prev_hash.size());
  crypto_generichash_update(&state, bytes(text), text.size());
  crypto_generichash_final(&state, digest.data(), digest.size());
  std::array<char, crypto_generichash_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data(), crypto_generichash_BYTES * 2);
}

}  // namespace mend::audit_chain
