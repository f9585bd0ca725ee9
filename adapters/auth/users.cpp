#include "adapters/auth/users.hpp"

#include <utility>

#include "core/json.hpp"

namespace mend::auth {

namespace {

constexpr std::string_view kTokenPrefix = "mend_";
// A PIN nobody has; hashed once so an unknown name costs as much time as a known one.
constexpr std::string_view kDummyPin = "not-a-pin-for-anyone";
// The audit log's actor for attempts by someone not (yet) signed in.
constexpr std::string_view kAnonymous = "anonymous";

// Thrown inside a write_now transaction to abandon it (rolled back) with an answer.
struct Abandon {
  AccountError code;
  std::string message;
};

std::string role_text(const Actor& a) {
  if (a.id == kAnonymous) return "none";
  return a.role ? std::string(role_name(*a.role)) : std::string("system");
}

AuditRecord audit(const Actor& actor, WallTime now, std::string action, std::string target,
                  json::Object detail) {
  return AuditRecord{now,
                     actor.id,
                     role_text(actor),
                     std::move(action),
                     std::move(target),
                     json::Value(std::move(detail))};
}

std::string user_ref(std::int64_t id) { return "user:" + std::to_string(id); }
std::string token_ref(std::int64_t id) { return "token:" + std::to_string(id); }

Role role_or_staff(const std::string& text) { return parse_role(text).value_or(Role::kStaff); }

}  // namespace

struct Users::Statements {
  explicit Statements(sqlite::Db& db)
      : insert_user(db,
                    "INSERT INTO users (name, role, pin_hash, disabled, created_at, created_by, "
                    "updated_at) VALUES (?1, ?2, ?3, 0, ?4, ?5, ?4)"),
        count_users(db, "SELECT COUNT(*) FROM users"),
        user_by_name(db,
                     "SELECT id, name, role, disabled, created_at, created_by, pin_hash FROM users "
                     "WHERE name = ?1"),
        user_by_id(db,
                   "SELECT id, name, role, disabled, created_at, created_by, pin_hash FROM users "
                   "WHERE id = ?1"),
        list_users(db,
                   "SELECT id, name, role, disabled, created_at, created_by, pin_hash FROM users "
                   "ORDER BY id"),
        disable_user(db, "UPDATE users SET disabled = 1, updated_at = ?2 WHERE id = ?1"),
        set_pin(db, "UPDATE users SET pin_hash = ?2, updated_at = ?3 WHERE id = ?1"),
        delete_user_sessions(db, "DELETE FROM sessions WHERE user_id = ?1"),
        delete_failures(db, "DELETE FROM login_failures WHERE user_id = ?1"),
        select_failures(db, "SELECT at FROM login_failures WHERE user_id = ?1"),
        insert_failure(db, "INSERT INTO login_failures (user_id, at) VALUES (?1, ?2)"),
        forget_failures(db,
                        "DELETE FROM login_failures WHERE user_id = ?1 AND (at <= ?2 OR at > ?3)"),
        insert_session(db,
                       "INSERT INTO sessions (id_hash, user_id, created_at, last_seen) "
                       "VALUES (?1, ?2, ?3, ?3)"),
        select_session(db,
                       "SELECT s.user_id, u.name, u.role, u.disabled, s.created_at, s.last_seen "
                       "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?1"),
        touch_session(db, "UPDATE sessions SET last_seen = ?2 WHERE id_hash = ?1"),
        delete_session(db, "DELETE FROM sessions WHERE id_hash = ?1"),
        prune_sessions(db, "DELETE FROM sessions WHERE created_at <= ?1 OR last_seen <= ?2"),
        prune_failures(db, "DELETE FROM login_failures WHERE at <= ?1"),
        insert_token(db,
                     "INSERT INTO api_tokens (hash, role, label, created_at, created_by) "
                     "VALUES (?1, ?2, ?3, ?4, ?5)"),
        token_by_hash(db,
                      "SELECT id, role, label, created_at, created_by, revoked_at FROM api_tokens "
                      "WHERE hash = ?1 AND revoked_at IS NULL"),
        token_by_id(db,
                    "SELECT id, role, label, created_at, created_by, revoked_at FROM api_tokens "
                    "WHERE id = ?1"),
        revoke_token(db,
                     "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL"),
        list_tokens(db,
                    "SELECT id, role, label, created_at, created_by, revoked_at FROM api_tokens "
                    "ORDER BY id") {}

