// A push service for the whole-binary tests: plain HTTP on a free loopback port, on its own
// thread. It records every POST (target, headers, body) and answers each with the next status
// scripted for its target (201 when none is), so a test can play a push service that is busy
// (503), or that says a subscription is gone (410). Decrypting and checking the VAPID token is
// the test's part (adapters/push has both sides).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mend::test {

class PushReceiver {
 public:
  struct Request {
    std::string target;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    int answered = 0;
  };

  PushReceiver();
  ~PushReceiver();
  PushReceiver(const PushReceiver&) = delete;
  PushReceiver& operator=(const PushReceiver&) = delete;

  int port() const { return port_; }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // The next requests to `target` are answered with these statuses, in order.
  void script(const std::string& target, std::vector<int> statuses);
  std::vector<Request> received();

 private:
  void serve();

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::map<std::string, std::deque<int>> script_;
  std::vector<Request> received_;
  std::thread thread_;
};

}  // namespace mend::test
