// Staff accounts, sign-in, sessions, tokens and the setup code over a real SQLite file.
// Argon2 runs at its minimum cost here so a hundred wrong PINs take milliseconds.
#include "adapters/auth/users.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <random>

#include "adapters/auth/secrets.hpp"
#include "adapters/auth/setup_code.hpp"
#include "adapters/store/store.hpp"

namespace mend::auth {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr WallTime kT0 = wall_from_ms(1'790'000'000'000);
constexpr std::string_view kPin = "583920";

AuthOptions fast_options() {
  AuthOptions o;
  o.pin_hash = PinHashParams::fastest();
  return o;
}

class UsersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("mend_auth_test_" + std::to_string(rd()));
    fs::create_directories(dir_);
    path_ = (dir_ / "mend.db").string();
    store_ = Store::open(StoreOptions{path_, /*create=*/true});
    users_ = std::make_unique<Users>(*store_, fast_options());
  }
  void TearDown() override {
    users_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  void reopen() {
    users_.reset();
    store_.reset();
    store_ = Store::open(StoreOptions{path_, /*create=*/false});
    users_ = std::make_unique<Users>(*store_, fast_options());
  }

  UserInfo add(std::string_view name, Role role, std::string_view pin = kPin) {
    auto r = users_->create_user(name, role, pin, Actor::system("test"), kT0);
    EXPECT_TRUE(r.ok()) << r.problem.message;
    return *r.value;
  }

  // Audit actions, oldest first.
  std::vector<std::string> audit_actions() {
    std::vector<std::string> out;
    for (const auto& row : store_->audit(1000)) out.insert(out.begin(), row.action);
    return out;
  }

  std::int64_t count_rows(const char* table) {
    sqlite3_stmt* s = nullptr;
    const std::string sql = std::string("SELECT COUNT(*) FROM ") + table;
    EXPECT_EQ(sqlite3_prepare_v2(store_->native_handle(), sql.c_str(), -1, &s, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_step(s), SQLITE_ROW);
    const std::int64_t n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
  }

  fs::path dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Users> users_;
};

TEST(Secrets, PinHashIsArgon2idAndVerifies) {
  init_sodium();
  const std::string h = hash_pin(kPin, PinHashParams::fastest());
  EXPECT_TRUE(h.starts_with("$argon2id$")) << h;
  EXPECT_TRUE(verify_pin(h, kPin));
  EXPECT_FALSE(verify_pin(h, "583921"));
  EXPECT_FALSE(verify_pin("garbage", kPin));
  EXPECT_NE(hash_pin(kPin, PinHashParams::fastest()), h);  // salted
}

TEST(Secrets, TokensAreRandomAndOnlyTheirHashIsKept) {
  init_sodium();
  const std::string a = random_token();
  EXPECT_EQ(a.size(), 43u);
  EXPECT_NE(a, random_token());
  EXPECT_EQ(secret_hash(a).size(), 64u);
  EXPECT_EQ(secret_hash(a), secret_hash(a));
  EXPECT_NE(csrf_for_session(a), csrf_for_session(random_token()));
}

TEST_F(UsersTest, AFreshStoreHasNoUserAtAll) {
  EXPECT_EQ(users_->user_count(), 0);
  EXPECT_TRUE(users_->list_users().empty());
  EXPECT_TRUE(users_->list_tokens().empty());
  for (const char* name : {"admin", "manager", "root", "mend"}) {
    for (const char* pin : {"000000", "123456", "1234", "583920"}) {
      EXPECT_EQ(users_->sign_in(name, pin, kT0).status, SignInStatus::kRefused);
    }
  }
}

TEST_F(UsersTest, CreateStoresOnlyAnArgon2Hash) {
  const UserInfo u = add("Ana", Role::kManager);
  EXPECT_EQ(u.name, "Ana");
  EXPECT_EQ(users_->user_count(), 1);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(store_->native_handle(), "SELECT pin_hash FROM users", -1, &s, nullptr),
      SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  const std::string stored(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
  sqlite3_finalize(s);
  EXPECT_TRUE(stored.starts_with("$argon2id$"));
  EXPECT_EQ(stored.find(kPin), std::string::npos);
}

TEST_F(UsersTest, RefusesWeakPinsBadNamesAndDuplicates) {
  const Actor sys = Actor::system("test");
  auto weak = users_->create_user("Ana", Role::kStaff, "123456", sys, kT0);
  ASSERT_FALSE(weak.ok());
  EXPECT_EQ(weak.problem.code, AccountError::kBadPin);
  EXPECT_EQ(users_->create_user("Ana", Role::kStaff, "12345", sys, kT0).problem.code,
            AccountError::kBadPin);
  EXPECT_EQ(users_->create_user("", Role::kStaff, kPin, sys, kT0).problem.code,
            AccountError::kBadName);
  add("Ana", Role::kStaff);
  EXPECT_EQ(users_->create_user("ana", Role::kStaff, kPin, sys, kT0).problem.code,
            AccountError::kNameTaken);
  EXPECT_EQ(users_->create_user("Bo", Role::kIntegration, kPin, sys, kT0).problem.code,
            AccountError::kNotAllowed);
  EXPECT_EQ(users_->user_count(), 1);
}

TEST_F(UsersTest, RolesLimitWhoMayCreateWhom) {
  const UserInfo m = add("Maria", Role::kManager);
  const Actor manager{"user:" + std::to_string(m.id), Role::kManager};
  EXPECT_TRUE(users_->create_user("Sam", Role::kStaff, kPin, manager, kT0).ok());
  EXPECT_EQ(users_->create_user("Eve", Role::kAdmin, kPin, manager, kT0).problem.code,
            AccountError::kNotAllowed);
  const Actor staff{"user:99", Role::kStaff};
  EXPECT_EQ(users_->create_user("Tim", Role::kStaff, kPin, staff, kT0).problem.code,
            AccountError::kNotAllowed);
}

TEST_F(UsersTest, SignInGivesASessionWithABoundCsrfToken) {
  add("Ana", Role::kManager);
  const SignInResult r = users_->sign_in("Ana", kPin, kT0);
  ASSERT_EQ(r.status, SignInStatus::kOk);
  ASSERT_TRUE(r.session);
  EXPECT_EQ(r.session->role, Role::kManager);
  EXPECT_FALSE(r.session_secret.empty());
  auto s = users_->session(r.session_secret, kT0 + minutes(5));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->user_name, "Ana");
  EXPECT_TRUE(Users::csrf_matches(r.session_secret, r.csrf_token));
  EXPECT_FALSE(Users::csrf_matches(r.session_secret, ""));
  EXPECT_FALSE(Users::csrf_matches(r.session_secret, r.session_secret));
  // Another session's token does not fit this one.
  const SignInResult other = users_->sign_in("Ana", kPin, kT0);
  ASSERT_EQ(other.status, SignInStatus::kOk);
  EXPECT_FALSE(Users::csrf_matches(r.session_secret, other.csrf_token));
  EXPECT_FALSE(users_->session("not-a-session", kT0));
  // The store has the hash, never the secret.
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(store_->native_handle(), "SELECT id_hash FROM sessions", -1, &st, nullptr),
      SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW) {
    const std::string h(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    EXPECT_NE(h, r.session_secret);
    EXPECT_NE(h, other.session_secret);
  }
  sqlite3_finalize(st);
}

TEST_F(UsersTest, SessionPastItsIdleExpiryIsRefused) {
  add("Ana", Role::kStaff);
  const SignInResult r = users_->sign_in("Ana", kPin, kT0);
  ASSERT_EQ(r.status, SignInStatus::kOk);
  // Used an hour in: the idle clock restarts from there.
  ASSERT_TRUE(users_->session(r.session_secret, kT0 + hours(1)));
  EXPECT_TRUE(users_->session(r.session_secret, kT0 + hours(3) - Millis(1)));
  // 2 h and more after the last use: refused, and deleted.
  EXPECT_FALSE(users_->session(r.session_secret, kT0 + hours(6)));
  // Gone for good, not just refused once.
  EXPECT_FALSE(users_->session(r.session_secret, kT0 + hours(3)));
  EXPECT_EQ(count_rows("sessions"), 0);
}

TEST_F(UsersTest, IdleExpiryIsExactWithoutUse) {
  add("Ana", Role::kStaff);
  const SignInResult r = users_->sign_in("Ana", kPin, kT0);
  ASSERT_EQ(r.status, SignInStatus::kOk);
  EXPECT_FALSE(users_->session(r.session_secret, kT0 + hours(2)));
}

TEST_F(UsersTest, SignOutEndsTheSession) {
  add("Ana", Role::kStaff);
  const SignInResult r = users_->sign_in("Ana", kPin, kT0);
  ASSERT_EQ(r.status, SignInStatus::kOk);
  EXPECT_TRUE(users_->sign_out(r.session_secret, kT0 + minutes(1)));
  EXPECT_FALSE(users_->session(r.session_secret, kT0 + minutes(1)));
  EXPECT_FALSE(users_->sign_out(r.session_secret, kT0 + minutes(1)));
}

TEST_F(UsersTest, WrongPinRepeatedLocksWithGrowingDelay) {
  add("Ana", Role::kStaff);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(users_->sign_in("Ana", "000001", kT0).status, SignInStatus::kRefused);
  }
  // Locked for 1 s: even the right PIN is not checked.
  SignInResult r = users_->sign_in("Ana", kPin, kT0);
  EXPECT_EQ(r.status, SignInStatus::kLockedOut);
  EXPECT_EQ(r.retry_at, kT0 + seconds(1));
  // After the wait, another wrong PIN doubles it.
  EXPECT_EQ(users_->sign_in("Ana", "000001", kT0 + seconds(1)).status, SignInStatus::kRefused);
  r = users_->sign_in("Ana", kPin, kT0 + seconds(1));
  EXPECT_EQ(r.status, SignInStatus::kLockedOut);
  EXPECT_EQ(r.retry_at, kT0 + seconds(3));
  EXPECT_EQ(users_->sign_in("Ana", "000001", kT0 + seconds(3)).status, SignInStatus::kRefused);
  EXPECT_EQ(users_->sign_in("Ana", kPin, kT0 + seconds(3)).retry_at, kT0 + seconds(7));
  // The right PIN after the wait signs in and forgets the failures.
  EXPECT_EQ(users_->sign_in("Ana", kPin, kT0 + seconds(7)).status, SignInStatus::kOk);
  EXPECT_EQ(count_rows("login_failures"), 0);
}

