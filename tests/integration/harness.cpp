#include "tests/integration/harness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <mqtt/async_client.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace mend::test {

// A port below the kernel's ephemeral range (32768 and up), so that the local end of some
// outgoing connection cannot take it between this check and the server's bind.
int free_port() {
  static std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<int> pick(20000, 32000);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int port = pick(rng);
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (ok) return port;
  }
  throw std::runtime_error("free_port: no free port in 20000-32000");
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                std::chrono::milliseconds every) {
  const auto end = Clock::now() + timeout;
  while (true) {
    if (done()) return true;
    if (Clock::now() >= end) return false;
    std::this_thread::sleep_for(every);
  }
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "mend-it-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  if (std::getenv("MEND_KEEP_TEST_DIRS") == nullptr) std::filesystem::remove_all(path_, ec);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

// ---- Process ---------------------------------------------------------------------------------

Process::Process(std::vector<std::string> argv, std::string log_path,
                 std::map<std::string, std::string> env)
    : log_path_(std::move(log_path)) {
  const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot open " + log_path_);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    const int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    ::unsetenv("JOURNAL_STREAM");
    ::execvp(args[0], args.data());
    std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(log_fd);
  if (pid_ < 0) throw std::runtime_error("fork failed");
}

Process::~Process() {
  if (running()) kill_now();
}

bool Process::running() {
  if (status_ || pid_ <= 0) return false;
  int st = 0;
  const pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return false;
  }
  return r == 0;
}

void Process::signal(int sig) {
  if (running()) ::kill(pid_, sig);
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
  wait_until([this] { return !running(); }, timeout, 5ms);
  return status_;
}

void Process::kill_now() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int st = 0;
  ::waitpid(pid_, &st, 0);
  status_ = 128 + SIGKILL;
}

// ---- Mosquitto -------------------------------------------------------------------------------

