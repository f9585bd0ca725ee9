#include "firmware-host/mendctl/auth_commands.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "adapters/auth/users.hpp"
#include "adapters/store/store.hpp"
#include "firmware-host/config_file.hpp"
#include "firmware-host/mendctl/options.hpp"

namespace mend::mendctl {

namespace {

constexpr std::string_view kDefaultConfig = "/etc/mend/mend.toml";

using Args = std::span<const std::string_view>;

std::string login_name() {
  if (const passwd* pw = getpwuid(geteuid())) return pw->pw_name;
  return std::to_string(geteuid());
}

// Run as root, mendctl would leave root-owned write-ahead log files that mendd (user mend)
// cannot open; so it becomes the store file's owner first.
void become_owner_of(const std::string& path) {
  if (geteuid() != 0) return;
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || st.st_uid == 0) return;
  if (setgid(st.st_gid) != 0 || setuid(st.st_uid) != 0) {
    throw std::runtime_error("cannot switch to the store's owner (uid " +
                             std::to_string(st.st_uid) + ")");
  }
}

struct Opened {
  std::unique_ptr<Store> store;
  std::unique_ptr<auth::Users> users;  // declared after store: destroyed first
};

Opened open_store_at(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    throw std::runtime_error(path + ": no store there yet; start mendd once to create it");
  }
  become_owner_of(path);
  Opened o;
  o.store = Store::open(StoreOptions{path, /*create=*/false});
  o.users = std::make_unique<auth::Users>(*o.store, auth::AuthOptions{});
  return o;
}

// --store PATH wins; otherwise store.path from --config FILE (default /etc/mend/mend.toml).
Opened open_store(const Parsed& p) {
  if (auto it = p.flags.find("store"); it != p.flags.end()) return open_store_at(it->second);
  return open_store_at(load_config_file_or_throw(p.flag_or("config", kDefaultConfig)).store.path);
}

WallTime wall_now() {
  return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
}

auth::Actor me() { return auth::Actor::system("mendctl:" + login_name()); }

std::optional<std::string> read_line(std::istream& in) {
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Without echo when stdin is a terminal.
std::optional<std::string> prompt_pin(const char* prompt) {
  const bool tty = isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (tty) {
    std::cerr << prompt << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  auto line = read_line(std::cin);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << '\n';
  }
  return line;
}

// From --pin-file (its first line), or typed twice on stdin.
std::optional<std::string> read_pin(const Parsed& p) {
  if (auto it = p.flags.find("pin-file"); it != p.flags.end()) {
    std::ifstream f(it->second);
    if (!f) {
      std::cerr << "mendctl: cannot read " << it->second << '\n';
      return std::nullopt;
    }
    auto line = read_line(f);
    if (!line) std::cerr << "mendctl: " << it->second << " is empty\n";
    return line;
  }
  auto first = prompt_pin("PIN: ");
  auto second = prompt_pin("PIN again: ");
  if (!first || !second) {
    std::cerr << "mendctl: no PIN given (type it twice, or use --pin-file FILE)\n";
    return std::nullopt;
  }
  if (*first != *second) {
    std::cerr << "mendctl: the two PINs differ\n";
    return std::nullopt;
  }
  return first;
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v <= 0) return std::nullopt;
  return v;
}

// Runs `body`, turning a failure to open or write the store into exit code 1.
template <class F>
int guarded(F&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    std::cerr << "mendctl: " << e.what() << '\n';
    return kExitFailed;
  }
}

int refused(const auth::AccountProblem& p) {
  std::cerr << "mendctl: " << p.message << " (" << auth::account_error_name(p.code) << ")\n";
  return kExitFailed;
}

}  // namespace

int usage_error(const std::string& message) {
  std::cerr << "mendctl: " << message << '\n';
  return kExitUsage;
}

std::unique_ptr<Store> open_store_file(const Parsed& p) { return std::move(open_store(p).store); }

Config command_config(const Parsed& p) {
  return load_config_file_or_throw(p.flag_or("config", kDefaultConfig));
}

std::string command_actor() { return "mendctl:" + login_name(); }

int with_api_token(const Parsed& p, auth::Role role, const std::string& label,
                   const std::function<int(const std::string&, const Config&)>& use) {
  return guarded([&] {
    const Config config = load_config_file_or_throw(p.flag_or("config", kDefaultConfig));
    std::int64_t id = 0;
    std::string secret;
    {
      // Closed before the request: an open connection would keep mendd's checkpoint from
      // truncating the write-ahead log.
      Opened o = open_store_at(config.store.path);
      auto made = o.users->create_token(role, label, me(), wall_now());
      if (!made.ok()) return refused(made.problem);
      id = made.value->info.id;
      secret = made.value->secret;
    }
    int code = kExitFailed;
    try {
      code = use(secret, config);
    } catch (const std::exception& e) {
      std::cerr << "mendctl: " << e.what() << '\n';
    }
    Opened o = open_store_at(config.store.path);
    auto done = o.users->revoke_token(id, me(), wall_now());
    if (!done.ok()) {
      std::cerr << "mendctl: could not revoke the request's token " << id
                << "; revoke it with: mendctl token revoke " << id << '\n';
      return kExitFailed;
    }
    return code;
  });
}

