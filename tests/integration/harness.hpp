// What the whole-binary tests run against: a real Mosquitto on a free loopback port, the real
// mendd binary with a generated config, a real MQTT client and plain HTTP. Every wait is
// bounded; every process started here is killed when its owner goes out of scope.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/json.hpp"

namespace mend::test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A loopback TCP port nobody listens on right now.
int free_port();
// Whether something accepts connections on this loopback port.
bool port_open(int port);

// Polls `done` until it is true or `timeout` passes (integration tests only: unit tests never
// wait). Returns whether it became true.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                std::chrono::milliseconds every = 20ms);

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);

// A child process with its output in a log file.
class Process {
 public:
  Process(std::vector<std::string> argv, std::string log_path,
          std::map<std::string, std::string> env = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  pid_t pid() const { return pid_; }
  bool running();
  void signal(int sig);
  // Waits for exit; returns the exit status (or 128 + signal), nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  void kill_now();  // SIGKILL and reap
  std::string log() const { return read_file(log_path_); }

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  std::optional<int> status_;
};

class Mosquitto {
 public:
  // Starts the broker: start() is for starting it again after stop() or kill9().
  explicit Mosquitto(const TempDir& dir, int port = 0);
  int port() const { return port_; }
  void start();
  void stop();   // SIGTERM: it saves its persistence
  void kill9();  // crash
  bool up() const { return proc_ != nullptr; }

 private:
  std::string dir_;
  int port_;
  std::unique_ptr<Process> proc_;
};

// A synchronous MQTT client for the tests (Paho C++).
class MqttProbe {
 public:
  MqttProbe(int port, std::string client_id);
  ~MqttProbe();
  void publish(const std::string& topic, const std::string& payload, int qos = 1,
               bool retained = false);
  void subscribe(const std::string& filter);
  // Latest payload seen per topic (retained ones included).
  std::map<std::string, std::string> latest();
  std::vector<std::pair<std::string, std::string>> received();
  std::optional<std::string> latest_on(const std::string& topic);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};
// A plain HTTP/1.1 request on loopback, connection closed after it. status 0: no answer.
// Every answer is recorded for the contract check (record_exchange).
HttpResult http(int port, const std::string& method, const std::string& target,
                const std::string& body = {},
                const std::map<std::string, std::string>& headers = {});

// When MEND_CONTRACT_LOG names a file, appends one JSON line per response a test received
// (method, target, status, headers, body) or per live message it read, with the test's name:
// tests/contract/check.mjs validates them against web/openapi.json. One write per line with
// O_APPEND, so test processes that run at once do not interleave their lines.
void record_exchange(const std::string& method, const std::string& target, const HttpResult& r);
void record_live_message(const std::string& text);

struct MenddOptions {
  std::string venue = "test-venue";
  std::string detect;        // extra TOML lines for [detect]
  std::string extra;         // extra TOML appended at the end (devices, areas)
  std::string detect_block;  // a whole [detect]/[[device]]/[[area]] block (replaces the two above)
  std::string commit_interval = "50ms";
  std::string store;  // extra TOML lines for [store]
  // The LAN listener: 0.0.0.0 with TLS on tls_port(), plus plain HTTP on loopback at
  // http_port() (http.local_port), as a venue box runs.
  bool lan_tls = false;
};

// The real mendd binary (path from the MENDD environment variable or the build).
class Mendd {
 public:
  Mendd(const TempDir& dir, int broker_port, MenddOptions options = {});
  ~Mendd();
  void start();  // returns once /readyz says ready (or throws)
  bool start_and_wait(std::chrono::milliseconds timeout);
  void stop();  // SIGTERM, wait
  void kill9();
  int http_port() const { return http_port_; }
  int tls_port() const { return tls_port_; }  // lan_tls only
  std::string tls_dir() const { return dir_ + "/state/tls"; }
  // A request with a bearer token for this daemon's store (a manager's, made with mendctl on
  // first use): everything under /api/v1 but sign-in needs one.
  HttpResult api(const std::string& method, const std::string& target, const std::string& body = {},
                 std::map<std::string, std::string> headers = {});
  const std::string& token();
  const std::string& db_path() const { return db_; }
  const std::string& config_path() const { return config_; }
  std::string log() const { return proc_ ? proc_->log() : read_file(log_); }
  Process* process() { return proc_.get(); }

 private:
  std::string dir_;
  std::string config_;
  std::string db_;
  std::string log_;
  int http_port_;
  int tls_port_ = 0;
  std::unique_ptr<Process> proc_;
  std::string token_;
};

// Wall-clock milliseconds since the epoch, for payload ids and `ts`.
std::int64_t now_ms();
// JSON from mendd (a whole list of cases can be large); throws when it is not JSON.
json::Value parse(const std::string& s);
// A string member's value, or "" when it is absent or not a string.
std::string str(const json::Value* v);

std::string mendd_binary();
std::string mendctl_binary();
// Runs a command (argv, no shell) and returns its stdout; throws when it exits non-zero.
std::string run_capture(const std::vector<std::string>& argv);

// Runs a SQL query with the sqlite3 library on a database file (read-only) and returns the
// first column of every row.
std::vector<std::string> sql(const std::string& db, const std::string& query);
// Changes a stopped mendd's store, as a test's setting of the scene (a day that has passed).
void sql_write(const std::string& db, const std::string& statements);

}  // namespace mend::test
