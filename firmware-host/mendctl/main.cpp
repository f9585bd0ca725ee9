// mendctl: the installer's and manager's command line for a Mend box. Each command is a row
// of kCommands; later issues add `user add`, `token create` and `cert` as more rows.
//
// Exit codes: 0 fine, 1 the command failed, 2 the command line is wrong.
#include <algorithm>
#include <iostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "firmware-host/config_file.hpp"

namespace mend {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;

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
    {"version", "", "print the version", 0, version},
    {"help", "", "print this text", 0, help},
};

int usage(std::ostream& out) {
  out << "usage: mendctl COMMAND [ARGS]\n\nAdministration of a Mend box.\n\ncommands:\n";
  for (const auto& c : kCommands) {
    std::string head = std::string(c.name) + (c.args.empty() ? "" : " ") + std::string(c.args);
    head.resize(std::max<std::size_t>(head.size() + 2, 20), ' ');
    out << "  " << head << c.summary << '\n';
  }
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
    if (words[0] != c.name) continue;
    const Args args = Args(words).subspan(1);
    if (args.size() != c.arg_count) {
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
