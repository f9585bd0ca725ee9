#include "adapters/auth/secrets.hpp"

#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace mend::auth {

namespace {

constexpr std::string_view kCsrfContext = "mend.csrf.v1";

std::string to_hex(const unsigned char* bytes, std::size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, n);
  out.pop_back();
  return out;
}

std::string to_base64url(const unsigned char* bytes, std::size_t n) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(n, kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, n, kVariant);
  out.resize(out.find('\0'));
  return out;
}

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

void init_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot initialise");
}

PinHashParams PinHashParams::interactive() {
  return PinHashParams{crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PinHashParams PinHashParams::fastest() {
  return PinHashParams{crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

std::string hash_pin(std::string_view pin, const PinHashParams& params) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, pin.data(), pin.size(), params.opslimit, params.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("cannot hash the PIN: Argon2id ran out of memory");
  }
  return std::string(out);
}

bool verify_pin(std::string_view stored_hash, std::string_view pin) {
  // crypto_pwhash_str_verify wants a NUL-terminated string.
  const std::string stored(stored_hash);
  if (stored.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(stored.c_str(), pin.data(), pin.size()) == 0;
}

std::string random_token(std::size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  randombytes_buf(buf.data(), buf.size());
  std::string out = to_base64url(buf.data(), buf.size());
  sodium_memzero(buf.data(), buf.size());
  return out;
}

std::string secret_hash(std::string_view secret) {
  unsigned char h[crypto_generichash_BYTES];
  crypto_generichash(h, sizeof h, bytes_of(secret), secret.size(), nullptr, 0);
  return to_hex(h, sizeof h);
}

std::string csrf_for_session(std::string_view session_secret) {
  unsigned char h[crypto_generichash_BYTES];
  // BLAKE2b keys are 16 to 64 bytes; a random_token() of 32 bytes is 43 characters.
  if (session_secret.size() < crypto_generichash_KEYBYTES_MIN ||
      session_secret.size() > crypto_generichash_KEYBYTES_MAX) {
    return std::string();
  }
  crypto_generichash(h, sizeof h, bytes_of(kCsrfContext), kCsrfContext.size(),
                     bytes_of(session_secret), session_secret.size());
  return to_base64url(h, sizeof h);
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace mend::auth