TEST_F(UsersTest, AtMostOneHundredWrongPinsAnHour) {
  add("Ana", Role::kStaff);
  WallTime t = kT0;
  int checked = 0;
  while (t < kT0 + hours(1)) {
    const SignInResult r = users_->sign_in("Ana", "000001", t);
    if (r.status == SignInStatus::kLockedOut) {
      t = r.retry_at;
      continue;
    }
    ASSERT_EQ(r.status, SignInStatus::kRefused);
    ++checked;
  }
  EXPECT_EQ(checked, 100);
  EXPECT_EQ(users_->sign_in("Ana", kPin, kT0 + hours(1) - Millis(1)).status,
            SignInStatus::kLockedOut);
  EXPECT_EQ(users_->sign_in("Ana", kPin, kT0 + hours(1)).status, SignInStatus::kOk);
}

TEST_F(UsersTest, ARestartKeepsTheLockout) {
  add("Ana", Role::kStaff);
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(users_->sign_in("Ana", "000001", kT0 + seconds(i * 100)).status,
              SignInStatus::kRefused);
  }
  const WallTime last = kT0 + seconds(400);
  reopen();
  const SignInResult r = users_->sign_in("Ana", kPin, last + seconds(1));
  EXPECT_EQ(r.status, SignInStatus::kLockedOut);
  EXPECT_EQ(r.retry_at, last + seconds(4));
  EXPECT_EQ(users_->sign_in("Ana", kPin, last + seconds(4)).status, SignInStatus::kOk);
}