  sqlite::Stmt insert_user;
  sqlite::Stmt count_users;
  sqlite::Stmt user_by_name;
  sqlite::Stmt user_by_id;
  sqlite::Stmt list_users;
  sqlite::Stmt disable_user;
  sqlite::Stmt set_pin;
  sqlite::Stmt delete_user_sessions;
  sqlite::Stmt delete_failures;
  sqlite::Stmt select_failures;
  sqlite::Stmt insert_failure;
  sqlite::Stmt forget_failures;
  sqlite::Stmt insert_session;
  sqlite::Stmt select_session;
  sqlite::Stmt touch_session;
  sqlite::Stmt delete_session;
  sqlite::Stmt prune_sessions;
  sqlite::Stmt prune_failures;
  sqlite::Stmt insert_token;
  sqlite::Stmt token_by_hash;
  sqlite::Stmt token_by_id;
  sqlite::Stmt revoke_token;
  sqlite::Stmt list_tokens;
};

namespace {

// Columns: id, name, role, disabled, created_at, created_by (, pin_hash).
UserInfo read_user(const sqlite::Query& q) {
  return UserInfo{
      q.int64(0), q.text(1), role_or_staff(q.text(2)), q.int64(3) != 0, wall_from_ms(q.int64(4)),
      q.text(5)};
}

// Columns: id, role, label, created_at, created_by, revoked_at.
TokenInfo read_token(const sqlite::Query& q) {
  TokenInfo t{q.int64(0),  role_or_staff(q.text(1)), q.text(2), wall_from_ms(q.int64(3)), q.text(4),
              std::nullopt};
  if (!q.is_null(5)) t.revoked_at = wall_from_ms(q.int64(5));
  return t;
}

}  // namespace

Users::Users(Store& store, AuthOptions options)
    : store_(store), options_(options), st_(std::make_unique<Statements>(store.db())) {
  init_sodium();
}

Users::~Users() = default;

AccountProblem Users::problem(AccountError code, std::string message) const {
  return AccountProblem{code, std::move(message)};
}

// ---- accounts --------------------------------------------------------------------------------

AccountResult<UserInfo> Users::create_user(std::string_view name, Role role, std::string_view pin,
                                           const Actor& actor, WallTime now, bool only_if_none) {
  if (!valid_user_name(name)) {
    return {std::nullopt, problem(AccountError::kBadName,
                                  "a name has 1 to 64 characters, no control characters and no "
                                  "space at either end")};
  }
  if (!is_person_role(role)) {
    return {std::nullopt, problem(AccountError::kNotAllowed,
                                  "integration is a role for API tokens, not for people")};
  }
  if (actor.role && !may_assign_role(*actor.role, role)) {
    return {std::nullopt, problem(AccountError::kNotAllowed,
                                  std::string(role_name(*actor.role)) + " may not create " +
                                      std::string(role_name(role)) + " accounts")};
  }
  if (auto p = check_pin(pin)) {
    return {std::nullopt, problem(AccountError::kBadPin, std::string(pin_problem_message(*p)))};
  }
  // Hash before the transaction: Argon2 takes a while and must not hold the write lock.
  const std::string hash = hash_pin(pin, options_.pin_hash);
  std::optional<UserInfo> made;
  try {
    store_.write_now([&](sqlite::Db& db) {
      if (only_if_none) {
        sqlite::Query q(st_->count_users);
        if (q.step() && q.int64(0) > 0) {
          throw Abandon{AccountError::kUsersExist, "an account exists already"};
        }
      }
      {
        sqlite::Query q(st_->user_by_name);
        q.bind(1, name);
        if (q.step()) throw Abandon{AccountError::kNameTaken, "that name is taken"};
      }
      sqlite::Query q(st_->insert_user);
      q.bind(1, name).bind(2, role_name(role)).bind(3, hash).bind(4, to_ms(now));
      q.bind(5, actor.id).run();
      made = UserInfo{db.last_insert_rowid(), std::string(name), role, false, now, actor.id};
      json::Object detail;
      detail.set("name", std::string(name));
      detail.set("role", role_name(role));
      return std::vector<AuditRecord>{
          audit(actor, now, "user.create", user_ref(made->id), std::move(detail))};
    });
  } catch (const Abandon& a) {
    return {std::nullopt, problem(a.code, a.message)};
  }
  return {made, {}};
}

std::vector<UserInfo> Users::list_users() {
  std::vector<UserInfo> out;
  sqlite::Query q(st_->list_users);
  while (q.step()) out.push_back(read_user(q));
  return out;
}

std::optional<UserInfo> Users::find_user(std::string_view name) {
  sqlite::Query q(st_->user_by_name);
  q.bind(1, name);
  if (!q.step()) return std::nullopt;
  return read_user(q);
}

std::optional<UserInfo> Users::user_by_id(std::int64_t id) {
  sqlite::Query q(st_->user_by_id);
  q.bind(1, id);
  if (!q.step()) return std::nullopt;
  return read_user(q);
}

std::int64_t Users::user_count() {
  sqlite::Query q(st_->count_users);
  return q.step() ? q.int64(0) : 0;
}

AccountResult<UserInfo> Users::disable_user(std::int64_t id, const Actor& actor, WallTime now) {
  std::optional<UserInfo> user = user_by_id(id);
  if (!user) return {std::nullopt, problem(AccountError::kNoSuchUser, "no such account")};
  if (actor.role && !may_assign_role(*actor.role, user->role)) {
    return {std::nullopt, problem(AccountError::kNotAllowed,
                                  std::string(role_name(*actor.role)) + " may not disable " +
                                      std::string(role_name(user->role)) + " accounts")};
  }
  store_.write_now([&](sqlite::Db&) {
    sqlite::Query(st_->disable_user).bind(1, id).bind(2, to_ms(now)).run();
    sqlite::Query(st_->delete_user_sessions).bind(1, id).run();
    json::Object detail;
    detail.set("name", user->name);
    return std::vector<AuditRecord>{
        audit(actor, now, "user.disable", user_ref(id), std::move(detail))};
  });
  user->disabled = true;
  return {user, {}};
}

AccountResult<UserInfo> Users::change_pin(std::int64_t id, std::string_view new_pin,
                                          const Actor& actor, WallTime now) {
  std::optional<UserInfo> user = user_by_id(id);
  if (!user) return {std::nullopt, problem(AccountError::kNoSuchUser, "no such account")};
  const bool own = actor.id == user_ref(id);
  if (actor.role && !own && !may_assign_role(*actor.role, user->role)) {
    return {std::nullopt,
            problem(AccountError::kNotAllowed,
                    std::string(role_name(*actor.role)) + " may not change the PIN of " +
                        std::string(role_name(user->role)) + " accounts")};
  }
  if (auto p = check_pin(new_pin)) {
    return {std::nullopt, problem(AccountError::kBadPin, std::string(pin_problem_message(*p)))};
  }
  const std::string hash = hash_pin(new_pin, options_.pin_hash);
  store_.write_now([&](sqlite::Db&) {
    sqlite::Query(st_->set_pin).bind(1, id).bind(2, hash).bind(3, to_ms(now)).run();
    // Whoever knew the old PIN may be signed in somewhere: end that too.
    sqlite::Query(st_->delete_user_sessions).bind(1, id).run();
    sqlite::Query(st_->delete_failures).bind(1, id).run();
    json::Object detail;
    detail.set("name", user->name);
    return std::vector<AuditRecord>{
        audit(actor, now, "user.pin_change", user_ref(id), std::move(detail))};
  });
  return {user, {}};
}

// ---- sign-in ---------------------------------------------------------------------------------

Lockout Users::load_lockout(std::int64_t user_id) {
  std::vector<WallTime> failures;
  sqlite::Query q(st_->select_failures);
  q.bind(1, user_id);
  while (q.step()) failures.push_back(wall_from_ms(q.int64(0)));
  return Lockout(options_.lockout, std::move(failures));
}

PendingSignIn Users::begin_sign_in(std::string_view name, WallTime now) {
  PendingSignIn p;
  p.name = std::string(name.substr(0, kMaxNameLength));
  std::optional<std::string> stored;
  {
    sqlite::Query q(st_->user_by_name);
    q.bind(1, name);
    if (q.step() && q.int64(3) == 0) {
      p.user_id = q.int64(0);
      stored = q.text(6);
    }
  }
  if (!p.user_id) {
    if (dummy_hash_.empty()) dummy_hash_ = hash_pin(kDummyPin, options_.pin_hash);
    p.stored_hash = dummy_hash_;
    return p;
  }
  p.stored_hash = std::move(*stored);
  p.lockout = load_lockout(*p.user_id).check(now);
  if (p.lockout.allowed) {
    p.busy = !in_flight_.insert(*p.user_id).second;
  }
  return p;
}

SignInResult Users::finish_sign_in(const PendingSignIn& pending, bool pin_ok, WallTime now) {
  SignInResult result;
  if (pending.busy) {
    result.status = SignInStatus::kBusy;
    return result;
  }
  if (!pending.lockout.allowed) {
    result.status = SignInStatus::kLockedOut;
    result.retry_at = pending.lockout.wait_until;
    return result;
  }
  const Actor anonymous = Actor::system(std::string(kAnonymous));
  if (!pending.user_id) {
    // Recorded so that someone trying names shows up in the log. Unknown names have no
    // account to lock; the web layer's per-client limit bounds how many of these it takes.
    json::Object detail;
    detail.set("name", pending.name);
    detail.set("reason", "unknown or disabled account");
    store_.write_now([&](sqlite::Db&) {
      return std::vector<AuditRecord>{
          audit(anonymous, now, "auth.sign_in_failed", "", std::move(detail))};
    });
    return result;
  }
  const std::int64_t id = *pending.user_id;
  in_flight_.erase(id);
  const std::string who = user_ref(id);

  if (!pin_ok) {
    Lockout lockout = load_lockout(id);
    lockout.record_failure(now);
    const LockoutDecision next = lockout.check(now);
    const int count = lockout.failures_in_window(now);
    store_.write_now([&](sqlite::Db&) {
      sqlite::Query(st_->forget_failures)
          .bind(1, id)
          .bind(2, to_ms(now - options_.lockout.window))
          .bind(3, to_ms(now))
          .run();
      sqlite::Query(st_->insert_failure).bind(1, id).bind(2, to_ms(now)).run();
      json::Object detail;
      detail.set("name", pending.name);
      detail.set("failures_in_window", count);
      std::vector<AuditRecord> records;
      records.push_back(audit(anonymous, now, "auth.sign_in_failed", who, detail));
      // The moment the account starts making people wait, or hits the hourly limit.
      if (!next.allowed && (count == options_.lockout.free_failures || next.hard_limit)) {
        detail.set("until", format_rfc3339(next.wait_until));
        detail.set("hard_limit", next.hard_limit);
        records.push_back(audit(anonymous, now, "auth.lockout", who, std::move(detail)));
      }
      return records;
    });
    result.status = SignInStatus::kRefused;
    return result;
  }

  std::optional<UserInfo> user = user_by_id(id);
  if (!user || user->disabled) return result;  // disabled between begin and finish
  const std::string secret = random_token();
  const Actor actor{who, user->role};
  store_.write_now([&](sqlite::Db&) {
    sqlite::Query(st_->delete_failures).bind(1, id).run();
    sqlite::Query(st_->insert_session)
        .bind(1, secret_hash(secret))
        .bind(2, id)
        .bind(3, to_ms(now))
        .run();
    json::Object detail;
    detail.set("name", user->name);
    return std::vector<AuditRecord>{audit(actor, now, "auth.sign_in", who, std::move(detail))};
  });
  result.status = SignInStatus::kOk;
  result.session_secret = secret;
  result.csrf_token = csrf_for_session(secret);
  result.session = SessionInfo{id, user->name, user->role, now, now};
  return result;
}

SignInResult Users::sign_in(std::string_view name, std::string_view pin, WallTime now) {
  const PendingSignIn pending = begin_sign_in(name, now);
  bool ok = false;
  try {
    ok = pending.needs_verify() && verify_pin(pending.stored_hash, pin) &&
         pending.user_id.has_value();
  } catch (...) {
    if (pending.user_id && pending.needs_verify()) in_flight_.erase(*pending.user_id);
    throw;
  }
  return finish_sign_in(pending, ok, now);
}

// ---- sessions --------------------------------------------------------------------------------

std::optional<SessionInfo> Users::session(std::string_view session_secret, WallTime now) {
  const std::string hash = secret_hash(session_secret);
  std::optional<SessionInfo> s;
  bool disabled = false;
  {
    sqlite::Query q(st_->select_session);
    q.bind(1, hash);
    if (!q.step()) return std::nullopt;
    s = SessionInfo{q.int64(0), q.text(1), role_or_staff(q.text(2)), wall_from_ms(q.int64(4)),
                    wall_from_ms(q.int64(5))};
    disabled = q.int64(3) != 0;
  }
  const SessionState state = session_state(options_.session, s->created_at, s->last_seen, now);
  if (disabled || state != SessionState::kActive) {
    // Housekeeping, not a change anyone made: no audit record.
    store_.write_now([&](sqlite::Db&) {
      sqlite::Query(st_->delete_session).bind(1, hash).run();
      return std::vector<AuditRecord>{};
    });
    return std::nullopt;
  }
  if (session_needs_touch(options_.session, s->last_seen, now)) {
    store_.write_now([&](sqlite::Db&) {
      sqlite::Query(st_->touch_session).bind(1, hash).bind(2, to_ms(now)).run();
      return std::vector<AuditRecord>{};
    });
    s->last_seen = now;
  }
  return s;
}

bool Users::csrf_matches(std::string_view session_secret, std::string_view csrf_token) {
  const std::string expected = csrf_for_session(session_secret);
  return !expected.empty() && equal_constant_time(expected, csrf_token);
}

std::string Users::csrf_token(std::string_view session_secret) const {
  return csrf_for_session(session_secret);
}

bool Users::sign_out(std::string_view session_secret, WallTime now) {
  const std::string hash = secret_hash(session_secret);
  std::optional<SessionInfo> s;
  {
    sqlite::Query q(st_->select_session);
    q.bind(1, hash);
    if (!q.step()) return false;
    s = SessionInfo{q.int64(0), q.text(1), role_or_staff(q.text(2)), wall_from_ms(q.int64(4)),
                    wall_from_ms(q.int64(5))};
  }
  const Actor actor{user_ref(s->user_id), s->role};
  store_.write_now([&](sqlite::Db&) {
    sqlite::Query(st_->delete_session).bind(1, hash).run();
    json::Object detail;
    detail.set("name", s->user_name);
    return std::vector<AuditRecord>{
        audit(actor, now, "auth.sign_out", actor.id, std::move(detail))};
  });
  return true;
}

std::size_t Users::prune(WallTime now) {
  std::size_t removed = 0;
  store_.write_now([&](sqlite::Db& db) {
    sqlite::Query(st_->prune_sessions)
        .bind(1, to_ms(now - options_.session.lifetime))
        .bind(2, to_ms(now - options_.session.idle))
        .run();
    removed += static_cast<std::size_t>(db.changes());
    sqlite::Query(st_->prune_failures).bind(1, to_ms(now - options_.lockout.window)).run();
    removed += static_cast<std::size_t>(db.changes());
    return std::vector<AuditRecord>{};
  });
  return removed;
}

// ---- API tokens ------------------------------------------------------------------------------

AccountResult<CreatedToken> Users::create_token(Role role, std::string_view label,
                                                const Actor& actor, WallTime now) {
  if (actor.role && !allows(*actor.role, Permission::kTokensManage)) {
    return {std::nullopt, problem(AccountError::kNotAllowed, "only an admin manages API tokens")};
  }
  if (!valid_user_name(label)) {
    return {std::nullopt, problem(AccountError::kBadName,
                                  "a label has 1 to 64 characters, no control characters and no "
                                  "space at either end")};
  }
  CreatedToken made;
  made.secret = std::string(kTokenPrefix) + random_token();
  store_.write_now([&](sqlite::Db& db) {
    sqlite::Query(st_->insert_token)
        .bind(1, secret_hash(made.secret))
        .bind(2, role_name(role))
        .bind(3, label)
        .bind(4, to_ms(now))
        .bind(5, actor.id)
        .run();
    made.info =
        TokenInfo{db.last_insert_rowid(), role, std::string(label), now, actor.id, std::nullopt};
    json::Object detail;
    detail.set("role", role_name(role));
    detail.set("label", std::string(label));
    return std::vector<AuditRecord>{
        audit(actor, now, "token.create", token_ref(made.info.id), std::move(detail))};
  });
  return {std::move(made), {}};
}

std::optional<TokenInfo> Users::verify_token(std::string_view secret) {
  if (!secret.starts_with(kTokenPrefix)) return std::nullopt;
  sqlite::Query q(st_->token_by_hash);
  const std::string hash = secret_hash(secret);
  q.bind(1, hash);
  if (!q.step()) return std::nullopt;
  return read_token(q);
}

AccountResult<TokenInfo> Users::revoke_token(std::int64_t id, const Actor& actor, WallTime now) {
  if (actor.role && !allows(*actor.role, Permission::kTokensManage)) {
    return {std::nullopt, problem(AccountError::kNotAllowed, "only an admin manages API tokens")};
  }
  std::optional<TokenInfo> token;
  try {
    store_.write_now([&](sqlite::Db& db) {
      sqlite::Query(st_->revoke_token).bind(1, id).bind(2, to_ms(now)).run();
      if (db.changes() == 0) throw Abandon{AccountError::kNoSuchToken, "no such token, or revoked"};
      sqlite::Query q(st_->token_by_id);
      q.bind(1, id);
      if (q.step()) token = read_token(q);
      json::Object detail;
      detail.set("label", token ? token->label : std::string());
      return std::vector<AuditRecord>{
          audit(actor, now, "token.revoke", token_ref(id), std::move(detail))};
    });
  } catch (const Abandon& a) {
    return {std::nullopt, problem(a.code, a.message)};
  }
  return {token, {}};
}

std::vector<TokenInfo> Users::list_tokens() {
  std::vector<TokenInfo> out;
  sqlite::Query q(st_->list_tokens);
  while (q.step()) out.push_back(read_token(q));
  return out;
}

}  // namespace mend::auth
