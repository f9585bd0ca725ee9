// Runs a shell command (mendctl, the docs' check script) for the adapter tests that check a
// tool's output against a real store file.
#pragma once

#include <stdio.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace mend::testing {

// What a command printed (stdout and stderr) and its exit code.
struct Ran {
  int code = -1;
  std::string out;
};

inline Ran run(const std::string& command) {
  Ran r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace mend::testing