TEST_F(UsersTest, AParallelAttemptOnTheSameAccountIsBusy) {
  add("Ana", Role::kStaff);
  const PendingSignIn first = users_->begin_sign_in("Ana", kT0);
  ASSERT_TRUE(first.needs_verify());
  const PendingSignIn second = users_->begin_sign_in("Ana", kT0);
  EXPECT_FALSE(second.needs_verify());
  EXPECT_EQ(users_->finish_sign_in(second, false, kT0).status, SignInStatus::kBusy);
  EXPECT_EQ(users_->finish_sign_in(first, verify_pin(first.stored_hash, kPin), kT0).status,
            SignInStatus::kOk);
  EXPECT_TRUE(users_->begin_sign_in("Ana", kT0).needs_verify());
}

TEST_F(UsersTest, DisabledAccountCannotSignInAndLosesItsSessions) {
  const UserInfo u = add("Ana", Role::kStaff);
  const SignInResult r = users_->sign_in("Ana", kPin, kT0);
  ASSERT_EQ(r.status, SignInStatus::kOk);
  ASSERT_TRUE(users_->disable_user(u.id, Actor::system("test"), kT0).ok());
  EXPECT_FALSE(users_->session(r.session_secret, kT0));
  EXPECT_EQ(users_->sign_in("Ana", kPin, kT0).status, SignInStatus::kRefused);
}

