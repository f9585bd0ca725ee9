// Loading the config from its file: the I/O half of parse_config, kept out of the pure core.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace mend {

// A config file is a few kilobytes; anything this large is not one.
inline constexpr std::size_t kMaxConfigFileSize = std::size_t{1024} * 1024;

// Reads `path` and checks it. A file that cannot be read (missing, unreadable, a directory,
// too large) is one ConfigError naming the file, with line 0.
ConfigResult load_config_file(const std::string& path);
// The file with the venue group's document from the cloud over it (parse_config's rules).
ConfigResult load_config_file(const std::string& path, std::string_view cloud_text,
                              std::string_view cloud_name);

// What starting up throws when the config is not usable: every error, one per line.
class ConfigFileError : public std::runtime_error {
 public:
  explicit ConfigFileError(std::vector<ConfigError> errors);
  const std::vector<ConfigError>& errors() const { return errors_; }

 private:
  std::vector<ConfigError> errors_;
};

// load_config_file, throwing ConfigFileError unless the config is valid.
Config load_config_file_or_throw(const std::string& path);

// What `mendd --check-config FILE` and `mendctl check-config FILE` do: "FILE: ok" on `out`
// and 0, or every error on `err`, one per line, and 1.
int check_config_file(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace mend
