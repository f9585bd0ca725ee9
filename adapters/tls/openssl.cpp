#include "adapters/tls/openssl.hpp"

#include <openssl/err.h>

#include <array>

namespace mend::tls {

std::string openssl_error() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    std::array<char, 256> buf{};
    ERR_error_string_n(e, buf.data(), buf.size());
    if (!out.empty()) out += "; ";
    out += buf.data();
  }
  return out.empty() ? "no detail from OpenSSL" : out;
}

}  // namespace mend::tls