TEST_F(UsersTest, ChangingThePinEndsSessionsAndTheOldPin) {
  const UserInfo u = add("Ana", Role::kStaff);
  const SignInResult r = users_->sign_in("Ana", kPin, kT0);
  ASSERT_EQ(r.status, SignInStatus::kOk);
  const Actor self{"user:" + std::to_string(u.id), Role::kStaff};
  EXPECT_EQ(users_->change_pin(u.id, "111111", self, kT0).problem.code, AccountError::kBadPin);
  ASSERT_TRUE(users_->change_pin(u.id, "470291", self, kT0).ok());
  EXPECT_FALSE(users_->session(r.session_secret, kT0));
  EXPECT_EQ(users_->sign_in("Ana", kPin, kT0).status, SignInStatus::kRefused);
  EXPECT_EQ(users_->sign_in("Ana", "470291", kT0).status, SignInStatus::kOk);
  // A staff member may not change someone else's PIN.
  const UserInfo other = add("Bo", Role::kStaff);
  EXPECT_EQ(users_->change_pin(other.id, "470291", self, kT0).problem.code,
            AccountError::kNotAllowed);
}

TEST_F(UsersTest, ApiTokensVerifyUntilRevoked) {
  auto made = users_->create_token(Role::kIntegration, "pager", Actor::system("test"), kT0);
  ASSERT_TRUE(made.ok());
  const std::string secret = made.value->secret;
  EXPECT_TRUE(secret.starts_with("mend_"));
  auto t = users_->verify_token(secret);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->role, Role::kIntegration);
  EXPECT_EQ(t->label, "pager");
  EXPECT_FALSE(users_->verify_token(secret + "x"));
  EXPECT_FALSE(users_->verify_token("mend_"));
  // Only an admin manages tokens.
  EXPECT_EQ(users_->revoke_token(t->id, Actor{"user:1", Role::kManager}, kT0).problem.code,
            AccountError::kNotAllowed);
  ASSERT_TRUE(users_->revoke_token(t->id, Actor{"user:1", Role::kAdmin}, kT0).ok());
  EXPECT_FALSE(users_->verify_token(secret));
  EXPECT_EQ(users_->revoke_token(t->id, Actor::system("test"), kT0).problem.code,
            AccountError::kNoSuchToken);
  // Survives a restart, and the secret is not in the file.
  reopen();
  EXPECT_FALSE(users_->verify_token(secret));
  ASSERT_EQ(users_->list_tokens().size(), 1u);
  EXPECT_TRUE(users_->list_tokens()[0].revoked_at);
}