bool port_open(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

Mosquitto::Mosquitto(const TempDir& dir, int port)
    : dir_(dir.path()), port_(port == 0 ? free_port() : port) {
  start();
}

void Mosquitto::start() {
  const std::string conf = dir_ + "/mosquitto.conf";
  std::filesystem::create_directories(dir_ + "/mosquitto/");
  // The limits Mend ships (firmware-host/mosquitto/mend.conf: persistence, queued messages
  // and bytes for an offline mendd), then this test's own listener, location and a quick
  // autosave, so a broker restart keeps mendd's session and its queued messages.
  write_file(conf, "listener " + std::to_string(port_) + " 127.0.0.1\n" +
                       "allow_anonymous true\n"
                       "persistence_location " +
                       dir_ + "/mosquitto/\n" +
                       "include_dir " MEND_SOURCE_DIR
                       "/firmware-host/mosquitto\n"
                       "autosave_interval 1\n"
                       "user root\n"
                       "log_type error\nlog_type warning\n");
  proc_ = std::make_unique<Process>(std::vector<std::string>{"mosquitto", "-c", conf},
                                    dir_ + "/mosquitto.log");
  if (!wait_until([this] { return port_open(port_); }, 10s)) {
    throw std::runtime_error("mosquitto did not start on port " + std::to_string(port_) + ": " +
                             read_file(dir_ + "/mosquitto.log"));
  }
}

void Mosquitto::stop() {
  if (!proc_) return;
  proc_->signal(SIGTERM);
  if (!proc_->wait(10s)) proc_->kill_now();
  proc_.reset();
}

void Mosquitto::kill9() {
  if (!proc_) return;
  proc_->kill_now();
  proc_.reset();
}

// ---- MqttProbe -------------------------------------------------------------------------------

struct MqttProbe::Impl : mqtt::callback {
  mqtt::async_client cli;
  std::mutex mu;
  std::map<std::string, std::string> latest;
  std::vector<std::pair<std::string, std::string>> all;
  Impl(int port, const std::string& id)
      : cli("tcp://127.0.0.1:" + std::to_string(port), id, nullptr) {}
  void message_arrived(mqtt::const_message_ptr m) override {
    std::lock_guard lock(mu);
    latest[m->get_topic()] = m->get_payload_str();
    all.emplace_back(m->get_topic(), m->get_payload_str());
  }
};

MqttProbe::MqttProbe(int port, std::string client_id)
    : impl_(std::make_unique<Impl>(port, client_id)) {
  impl_->cli.set_callback(*impl_);
  mqtt::connect_options co;
  co.set_clean_session(true);
  co.set_keep_alive_interval(std::chrono::seconds(30));
  impl_->cli.connect(co)->wait_for(std::chrono::seconds(10));
  if (!impl_->cli.is_connected()) throw std::runtime_error("probe: cannot connect to the broker");
}

MqttProbe::~MqttProbe() {
  try {
    if (impl_->cli.is_connected()) impl_->cli.disconnect()->wait_for(std::chrono::seconds(2));
  } catch (const std::exception&) {
  }
}

void MqttProbe::publish(const std::string& topic, const std::string& payload, int qos,
                        bool retained) {
  auto tok = impl_->cli.publish(topic, payload.data(), payload.size(), qos, retained);
  if (qos > 0 && !tok->wait_for(std::chrono::seconds(10))) {
    throw std::runtime_error("probe: publish to " + topic + " not acknowledged");
  }
}

void MqttProbe::subscribe(const std::string& filter) {
  impl_->cli.subscribe(filter, 1)->wait_for(std::chrono::seconds(10));
}

std::map<std::string, std::string> MqttProbe::latest() {
  std::lock_guard lock(impl_->mu);
  return impl_->latest;
}

std::vector<std::pair<std::string, std::string>> MqttProbe::received() {
  std::lock_guard lock(impl_->mu);
  return impl_->all;
}

std::optional<std::string> MqttProbe::latest_on(const std::string& topic) {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->latest.find(topic);
  if (it == impl_->latest.end()) return std::nullopt;
  return it->second;
}

// ---- HTTP ------------------------------------------------------------------------------------

HttpResult http(int port, const std::string& method, const std::string& target,
                const std::string& body, const std::map<std::string, std::string>& headers) {
  HttpResult r;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return r;
  }
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT") {
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::string raw;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  const auto head_end = raw.find("\r\n\r\n");
  if (raw.compare(0, 9, "HTTP/1.1 ") != 0 || head_end == std::string::npos) return r;
  r.status = std::atoi(raw.c_str() + 9);
  std::istringstream head(raw.substr(0, head_end));
  std::string line;
  std::getline(head, line);
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.headers[name] = value;
  }
  r.body = raw.substr(head_end + 4);
  // Chunked bodies are not expected from mendd (it always sends a length); keep it simple.
  record_exchange(method, target, r);
  return r;
}

namespace {

// "Suite.Test" while a GoogleTest test runs, else the program's name.
std::string recorder_name() {
  if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
    return std::string(info->test_suite_name()) + "." + info->name();
  }
  return program_invocation_short_name;
}

void append_record(json::Object line) {
  const char* path = std::getenv("MEND_CONTRACT_LOG");
  if (path == nullptr || *path == '\0') return;
  line.append("from", recorder_name());
  const std::string text = json::dump(json::Value(std::move(line))) + "\n";
  const int fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(std::string("cannot open MEND_CONTRACT_LOG ") + path);
  const ssize_t n = ::write(fd, text.data(), text.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size()))
    throw std::runtime_error("short write to MEND_CONTRACT_LOG");
}

}  // namespace

void record_exchange(const std::string& method, const std::string& target, const HttpResult& r) {
  if (r.status == 0) return;  // no answer: nothing to check
  json::Object headers;
  for (const auto& [name, value] : r.headers) headers.append(name, value);
  json::Object line;
  line.append("method", method);
  line.append("target", target);
  line.append("status", static_cast<std::int64_t>(r.status));
  line.append("headers", json::Value(std::move(headers)));
  line.append("body", r.body);
  append_record(std::move(line));
}

void record_live_message(const std::string& text) {
  json::Object line;
  line.append("live", text);
  append_record(std::move(line));
}

// ---- mendd -----------------------------------------------------------------------------------

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

json::Value parse(const std::string& s) {
  auto r = json::parse(s, json::ParseLimits{64, std::size_t{1} << 24});
  if (!r) throw std::runtime_error("not JSON: " + s.substr(0, 200));
  return *r.value;
}

std::string str(const json::Value* v) {
  return v != nullptr && v->as_string() != nullptr ? *v->as_string() : std::string();
}

