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