int user_add(Args args) {
  const Parsed p = parse(args, {"--name", "--role", "--pin-file", "--config", "--store"});
  if (!p.error.empty()) return usage_error(p.error);
  if (!p.positional.empty()) return usage_error("user add takes no positional arguments");
  auto name = p.flags.find("name");
  auto role_text = p.flags.find("role");
  if (name == p.flags.end() || role_text == p.flags.end()) {
    return usage_error("user add needs --name NAME and --role staff|manager|admin");
  }
  const auto role = auth::parse_role(role_text->second);
  if (!role || !auth::is_person_role(*role)) {
    return usage_error("--role is staff, manager or admin");
  }
  return guarded([&] {
    Opened o = open_store(p);
    const auto pin = read_pin(p);
    if (!pin) return kExitFailed;
    auto made = o.users->create_user(name->second, *role, *pin, me(), wall_now());
    if (!made.ok()) return refused(made.problem);
    std::cout << "user " << made.value->id << " " << made.value->name << " ("
              << auth::role_name(made.value->role) << ") added\n";
    return kExitOk;
  });
}

int user_list(Args args) {
  const Parsed p = parse(args, {"--config", "--store"});
  if (!p.error.empty()) return usage_error(p.error);
  return guarded([&] {
    Opened o = open_store(p);
    for (const auto& u : o.users->list_users()) {
      std::cout << u.id << '\t' << u.name << '\t' << auth::role_name(u.role) << '\t'
                << (u.disabled ? "disabled" : "active") << '\t' << format_rfc3339(u.created_at)
                << '\t' << u.created_by << '\n';
    }
    return kExitOk;
  });
}

int user_disable(Args args) {
  const Parsed p = parse(args, {"--config", "--store"});
  if (!p.error.empty()) return usage_error(p.error);
  if (p.positional.size() != 1) return usage_error("user disable takes one NAME");
  return guarded([&] {
    Opened o = open_store(p);
    const auto user = o.users->find_user(p.positional[0]);
    if (!user) {
      std::cerr << "mendctl: no user named " << p.positional[0] << '\n';
      return kExitFailed;
    }
    auto done = o.users->disable_user(user->id, me(), wall_now());
    if (!done.ok()) return refused(done.problem);
    std::cout << "user " << user->id << " " << user->name << " disabled\n";
    return kExitOk;
  });
}

int token_create(Args args) {
  const Parsed p = parse(args, {"--role", "--label", "--config", "--store"});
  if (!p.error.empty()) return usage_error(p.error);
  auto label = p.flags.find("label");
  if (label == p.flags.end()) return usage_error("token create needs --label LABEL");
  auto role_text = p.flags.find("role");
  const auto role =
      auth::parse_role(role_text == p.flags.end() ? std::string("integration") : role_text->second);
  if (!role) return usage_error("--role is integration, staff, manager or admin");
  return guarded([&] {
    Opened o = open_store(p);
    auto made = o.users->create_token(*role, label->second, me(), wall_now());
    if (!made.ok()) return refused(made.problem);
    // The secret on stdout alone (scripts capture it); what it is on stderr.
    std::cerr << "token " << made.value->info.id << " (" << auth::role_name(*role)
              << "): shown once, keep it now\n";
    std::cout << made.value->secret << '\n';
    return kExitOk;
  });
}

int token_list(Args args) {
  const Parsed p = parse(args, {"--config", "--store"});
  if (!p.error.empty()) return usage_error(p.error);
  return guarded([&] {
    Opened o = open_store(p);
    for (const auto& t : o.users->list_tokens()) {
      std::cout << t.id << '\t' << auth::role_name(t.role) << '\t' << t.label << '\t'
                << (t.revoked_at ? "revoked " + format_rfc3339(*t.revoked_at) : "active") << '\n';
    }
    return kExitOk;
  });
}

int token_revoke(Args args) {
  const Parsed p = parse(args, {"--config", "--store"});
  if (!p.error.empty()) return usage_error(p.error);
  if (p.positional.size() != 1) return usage_error("token revoke takes one ID");
  const auto id = parse_id(p.positional[0]);
  if (!id) return usage_error("a token ID is a positive number (see token list)");
  return guarded([&] {
    Opened o = open_store(p);
    auto done = o.users->revoke_token(*id, me(), wall_now());
    if (!done.ok()) return refused(done.problem);
    std::cout << "token " << *id << " revoked\n";
    return kExitOk;
  });
}

}  // namespace mend::mendctl
