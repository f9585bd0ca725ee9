#include "firmware-host/mendctl/guest_commands.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <string>

#include "core/json.hpp"
#include "firmware-host/mendctl/auth_commands.hpp"
#include "firmware-host/mendctl/options.hpp"

namespace mend::mendctl {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

constexpr auto kTimeout = std::chrono::seconds(60);  // an erasure rewrites rows: give it time
constexpr std::uint64_t kMaxBody = std::uint64_t{256} << 20U;  // an export of a busy regular

using Args = std::span<const std::string_view>;

// Percent-encodes all but the characters a path segment may hold as they are.
std::string path_segment(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      out += '%';
      out += kHex[c >> 4U];
      out += kHex[c & 15U];
    }
  }
  return out;
}

// mendd's plain-HTTP port on this box.
int local_port(const Config& c) {
  if (c.http.local_port > 0) return c.http.local_port;
  if (c.http.listen == "127.0.0.1" || c.http.listen == "::1" || c.http.listen == "localhost") {
    return c.http.port;
  }
  throw std::runtime_error(
      "mendd has no plain-HTTP listener on this box: set http.local_port in the config (the "
      "sample uses 8080) and restart mendd");
}

struct Answer {
  int status = 0;
  std::string body;
};

Answer request(int port, http::verb verb, const std::string& target, const std::string& secret) {
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(kTimeout);
  tcp::resolver resolver(io);
  try {
    stream.connect(resolver.resolve("127.0.0.1", std::to_string(port)));
  } catch (const std::exception&) {
    throw std::runtime_error("mendd does not answer on 127.0.0.1:" + std::to_string(port) +
                             ": is it running? (systemctl status mendd)");
  }
  http::request<http::string_body> req(verb, target, 11);
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::authorization, "Bearer " + secret);
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxBody);
  http::read(stream, buffer, parser);
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return Answer{static_cast<int>(parser.get().result_int()), parser.get().body()};
}

// The API's {"error":{"message":...}}, or the body as it is.
std::string message_of(const Answer& a) {
  if (auto v = json::parse(a.body); v.value) {
    if (const json::Value* e = v.value->get("error")) {
      if (const json::Value* m = e->get("message"); m != nullptr && m->as_string() != nullptr) {
        return *m->as_string();
      }
    }
  }
  return a.body;
}

int failed(const Answer& a) {
  std::cerr << "mendctl: mendd said " << a.status << ": " << message_of(a) << '\n';
  return kExitFailed;
}

}  // namespace

int guest_export(Args args) {
  const Parsed p = parse(args, {"--config", "--out"});
  if (!p.error.empty()) return usage_error(p.error);
  if (p.positional.size() != 1) return usage_error("guest export takes one customer ID");
  const std::string id = p.positional[0];
  return with_api_token(p, auth::Role::kManager, "mendctl guest export",
                        [&](const std::string& secret, const Config& c) {
                          const Answer a =
                              request(local_port(c), http::verb::get,
                                      "/api/v1/guests/" + path_segment(id) + "/export", secret);
                          if (a.status != 200) return failed(a);
                          if (auto out = p.flags.find("out"); out != p.flags.end()) {
                            std::ofstream f(out->second, std::ios::binary | std::ios::trunc);
                            f << a.body << '\n';
                            if (!f.flush()) {
                              std::cerr << "mendctl: cannot write " << out->second << '\n';
                              return kExitFailed;
                            }
                            std::cerr << "guest " << id << ": written to " << out->second << '\n';
                          } else {
                            std::cout << a.body << '\n';
                          }
                          return kExitOk;
                        });
}

int guest_erase(Args args) {
  const Parsed p = parse(args, {"--config", "--confirm"});
  if (!p.error.empty()) return usage_error(p.error);
  if (p.positional.size() != 1) return usage_error("guest erase takes one customer ID");
  if (p.flag_or("confirm", "") != "yes") {
    return usage_error(
        "erasing a guest cannot be undone: run it again with --confirm yes to go ahead");
  }
  const std::string id = p.positional[0];
  return with_api_token(
      p, auth::Role::kAdmin, "mendctl guest erase",
      [&](const std::string& secret, const Config& c) {
        const Answer a = request(local_port(c), http::verb::delete_,
                                 "/api/v1/guests/" + path_segment(id), secret);
        if (a.status != 200) return failed(a);
        const auto v = json::parse(a.body);
        const json::Value* ref = v.value ? v.value->get("ref") : nullptr;
        const json::Value* pseudonym = v.value ? v.value->get("pseudonym") : nullptr;
        std::cout << "guest " << id << " erased: the profile is gone; their events and cases now "
                  << "say " << (pseudonym && pseudonym->as_string() ? *pseudonym->as_string() : "?")
                  << " (audit: " << (ref && ref->as_string() ? *ref->as_string() : "?") << ")\n";
        return kExitOk;
      });
}

}  // namespace mend::mendctl
