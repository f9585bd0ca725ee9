// Staff accounts, sign-in, sessions and API tokens over the SQLite store.
//
// Every change is written at once in a small transaction of its own together with its audit
// record (Store::write_now), not staged for the daemon's batch: sign-in is rare, and an answer
// such as "signed in" or "PIN changed" must already be on disk. The store keeps no secret in
// the clear: PINs as Argon2id hashes, session ids and API tokens as BLAKE2b hashes, CSRF tokens
// not at all (they are derived from the session's secret).
//
// The lockout lives in the login_failures table and is read at every attempt, so a restart
// does not reset it and mendctl changing a PIN on the side is seen at once. What is kept only in
// memory is which accounts have an attempt in flight, so two parallel attempts on one account
// cannot both slip through one delay.
//
// Not thread-safe, like the Store: one owner thread. Only verify_pin (secrets.hpp) is safe to
// run elsewhere, which is what begin_sign_in / finish_sign_in are for. A Users must be
// destroyed before its Store (it holds statements on the store's connection).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/auth/secrets.hpp"
#include "adapters/store/store.hpp"
#include "core/accounts.hpp"
#include "core/auth.hpp"
#include "core/time.hpp"

namespace mend::auth {

struct AuthOptions {
  PinHashParams pin_hash = PinHashParams::interactive();
  LockoutPolicy lockout;
  SessionPolicy session;
};

// What begin_sign_in found; hand it back to finish_sign_in exactly once.
struct PendingSignIn {
  std::string name;
  std::optional<std::int64_t> user_id;  // nullopt: unknown or disabled
  std::string stored_hash;              // a dummy hash for an unknown name, to take as long
  LockoutDecision lockout;
  bool busy = false;
  bool needs_verify() const { return lockout.allowed && !busy; }
};

struct CreatedToken {
  TokenInfo info;
  std::string secret;  // "mend_" + 43 characters; shown once, never stored
};

class Users : public Accounts {
 public:
  Users(Store& store, AuthOptions options);
  ~Users() override;
  Users(const Users&) = delete;
  Users& operator=(const Users&) = delete;

  const AuthOptions& options() const { return options_; }

  // ---- accounts ----------------------------------------------------------------------------

  // Refuses a bad or taken name, a weak PIN, and a role the actor may not hand out. With
  // only_if_none (the setup code's first account) it also refuses when any account exists,
  // checked inside the writing transaction.
  AccountResult<UserInfo> create_user(std::string_view name, Role role, std::string_view pin,
                                      const Actor& actor, WallTime now,
                                      bool only_if_none = false) override;
  std::vector<UserInfo> list_users() override;
  std::optional<UserInfo> find_user(std::string_view name);
  std::int64_t user_count() override;
  // Disabling also ends the account's sessions.
  AccountResult<UserInfo> disable_user(std::int64_t id, const Actor& actor, WallTime now) override;
  // A person may change their own PIN; changing another's needs may_assign_role over theirs.
  // Ends the account's sessions and forgets its wrong PINs.
  AccountResult<UserInfo> change_pin(std::int64_t id, std::string_view new_pin, const Actor& actor,
                                     WallTime now) override;

  // ---- sign-in -----------------------------------------------------------------------------

  // sign_in = begin_sign_in, verify_pin, finish_sign_in, all on this thread. A daemon that must
  // not stall its executor for the Argon2 time calls begin on the executor, verify_pin(pending
  // .stored_hash, pin) on a worker, then finish on the executor.
  SignInResult sign_in(std::string_view name, std::string_view pin, WallTime now) override;
  PendingSignIn begin_sign_in(std::string_view name, WallTime now);
  SignInResult finish_sign_in(const PendingSignIn& pending, bool pin_ok, WallTime now);

  // ---- sessions ----------------------------------------------------------------------------

  // The session behind a cookie value, or nullopt when it is unknown, expired (then deleted)
  // or its account was disabled. Refreshes last_seen (at most once per touch_interval).
  std::optional<SessionInfo> session(std::string_view session_secret, WallTime now) override;
  // Whether `csrf_token` is the one issued with this session (constant time).
  static bool csrf_matches(std::string_view session_secret, std::string_view csrf_token);
  std::string csrf_token(std::string_view session_secret) const override;
  bool csrf_valid(std::string_view session_secret, std::string_view token) const override {
    return csrf_matches(session_secret, token);
  }
  Millis session_lifetime() const override { return options_.session.lifetime; }
  // Ends a session; false when there was none.
  bool sign_out(std::string_view session_secret, WallTime now) override;
  // Deletes expired sessions and forgotten wrong PINs; for a daily housekeeping tick.
  std::size_t prune(WallTime now);

  // ---- API tokens --------------------------------------------------------------------------

  AccountResult<CreatedToken> create_token(Role role, std::string_view label, const Actor& actor,
                                           WallTime now);
  // The token's row when the secret is known and not revoked.
  std::optional<TokenInfo> verify_token(std::string_view secret) override;
  AccountResult<TokenInfo> revoke_token(std::int64_t id, const Actor& actor, WallTime now);
  std::vector<TokenInfo> list_tokens();

 private:
  struct Statements;

  std::optional<UserInfo> user_by_id(std::int64_t id);
  Lockout load_lockout(std::int64_t user_id);
  AccountProblem problem(AccountError code, std::string message) const;

  Store& store_;
  AuthOptions options_;
  std::unique_ptr<Statements> st_;
  std::string dummy_hash_;            // made on the first unknown name
  std::set<std::int64_t> in_flight_;  // accounts with a begun, unfinished sign-in
};

}  // namespace mend::auth