TEST_F(UsersTest, EveryStateChangeIsAudited) {
  const Actor sys = Actor::system("mendctl:root");
  const UserInfo u = add("Ana", Role::kManager);
  ASSERT_EQ(users_->sign_in("Ana", "000001", kT0).status, SignInStatus::kRefused);
  ASSERT_EQ(users_->sign_in("Ana", "000001", kT0).status, SignInStatus::kRefused);
  ASSERT_EQ(users_->sign_in("Ana", "000001", kT0).status, SignInStatus::kRefused);
  const SignInResult r = users_->sign_in("Ana", kPin, kT0 + seconds(1));
  ASSERT_EQ(r.status, SignInStatus::kOk);
  ASSERT_TRUE(users_->sign_out(r.session_secret, kT0 + seconds(2)));
  ASSERT_TRUE(users_->change_pin(u.id, "470291", sys, kT0).ok());
  auto tok = users_->create_token(Role::kIntegration, "pos", sys, kT0);
  ASSERT_TRUE(tok.ok());
  ASSERT_TRUE(users_->revoke_token(tok.value->info.id, sys, kT0).ok());
  ASSERT_TRUE(users_->disable_user(u.id, sys, kT0).ok());
  EXPECT_EQ(users_->sign_in("Nobody", kPin, kT0).status, SignInStatus::kRefused);

  const std::vector<std::string> expected = {
      "user.create",  "auth.sign_in_failed", "auth.sign_in_failed", "auth.sign_in_failed",
      "auth.lockout", "auth.sign_in",        "auth.sign_out",       "user.pin_change",
      "token.create", "token.revoke",        "user.disable",        "auth.sign_in_failed"};
  EXPECT_EQ(audit_actions(), expected);
  EXPECT_EQ(store_->verify_audit_chain(), std::nullopt);
  // Who and what: the sign-in names the user, the token revocation names mendctl.
  const auto rows = store_->audit(100);
  for (const auto& row : rows) {
    if (row.action == "auth.sign_in") {
      EXPECT_EQ(row.actor, "user:" + std::to_string(u.id));
      EXPECT_EQ(row.role, "manager");
      EXPECT_EQ(row.at, kT0 + seconds(1));
    }
    if (row.action == "token.revoke") {
      EXPECT_EQ(row.actor, "mendctl:root");
      EXPECT_EQ(row.role, "system");
    }
    // No secret of any kind in the log.
    EXPECT_EQ(row.detail.find(kPin), std::string::npos);
    EXPECT_EQ(row.detail.find(r.session_secret), std::string::npos);
    EXPECT_EQ(row.detail.find(tok.value->secret), std::string::npos);
  }
}

TEST_F(UsersTest, ImmediateWritesLeaveTheDaemonsBatchStaged) {
  store_->stage_meta("probe", "1");
  add("Ana", Role::kStaff);
  EXPECT_EQ(store_->staged_count(), 1u);
  EXPECT_EQ(store_->meta("probe"), std::nullopt);
  store_->commit();
  EXPECT_EQ(store_->meta("probe"), "1");
  EXPECT_EQ(store_->verify_audit_chain(), std::nullopt);
}

TEST_F(UsersTest, TheFirstAccountOnlyOnceThroughTheSetupCode) {
  const Actor setup = Actor::system("setup-code");
  ASSERT_TRUE(users_->create_user("Ana", Role::kManager, kPin, setup, kT0, true).ok());
  EXPECT_EQ(users_->create_user("Bo", Role::kAdmin, kPin, setup, kT0, true).problem.code,
            AccountError::kUsersExist);
  EXPECT_EQ(users_->user_count(), 1);
}

TEST(SetupCodeTest, WorksOnceThenIsUsed) {
  const MonoTime t0 = mono_from_ms(1000);
  auto [code, text] = SetupCode::generate(t0, hours(24));
  EXPECT_EQ(text.size(), 4u * 5u + 3u);
  EXPECT_TRUE(code.usable(t0));
  EXPECT_EQ(code.consume("00000-00000-00000-00000", t0), SetupCode::Result::kWrong);
  // Typed without dashes, with spaces: still the code.
  std::string spaced;
  for (char c : text) spaced.push_back(c == '-' ? ' ' : c);
  EXPECT_EQ(code.consume(spaced, t0), SetupCode::Result::kOk);
  EXPECT_EQ(code.consume(text, t0), SetupCode::Result::kUsed);
  EXPECT_FALSE(code.usable(t0));
}

TEST(SetupCodeTest, ExpiresAndBurnsAfterTooManyWrongTries) {
  const MonoTime t0 = mono_from_ms(1000);
  auto [late, late_text] = SetupCode::generate(t0, hours(24));
  EXPECT_EQ(late.consume(late_text, t0 + hours(24)), SetupCode::Result::kExpired);

  auto [code, text] = SetupCode::generate(t0, hours(24));
  for (int i = 0; i < SetupCode::kMaxWrongAttempts - 1; ++i) {
    EXPECT_EQ(code.consume("1", t0), SetupCode::Result::kWrong);
  }
  EXPECT_EQ(code.consume("1", t0), SetupCode::Result::kBurned);
  EXPECT_EQ(code.consume(text, t0), SetupCode::Result::kBurned);
  EXPECT_NE(SetupCode::generate(t0, hours(1)).second, text);
}

}  // namespace
}  // namespace mend::auth
