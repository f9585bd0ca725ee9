// Staff accounts as the web layer sees them: sign-in, sessions, API tokens, the accounts
// themselves and the first-run setup code, behind small interfaces, with the plain values they
// pass. The rules (roles, PINs, lockout, session expiry) are core/auth.hpp; hashing and storage
// are the adapters' (adapters/auth: Users implements Accounts, SetupCode implements SetupGate).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/auth.hpp"
#include "core/time.hpp"

namespace mend::auth {

// Who makes a change, for the permission check and the audit log. A signed-in person or a
// token has a role; `role` empty means the box itself (mendctl run by root on the box, or the
// first-run page after the setup code), which may do anything.
struct Actor {
  std::string id;  // "user:3", "token:2", "mendctl", "setup-code"
  std::optional<Role> role;

  static Actor system(std::string id) { return Actor{std::move(id), std::nullopt}; }
};

struct UserInfo {
  std::int64_t id = 0;
  std::string name;
  Role role = Role::kStaff;
  bool disabled = false;
  WallTime created_at;
  std::string created_by;
};

struct SessionInfo {
  std::int64_t user_id = 0;
  std::string user_name;
  Role role = Role::kStaff;
  WallTime created_at;
  WallTime last_seen;
};

struct TokenInfo {
  std::int64_t id = 0;
  Role role = Role::kIntegration;
  std::string label;
  WallTime created_at;
  std::string created_by;
  std::optional<WallTime> revoked_at;
};

enum class AccountError {
  kBadName,    // see valid_user_name
  kBadPin,     // see check_pin; the message says why
  kNameTaken,  // names are unique, ignoring ASCII case
  kNoSuchUser,
  kNotAllowed,   // the actor's role may not do this
  kUsersExist,   // the setup code only makes the first account
  kNoSuchToken,  // or already revoked
};
std::string_view account_error_name(AccountError e);  // "bad_name", ... (stable API codes)

struct AccountProblem {
  AccountError code;
  std::string message;
};

template <class T>
struct AccountResult {
  std::optional<T> value;
  AccountProblem problem{AccountError::kNotAllowed, ""};  // meaningful only without a value
  bool ok() const { return value.has_value(); }
};

enum class SignInStatus {
  kOk,
  // Wrong PIN, unknown name or disabled account: one answer for all three, so the sign-in
  // page cannot be used to find out which names exist.
  kRefused,
  kLockedOut,  // too many wrong PINs: wait until retry_at; the PIN was not even checked
  kBusy,       // another attempt on this account is still being checked
};

struct SignInResult {
  SignInStatus status = SignInStatus::kRefused;
  WallTime retry_at{};         // kLockedOut
  std::string session_secret;  // kOk: the cookie's value, shown only here
  std::string csrf_token;      // kOk
  std::optional<SessionInfo> session;
};

// What the tablet's handlers may do with accounts. Every change is on disk with its audit
// record before the call returns.
class Accounts {
 public:
  virtual ~Accounts() = default;

  // How long a session lasts at most (the cookie's Max-Age).
  virtual Millis session_lifetime() const = 0;

  virtual SignInResult sign_in(std::string_view name, std::string_view pin, WallTime now) = 0;
  // The session behind a cookie value, or nullopt when unknown, expired or disabled.
  virtual std::optional<SessionInfo> session(std::string_view session_secret, WallTime now) = 0;
  // Ends a session; false when there was none.
  virtual bool sign_out(std::string_view session_secret, WallTime now) = 0;
  // The CSRF token issued with a session, and whether `token` is it (constant time).
  virtual std::string csrf_token(std::string_view session_secret) const = 0;
  virtual bool csrf_valid(std::string_view session_secret, std::string_view token) const = 0;
  // An API token's row when the secret is known and not revoked.
  virtual std::optional<TokenInfo> verify_token(std::string_view secret) = 0;

  virtual std::int64_t user_count() = 0;
  virtual std::vector<UserInfo> list_users() = 0;
  // only_if_none: the setup code's first account, refused once any account exists.
  virtual AccountResult<UserInfo> create_user(std::string_view name, Role role,
                                              std::string_view pin, const Actor& actor,
                                              WallTime now, bool only_if_none) = 0;
  virtual AccountResult<UserInfo> disable_user(std::int64_t id, const Actor& actor,
                                               WallTime now) = 0;
  virtual AccountResult<UserInfo> change_pin(std::int64_t id, std::string_view new_pin,
                                             const Actor& actor, WallTime now) = 0;

 protected:
  Accounts() = default;
  Accounts(const Accounts&) = default;
  Accounts& operator=(const Accounts&) = default;
};

// The one-time code that lets the first-run page make the first account.
enum class SetupCodeResult { kOk, kWrong, kUsed, kExpired, kBurned };
std::string_view setup_code_result_name(SetupCodeResult r);  // "ok", "wrong", ...

class SetupGate {
 public:
  virtual ~SetupGate() = default;
  // Spaces and dashes in `code` are ignored. kOk once; afterwards kUsed.
  virtual SetupCodeResult consume(std::string_view code, MonoTime now) = 0;

 protected:
  SetupGate() = default;
  SetupGate(const SetupGate&) = default;
  SetupGate& operator=(const SetupGate&) = default;
};

}  // namespace mend::auth