std::string mendd_binary() {
  if (const char* p = std::getenv("MENDD")) return p;
  return MEND_MENDD_PATH;
}

std::string mendctl_binary() {
  if (const char* p = std::getenv("MENDCTL")) return p;
  return MEND_MENDCTL_PATH;
}

std::string run_capture(const std::vector<std::string>& argv) {
  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::close(out[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out[1]);
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error(argv[0] + " failed: " + text);
  }
  return text;
}

Mendd::Mendd(const TempDir& dir, int broker_port, MenddOptions o)
    : dir_(dir.path()),
      config_(dir.file("mend.toml")),
      db_(dir.file("state/mend.db")),
      log_(dir.file("mendd.log")),
      http_port_(free_port()),
      tls_port_(o.lan_tls ? free_port() : 0) {
  const auto http_section = [this](bool lan) {
    const std::string ui = "ui_dir = \"" MEND_SOURCE_DIR "/web/ui/dist\"\n";
    if (!lan) return "listen = \"127.0.0.1\"\nport = " + std::to_string(http_port_) + "\n" + ui;
    return "listen = \"0.0.0.0\"\nport = " + std::to_string(tls_port_) +
           "\nlocal_port = " + std::to_string(http_port_) + "\n" + ui;
  };
  std::string toml =
      "[venue]\nid = \"" + o.venue +
      "\"\n\n[mqtt]\nhost = \"127.0.0.1\"\nport = " + std::to_string(broker_port) +
      "\nclient_id = \"mendd-" + o.venue +
      "\"\nreconnect_min = \"100ms\"\nreconnect_max = \"1s\"\n\n[store]\npath = \"" + db_ +
      "\"\ncommit_interval = \"" + o.commit_interval + "\"\n" + o.store + "\n\n[http]\n" +
      http_section(o.lan_tls) + "\n[log]\nlevel = \"info\"\n\n" +
      (o.detect_block.empty() ? "[detect]\n" + o.detect + "\n" + o.extra + "\n" : o.detect_block);
  write_file(config_, toml);
}

Mendd::~Mendd() {
  if (proc_) proc_->kill_now();
}

bool Mendd::start_and_wait(std::chrono::milliseconds timeout) {
  proc_ = std::make_unique<Process>(std::vector<std::string>{mendd_binary(), "--config", config_},
                                    log_);
  return wait_until(
      [this] { return proc_->running() && http(http_port_, "GET", "/readyz").status == 200; },
      timeout, 25ms);
}

void Mendd::start() {
  if (!start_and_wait(20s)) {
    throw std::runtime_error("mendd did not become ready:\n" + log());
  }
}

const std::string& Mendd::token() {
  if (token_.empty()) {
    std::string out = run_capture({mendctl_binary(), "token", "create", "--label", "tests",
                                   "--role", "manager", "--store", db_});
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    token_ = out;
  }
  return token_;
}

HttpResult Mendd::api(const std::string& method, const std::string& target, const std::string& body,
                      std::map<std::string, std::string> headers) {
  headers.emplace("Authorization", "Bearer " + token());
  return http(http_port_, method, target, body, headers);
}

void Mendd::stop() {
  if (!proc_) return;
  proc_->signal(SIGTERM);
  if (!proc_->wait(20s)) proc_->kill_now();
}

void Mendd::kill9() {
  if (proc_) proc_->kill_now();
}

void sql_write(const std::string& db, const std::string& statements) {
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    throw std::runtime_error("cannot open " + db);
  }
  char* err = nullptr;
  const int rc = sqlite3_exec(h, statements.c_str(), nullptr, nullptr, &err);
  const std::string why = err != nullptr ? err : "";
  sqlite3_free(err);
  sqlite3_close(h);
  if (rc != SQLITE_OK) throw std::runtime_error("sql: " + why);
}

std::vector<std::string> sql(const std::string& db, const std::string& query) {
  sqlite3* h = nullptr;
  std::vector<std::string> rows;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    throw std::runtime_error("cannot open " + db);
  }
  sqlite3_busy_timeout(h, 5000);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(h, query.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    std::string err = sqlite3_errmsg(h);
    sqlite3_close(h);
    throw std::runtime_error("sql: " + err);
  }
  while (sqlite3_step(st) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(st, 0);
    rows.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return rows;
}

}  // namespace mend::test
