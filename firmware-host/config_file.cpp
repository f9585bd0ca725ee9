#include "firmware-host/config_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ostream>
#include <utility>
#include <variant>

namespace mend {
namespace {

std::string join(const std::vector<ConfigError>& errors) {
  std::string out;
  for (const auto& e : errors) out += (out.empty() ? "" : "\n") + e.to_string();
  return out;
}

ConfigResult file_error(const std::string& path, std::string message) {
  ConfigResult result;
  result.errors.push_back(ConfigError{path, 0, 0, "", std::move(message)});
  return result;
}

// Closes the descriptor on every way out of load_config_file.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// The file's text, or why it cannot be read.
std::variant<std::string, ConfigResult> read_config_text(const std::string& path) {
  // POSIX calls rather than iostreams: errno says why a file cannot be read, and an installer
  // needs that reason ("Permission denied" is not "No such file or directory").
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return file_error(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return file_error(path, std::string("cannot read: ") + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) return file_error(path, "cannot read: is a directory");
  if (!S_ISREG(st.st_mode)) return file_error(path, "cannot read: not a regular file");

  std::string text;
  char buf[16 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return file_error(path, std::string("cannot read: ") + std::strerror(errno));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxConfigFileSize) {
      return file_error(path, "cannot read: larger than " +
                                  std::to_string(kMaxConfigFileSize / 1024) +
                                  " KiB, not a config file");
    }
  }
  return text;
}

}  // namespace

ConfigResult load_config_file(const std::string& path) {
  auto text = read_config_text(path);
  if (auto* failed = std::get_if<ConfigResult>(&text)) return std::move(*failed);
  return parse_config(std::get<std::string>(text), path);
}

ConfigResult load_config_file(const std::string& path, std::string_view cloud_text,
                              std::string_view cloud_name) {
  auto text = read_config_text(path);
  if (auto* failed = std::get_if<ConfigResult>(&text)) return std::move(*failed);
  return parse_config(std::get<std::string>(text), path, cloud_text, cloud_name);
}

ConfigFileError::ConfigFileError(std::vector<ConfigError> errors)
    : std::runtime_error(join(errors)), errors_(std::move(errors)) {}

Config load_config_file_or_throw(const std::string& path) {
  ConfigResult result = load_config_file(path);
  if (!result.config) throw ConfigFileError(std::move(result.errors));
  return std::move(*result.config);
}

int check_config_file(const std::string& path, std::ostream& out, std::ostream& err) {
  const ConfigResult result = load_config_file(path);
  if (result.config) {
    out << path << ": ok\n";
    return 0;
  }
  for (const auto& e : result.errors) err << e.to_string() << '\n';
  return 1;
}

}  // namespace mend
