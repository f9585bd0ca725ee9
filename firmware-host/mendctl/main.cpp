// mendctl: the installer's and manager's command line for a Mend box. Each command is a row
// of kCommands; a name may be two words (`user add`), and a command that parses its own
// options takes kAnyArgs.
//
// Exit codes: 0 fine, 1 the command failed, 2 the command line is wrong.
#include <algorithm>
#include <iostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "firmware-host/config_file.hpp"
#include "firmware-host/mendctl/auth_commands.hpp"
#include "firmware-host/mendctl/bridge_commands.hpp"
#include "firmware-host/mendctl/cert_commands.hpp"
#include "firmware-host/mendctl/guest_commands.hpp"
#include "firmware-host/mendctl/ledger_commands.hpp"
#include "firmware-host/mendctl/model_commands.hpp"

namespace mend {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;
constexpr std::size_t kAnyArgs = static_cast<std::size_t>(-1);

using Args = std::span<const std::string_view>;

struct Command {
  std::string_view name;
  std::string_view args;  // for the help text
  std::string_view summary;
  std::size_t arg_count;
  int (*run)(Args args);
};

int usage(std::ostream& out);

int check_config(Args args) {
  return check_config_file(std::string(args[0]), std::cout, std::cerr);
}

int version(Args) {
  std::cout << "mendctl " << MEND_VERSION << '\n';
  return kExitOk;
}

int help(Args) { return usage(std::cout); }

constexpr Command kCommands[] = {
    {"check-config", "FILE", "check a mendd config file: \"FILE: ok\", or every error", 1,
     check_config},
    {"user add", "--name NAME --role ROLE [--pin-file F]",
     "add a staff account (staff|manager|admin); the PIN is read from stdin twice or from F",
     kAnyArgs, mendctl::user_add},
    {"user list", "", "list the accounts", kAnyArgs, mendctl::user_list},
    {"user disable", "NAME", "disable an account and end its sessions", kAnyArgs,
     mendctl::user_disable},
    {"token create", "--label L [--role R]",
     "make an API token (role integration by default); prints its secret once", kAnyArgs,
     mendctl::token_create},
    {"token list", "", "list the API tokens", kAnyArgs, mendctl::token_list},
    {"token revoke", "ID", "revoke an API token", kAnyArgs, mendctl::token_revoke},
    {"cert fingerprint", "[DIR]", "print the SHA-256 fingerprint of the box's TLS certificate",
     kAnyArgs, mendctl::cert_fingerprint},
    {"cert export", "FILE [DIR]", "write the TLS certificate (PEM) to FILE, for tablets", kAnyArgs,
     mendctl::cert_export},
    {"broker init", "[--new-password yes]",
     "make mendd's broker account (once) and the broker's ACL; reloads Mosquitto", kAnyArgs,
     mendctl::broker_init},
    {"bridge add", "--name NAME --kind till|booking|sensor|feedback",
     "make a bridge's broker account; prints its password once, with its settings", kAnyArgs,
     mendctl::bridge_add},
    {"bridge list", "", "list the bridges and the topics each may publish to", kAnyArgs,
     mendctl::bridge_list},
    {"bridge remove", "NAME", "remove a bridge's broker account", kAnyArgs, mendctl::bridge_remove},
    {"guest export", "ID [--out FILE]",
     "everything kept about a guest, as one JSON document (through the running mendd)", kAnyArgs,
     mendctl::guest_export},
    {"guest erase", "ID --confirm yes",
     "erase a guest: the profile goes, their events and cases are renamed (through mendd)",
     kAnyArgs, mendctl::guest_erase},
    {"ledger verify", "", "check the contribution ledger's hash chain; names the first bad entry",
     kAnyArgs, mendctl::ledger_verify},
    {"ledger export", "[--out FILE]",
     "the contribution ledger as JSON lines, with each entry's text and hashes", kAnyArgs,
     mendctl::ledger_export},
    {"model train", "",
     "train the at-risk model on the settled table-visits now, as mendd does each night", kAnyArgs,
     mendctl::model_train},
    {"model show", "", "the at-risk model in use, its metrics and weights, and every version",
     kAnyArgs, mendctl::model_show},
    {"version", "", "print the version", 0, version},
    {"help", "", "print this text", 0, help},
};

int usage(std::ostream& out) {
  out << "usage: mendctl COMMAND [ARGS]\n\nAdministration of a Mend box.\n\ncommands:\n";
  for (const auto& c : kCommands) {
    std::string head = std::string(c.name) + (c.args.empty() ? "" : " ") + std::string(c.args);
    // A long synopsis gets the summary on the next line, so the summaries stay in a column.
    if (head.size() > 18) head += "\n" + std::string(20, ' ');
    head.resize(std::max<std::size_t>(head.size() + 2, 20), ' ');
    out << "  " << head << c.summary << '\n';
  }
  out << "\nuser, token, ledger and model commands take --config FILE (default "
         "/etc/mend/mend.toml) or "
         "--store "
         "PATH\nguest commands take --config FILE and need mendd running (http.local_port)\nbroker "
         "and bridge commands take --config FILE, --broker-dir DIR (default "
         "/etc/mosquitto/mend)\nand --pid-file F (Mosquitto's, default "
         "/run/mosquitto/mosquitto.pid)\n";
  return kExitOk;
}

int usage_error(const std::string& message) {
  std::cerr << "mendctl: " << message << "\n\n";
  usage(std::cerr);
  return kExitUsage;
}

int dispatch(const std::vector<std::string_view>& words) {
  if (words.empty()) return usage_error("no command given");
  if (words[0] == "--help" || words[0] == "-h") return usage(std::cout);
  if (words[0] == "--version") return version({});
  for (const auto& c : kCommands) {
    // The command's name is one or two words; all must match.
    std::size_t used = 0;
    std::string_view rest = c.name;
    while (!rest.empty() && used < words.size()) {
      const std::size_t space = rest.find(' ');
      if (words[used] != rest.substr(0, space)) break;
      ++used;
      rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    }
    if (!rest.empty()) continue;
    const Args args = Args(words).subspan(used);
    if (c.arg_count != kAnyArgs && args.size() != c.arg_count) {
      return usage_error(std::string(c.name) + " takes " +
                         (c.args.empty() ? "no arguments" : std::string(c.args)));
    }
    return c.run(args);
  }
  return usage_error("unknown command '" + std::string(words[0]) + "'");
}

}  // namespace
}  // namespace mend

int main(int argc, char** argv) {
  const std::vector<std::string_view> words(argc > 0 ? argv + 1 : argv, argv + argc);
  return mend::dispatch(words);
}
