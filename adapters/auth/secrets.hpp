// Secrets for sign-in: Argon2id PIN hashes, random session ids, CSRF and API tokens, and the
// one-way hashes under which they are stored. Everything here is libsodium; call
// init_sodium() once before anything else (it is idempotent and thread-safe).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mend::auth {

// Throws std::runtime_error when libsodium cannot initialise (no entropy source).
void init_sodium();

// Argon2id cost. Production uses libsodium's "interactive" limits: 2 passes over 64 MiB, a
// fraction of a second on a Pi 4 and well inside its RAM; sign-in is rare and runs one at a
// time, so 64 MiB is the peak. Tests use the minimum so a hundred wrong PINs take
// milliseconds. The encoded hash records its own parameters, so verification works whatever
// the cost a hash was made with.
struct PinHashParams {
  unsigned long long opslimit = 0;
  std::size_t memlimit = 0;

  static PinHashParams interactive();
  static PinHashParams fastest();  // for tests only
};

// libsodium's encoded Argon2id string ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"), with a
// fresh random salt. Throws std::runtime_error when the memory cannot be had.
std::string hash_pin(std::string_view pin, const PinHashParams& params);
// False for a wrong PIN and for a stored string that is not a valid hash.
bool verify_pin(std::string_view stored_hash, std::string_view pin);

// `bytes` random bytes as unpadded base64url (32 bytes: 43 characters, 256 bits).
std::string random_token(std::size_t bytes = 32);
// Hex BLAKE2b-256 of a secret: what the store keeps instead of a session id or an API token.
// Unsalted on purpose: the secrets are 256-bit random values, and lookup needs the same hash
// every time.
std::string secret_hash(std::string_view secret);
// The CSRF token that goes with a session: BLAKE2b keyed with the session's secret, so it is
// bound to that session, needs no storage, and cannot be computed from the stored hash.
std::string csrf_for_session(std::string_view session_secret);
// Compares in time that depends only on the lengths.
bool equal_constant_time(std::string_view a, std::string_view b);

}  // namespace mend::auth
