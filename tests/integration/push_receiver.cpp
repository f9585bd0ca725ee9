#include "tests/integration/push_receiver.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace mend::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

PushReceiver::PushReceiver()
    : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  port_ = acceptor_.local_endpoint().port();
  thread_ = std::thread([this] { serve(); });
}

PushReceiver::~PushReceiver() {
  stop_ = true;
  // Wakes the blocking accept.
  boost::system::error_code ec;
  tcp::socket poke(io_);
  poke.connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_)), ec);
  thread_.join();
}

void PushReceiver::script(const std::string& target, std::vector<int> statuses) {
  std::lock_guard lock(mu_);
  auto& q = script_[target];
  q.insert(q.end(), statuses.begin(), statuses.end());
}

std::vector<PushReceiver::Request> PushReceiver::received() {
  std::lock_guard lock(mu_);
  return received_;
}

void PushReceiver::serve() {
  while (!stop_) {
    tcp::socket socket(io_);
    boost::system::error_code ec;
    acceptor_.accept(socket, ec);
    if (stop_) return;
    if (ec) continue;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    http::read(socket, buffer, req, ec);
    if (ec) continue;
    Request r;
    r.target = std::string(req.target());
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string(field.value());
    }
    r.body = req.body();
    r.answered = 201;
    {
      std::lock_guard lock(mu_);
      auto& q = script_[r.target];
      if (!q.empty()) {
        r.answered = q.front();
        q.pop_front();
      }
      received_.push_back(r);
    }
    http::response<http::empty_body> res{static_cast<http::status>(r.answered), 11};
    res.keep_alive(false);
    res.prepare_payload();
    http::write(socket, res, ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
  }
}

}  // namespace mend::test
