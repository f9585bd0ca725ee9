// The one-time setup code. A box fresh from the SD card has no account and no default PIN;
// mendd, finding no user at all, makes a setup code and prints it to its log (readable only
// by someone on the box or with its journal). The first-run page asks for it before it lets
// anyone create the first manager.
//
// Only a hash is kept, in memory: a restart makes a new code (and logs it), which is fine
// because the code is only ever needed once. It works once, for a limited time, and a few
// wrong tries burn it, so guessing over the network is hopeless even without the web layer's
// own rate limit. Times are MonoTime: nothing here is persisted or shown.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "core/accounts.hpp"
#include "core/time.hpp"

namespace mend::auth {

class SetupCode : public SetupGate {
 public:
  // 4 groups of 5 random digits: about 66 bits, easy to read off a log and type on a tablet.
  static constexpr int kGroups = 4;
  static constexpr int kDigitsPerGroup = 5;
  static constexpr int kMaxWrongAttempts = 10;

  // The object keeping only the hash, and the code itself to print once ("12345-67890-...").
  static std::pair<SetupCode, std::string> generate(MonoTime now, Millis lifetime);

  using Result = SetupCodeResult;
  // Spaces and dashes in `code` are ignored. kOk once; afterwards kUsed.
  Result consume(std::string_view code, MonoTime now) override;
  // Whether consume could still succeed.
  bool usable(MonoTime now) const;

 private:
  SetupCode(std::string hash, MonoTime expires) : hash_(std::move(hash)), expires_(expires) {}

  std::string hash_;
  MonoTime expires_;
  bool used_ = false;
  int wrong_ = 0;
};

}  // namespace mend::auth
