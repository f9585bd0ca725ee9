#include "adapters/auth/setup_code.hpp"

#include <sodium.h>

#include "adapters/auth/secrets.hpp"

namespace mend::auth {

namespace {

std::string digits_only(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == ' ' || c == '-') continue;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::pair<SetupCode, std::string> SetupCode::generate(MonoTime now, Millis lifetime) {
  init_sodium();
  std::string code;
  for (int g = 0; g < kGroups; ++g) {
    if (g > 0) code.push_back('-');
    for (int d = 0; d < kDigitsPerGroup; ++d) {
      code.push_back(static_cast<char>('0' + randombytes_uniform(10)));
    }
  }
  return {SetupCode(secret_hash(digits_only(code)), now + lifetime), code};
}

bool SetupCode::usable(MonoTime now) const {
  return !used_ && wrong_ < kMaxWrongAttempts && now < expires_;
}

SetupCode::Result SetupCode::consume(std::string_view code, MonoTime now) {
  if (used_) return Result::kUsed;
  if (wrong_ >= kMaxWrongAttempts) return Result::kBurned;
  if (now >= expires_) return Result::kExpired;
  if (!equal_constant_time(secret_hash(digits_only(code)), hash_)) {
    ++wrong_;
    return wrong_ >= kMaxWrongAttempts ? Result::kBurned : Result::kWrong;
  }
  used_ = true;
  return Result::kOk;
}

}  // namespace mend::auth
