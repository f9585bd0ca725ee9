#include "firmware-host/mendctl/bridge_commands.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "firmware-host/config_file.hpp"
#include "firmware-host/mendctl/broker_accounts.hpp"
#include "firmware-host/mendctl/options.hpp"

namespace mend::mendctl {

namespace {

namespace fs = std::filesystem;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr std::string_view kDefaultConfig = "/etc/mend/mend.toml";
constexpr std::size_t kMaxFile = std::size_t{1024} * 1024;

int usage_error(const std::string& message) {
  std::cerr << "mendctl: " << message << '\n';
  return kExitUsage;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  if (ss.str().size() > kMaxFile) throw std::runtime_error(path.string() + ": too large");
  return ss.str();
}

// Owner and group by name; ids stay as they are for a name this box does not have (a test
// machine, or a chroot before the package's users exist).
void set_owner(const fs::path& path, const char* user, const char* group_name) {
  const passwd* pw = user ? getpwnam(user) : nullptr;
  const struct group* gr = group_name ? getgrnam(group_name) : nullptr;
  if (!pw && !gr) return;
  if (chown(path.c_str(), pw ? pw->pw_uid : static_cast<uid_t>(-1),
            gr ? gr->gr_gid : static_cast<gid_t>(-1)) != 0 &&
      geteuid() == 0) {
    throw std::runtime_error(path.string() + ": chown: " + std::strerror(errno));
  }
}

// Written beside and renamed over: Mosquitto re-reading on SIGHUP sees the old file or the
// new one, never half of one. The mode is set before the secret goes in.
void write_file(const fs::path& path, const std::string& text, mode_t mode, const char* user,
                const char* group) {
  const fs::path tmp = path.string() + ".new";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(tmp.string() + ": cannot write");
    if (chmod(tmp.c_str(), mode) != 0) {
      throw std::runtime_error(tmp.string() + ": chmod: " + std::strerror(errno));
    }
    set_owner(tmp, user, group);
    out << text;
    out.close();
    if (!out) throw std::runtime_error(tmp.string() + ": cannot write");
  }
  fs::rename(tmp, path);
}

struct BrokerFiles {
  fs::path dir;
  std::string venue;
  std::string mendd_user;
  std::string mendd_password_file;
  std::vector<broker::PasswdEntry> passwd;
  std::vector<broker::Bridge> bridges;
};

BrokerFiles load(const Parsed& p) {
  const Config config = load_config_file_or_throw(p.flag_or("config", kDefaultConfig));
  BrokerFiles f;
  f.dir = p.flag_or("broker-dir", kDefaultBrokerDir);
  f.venue = config.venue.id;
  f.mendd_user = config.mqtt.username.empty() ? "mendd" : config.mqtt.username;
  f.mendd_password_file = config.mqtt.password_file;
  if (!broker::valid_account_name(f.mendd_user)) {
    throw std::runtime_error("mqtt.username '" + f.mendd_user +
                             "' is not a usable account name ([a-z][a-z0-9-]*)");
  }
  f.passwd = broker::parse_passwd(read_text(f.dir / "passwd"));
  f.bridges = broker::parse_bridges(read_text(f.dir / "bridges"));
  return f;
}

// The broker reads these as user mosquitto after a reload: group mosquitto, not world.
void save(const BrokerFiles& f) {
  fs::create_directories(f.dir);
  chmod(f.dir.c_str(), 0750);
  set_owner(f.dir, nullptr, "mosquitto");
  write_file(f.dir / "passwd", broker::passwd_text(f.passwd), 0640, nullptr, "mosquitto");
  write_file(f.dir / "bridges", broker::bridges_text(f.bridges), 0640, nullptr, "mosquitto");
  write_file(f.dir / "acl", broker::acl_text(f.venue, f.mendd_user, f.bridges), 0640, nullptr,
             "mosquitto");
}

void set_password(BrokerFiles& f, const std::string& name, const std::string& password) {
  const std::string hash = broker::hash_password(password);
  auto it =
      std::find_if(f.passwd.begin(), f.passwd.end(), [&](const auto& e) { return e.name == name; });
  if (it != f.passwd.end()) {
    it->hash = hash;
  } else {
    f.passwd.push_back(broker::PasswdEntry{name, hash});
  }
}

// SIGHUP makes Mosquitto re-read its password file and ACL; connected clients keep their
// session. A broker that is not running reads them when it starts.
void reload_broker(const Parsed& p) {
  const std::string pid_file = p.flag_or("pid-file", kDefaultBrokerPidFile);
  const std::string text = read_text(pid_file);
  long pid = 0;
  try {
    pid = std::stol(text);
  } catch (const std::exception&) {
    pid = 0;
  }
  if (pid <= 1) {
    std::cerr << "mendctl: Mosquitto is not running (no pid in " << pid_file
              << "); it reads the accounts when it starts\n";
    return;
  }
  if (kill(static_cast<pid_t>(pid), SIGHUP) != 0) {
    throw std::runtime_error("cannot signal Mosquitto (pid " + std::to_string(pid) +
                             "): " + std::strerror(errno));
  }
  std::cerr << "mendctl: Mosquitto (pid " << pid << ") reloads its accounts\n";
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "mend.local";
  const std::string n(name);
  return n.find('.') == std::string::npos ? n + ".local" : n;
}

}  // namespace

