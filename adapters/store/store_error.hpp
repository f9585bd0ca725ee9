// The one exception type of the store: every message names the database file and what is
// wrong with it, so a person reading the journal knows which file to look at and why.
#pragma once

#include <stdexcept>
#include <string>

namespace mend {

class StoreError : public std::runtime_error {
 public:
  // `sqlite_code`: SQLite's extended result code when SQLite reported the problem, else 0.
  StoreError(std::string path, std::string problem, int sqlite_code = 0)
      : std::runtime_error("store " + path + ": " + problem),
        path_(std::move(path)),
        problem_(std::move(problem)),
        sqlite_code_(sqlite_code) {}

  const std::string& path() const { return path_; }
  // The message without the path, for wrapping into a more specific one.
  const std::string& problem() const { return problem_; }
  int sqlite_code() const { return sqlite_code_; }

 private:
  std::string path_;
  std::string problem_;
  int sqlite_code_;
};

}  // namespace mend
