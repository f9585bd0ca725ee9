#include "adapters/mqtt/connection_cut.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstdlib>

namespace mend {
namespace {

std::optional<std::string> format(const sockaddr_storage& a) {
  std::array<char, INET6_ADDRSTRLEN> host{};
  int port = 0;
  if (a.ss_family == AF_INET) {
    sockaddr_in in{};
    std::copy_n(reinterpret_cast<const char*>(&a), sizeof in, reinterpret_cast<char*>(&in));
    if (::inet_ntop(AF_INET, &in.sin_addr, host.data(), host.size()) == nullptr) return {};
    port = ntohs(in.sin_port);
  } else if (a.ss_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::copy_n(reinterpret_cast<const char*>(&a), sizeof in6, reinterpret_cast<char*>(&in6));
    if (::inet_ntop(AF_INET6, &in6.sin6_addr, host.data(), host.size()) == nullptr) return {};
    port = ntohs(in6.sin6_port);
  } else {
    return {};
  }
  return std::string(host.data()) + ":" + std::to_string(port);
}

struct Found {
  int fd;
  TcpEnds ends;
  int peer_port;
};

std::optional<Found> describe_fd(int fd) {
  int type = 0;
  socklen_t len = sizeof type;
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) return {};
  sockaddr_storage local{};
  sockaddr_storage peer{};
  socklen_t llen = sizeof local;
  socklen_t plen = sizeof peer;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen) != 0 ||
      ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &plen) != 0) {
    return {};
  }
  auto l = format(local);
  auto p = format(peer);
  if (!l || !p) return {};
  const int peer_port = std::atoi(p->substr(p->rfind(':') + 1).c_str());
  return Found{fd, TcpEnds{std::move(*l), std::move(*p)}, peer_port};
}

template <typename Visit>
void each_socket(Visit visit) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    const int fd = std::atoi(e->d_name);
    if (fd == ::dirfd(dir)) continue;
    if (auto f = describe_fd(fd)) {
      if (!visit(*f)) break;
    }
  }
  ::closedir(dir);
}

}  // namespace

std::vector<TcpEnds> tcp_connections_to(int port) {
  std::vector<TcpEnds> out;
  each_socket([&](const Found& f) {
    if (f.peer_port == port) out.push_back(f.ends);
    return true;
  });
  return out;
}

std::optional<TcpEnds> new_connection(const std::vector<TcpEnds>& before,
                                      const std::vector<TcpEnds>& after) {
  std::optional<TcpEnds> found;
  for (const auto& a : after) {
    if (std::find(before.begin(), before.end(), a) != before.end()) continue;
    if (found) return std::nullopt;  // two new ones: which is ours cannot be told
    found = a;
  }
  return found;
}

bool shut_down_connection(const TcpEnds& ends) {
  bool done = false;
  each_socket([&](const Found& f) {
    if (f.ends != ends) return true;
    done = ::shutdown(f.fd, SHUT_RDWR) == 0;
    return false;
  });
  return done;
}

}  // namespace mend
