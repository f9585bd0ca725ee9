// mendctl's option parsing, shared by its command files: --flag VALUE pairs and the
// positional words left over.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mend::mendctl {

// Bare flags are refused: no command has one, and a PIN must never come on the command line
// (other users can read a process's argv), so there is deliberately no --pin.
struct Parsed {
  std::map<std::string, std::string, std::less<>> flags;
  std::vector<std::string> positional;
  std::string error;

  std::string flag_or(std::string_view name, std::string_view fallback) const {
    const auto it = flags.find(name);
    return it != flags.end() ? it->second : std::string(fallback);
  }
};

inline Parsed parse(std::span<const std::string_view> args,
                    std::initializer_list<std::string_view> known) {
  Parsed p;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (!a.starts_with("--")) {
      p.positional.emplace_back(a);
      continue;
    }
    if (std::find(known.begin(), known.end(), a) == known.end()) {
      p.error = "unknown option " + std::string(a);
      return p;
    }
    if (i + 1 >= args.size()) {
      p.error = std::string(a) + " needs a value";
      return p;
    }
    p.flags[std::string(a.substr(2))] = std::string(args[++i]);
  }
  return p;
}

}  // namespace mend::mendctl