int broker_init(std::span<const std::string_view> args) {
  const Parsed p = parse(args, {"--config", "--broker-dir", "--pid-file", "--new-password"});
  if (!p.error.empty()) return usage_error(p.error);
  if (!p.positional.empty()) return usage_error("broker init takes no positional arguments");
  const std::string renew = p.flag_or("new-password", "no");
  if (renew != "yes" && renew != "no") return usage_error("--new-password takes yes or no");
  try {
    BrokerFiles f = load(p);
    if (f.mendd_password_file.empty()) {
      throw std::runtime_error(
          "mqtt.password_file is not set in the config: mendd's password "
          "must live in a file of its own");
    }
    const bool has_account = std::any_of(f.passwd.begin(), f.passwd.end(),
                                         [&](const auto& e) { return e.name == f.mendd_user; });
    const bool has_file = fs::exists(f.mendd_password_file);
    if (renew == "yes" || !has_account || !has_file) {
      const std::string password = broker::random_password();
      fs::create_directories(fs::path(f.mendd_password_file).parent_path());
      write_file(f.mendd_password_file, password + "\n", 0600, "mend", "mend");
      set_password(f, f.mendd_user, password);
      std::cout << "broker account " << f.mendd_user << ": new password in "
                << f.mendd_password_file << '\n';
    } else {
      std::cout << "broker account " << f.mendd_user << ": kept\n";
    }
    save(f);
    reload_broker(p);
    return kExitOk;
  } catch (const std::exception& e) {
    std::cerr << "mendctl: broker init: " << e.what() << '\n';
    return kExitFailed;
  }
}

int bridge_add(std::span<const std::string_view> args) {
  const Parsed p = parse(
      args, {"--name", "--kind", "--config", "--broker-dir", "--pid-file", "--host", "--port"});
  if (!p.error.empty()) return usage_error(p.error);
  const std::string name = p.flag_or("name", "");
  const auto kind = broker::parse_bridge_kind(p.flag_or("kind", ""));
  if (!broker::valid_account_name(name)) {
    return usage_error("bridge add needs --name NAME (1-32 of a-z, 0-9, '-', a letter first)");
  }
  if (!kind) return usage_error("bridge add needs --kind " + broker::bridge_kind_names());
  try {
    BrokerFiles f = load(p);
    if (name == f.mendd_user) throw std::runtime_error("'" + name + "' is mendd's own account");
    const bool taken = std::any_of(f.passwd.begin(), f.passwd.end(),
                                   [&](const auto& e) { return e.name == name; });
    if (taken) {
      throw std::runtime_error("an account '" + name +
                               "' exists; remove it first (mendctl bridge remove " + name + ")");
    }
    const std::string password = broker::random_password();
    set_password(f, name, password);
    f.bridges.push_back(broker::Bridge{name, *kind});
    save(f);
    reload_broker(p);
    const std::string host = p.flag_or("host", host_name());
    std::cout << "Bridge '" << name << "' (" << broker::bridge_kind_name(*kind)
              << ") may now publish to this box. The password is shown this once;\n"
              << "only its hash is kept. Enter these settings in the bridge:\n\n"
              << "  broker host   " << host << '\n'
              << "  port          " << p.flag_or("port", "1883") << '\n'
              << "  username      " << name << '\n'
              << "  password      " << password << '\n'
              << "  client id     " << name << "-" << f.venue << '\n'
              << "  publish to    " << broker::source_topic_filter(f.venue, *kind)
              << "  (for example " << broker::example_topic(f.venue, *kind) << ")\n"
              << "  QoS           1, clean session off\n";
    return kExitOk;
  } catch (const std::exception& e) {
    std::cerr << "mendctl: bridge add: " << e.what() << '\n';
    return kExitFailed;
  }
}

int bridge_list(std::span<const std::string_view> args) {
  const Parsed p = parse(args, {"--config", "--broker-dir"});
  if (!p.error.empty()) return usage_error(p.error);
  try {
    const BrokerFiles f = load(p);
    for (const auto& b : f.bridges) {
      std::cout << b.name << ' ' << broker::bridge_kind_name(b.kind) << ' '
                << broker::source_topic_filter(f.venue, b.kind) << '\n';
    }
    return kExitOk;
  } catch (const std::exception& e) {
    std::cerr << "mendctl: bridge list: " << e.what() << '\n';
    return kExitFailed;
  }
}

int bridge_remove(std::span<const std::string_view> args) {
  const Parsed p = parse(args, {"--config", "--broker-dir", "--pid-file"});
  if (!p.error.empty()) return usage_error(p.error);
  if (p.positional.size() != 1) return usage_error("bridge remove takes NAME");
  const std::string& name = p.positional[0];
  try {
    BrokerFiles f = load(p);
    const auto before = f.bridges.size();
    std::erase_if(f.bridges, [&](const auto& b) { return b.name == name; });
    if (f.bridges.size() == before) throw std::runtime_error("no bridge '" + name + "'");
    std::erase_if(f.passwd, [&](const auto& e) { return e.name == name; });
    save(f);
    reload_broker(p);
    std::cout << "bridge " << name << " removed\n";
    return kExitOk;
  } catch (const std::exception& e) {
    std::cerr << "mendctl: bridge remove: " << e.what() << '\n';
    return kExitFailed;
  }
}

}  // namespace mend::mendctl
