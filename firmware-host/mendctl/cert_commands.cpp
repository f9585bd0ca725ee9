#include "firmware-host/mendctl/cert_commands.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>

#include "adapters/tls/device_certificate.hpp"

namespace mend::mendctl {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

std::filesystem::path certificate_path(std::string_view dir) {
  return std::filesystem::path(std::string(dir)) / tls::kCertificateFile;
}

}  // namespace

int cert_fingerprint(std::span<const std::string_view> args) {
  if (args.size() > 1) {
    std::cerr << "mendctl: cert fingerprint takes [DIR]\n";
    return kExitUsage;
  }
  try {
    const auto path = certificate_path(args.empty() ? kDefaultTlsDir : args[0]);
    const std::string fingerprint = tls::certificate_fingerprint_sha256(tls::read_file(path));
    std::cout << "SHA256 " << fingerprint << '\n';
    return kExitOk;
  } catch (const std::exception& e) {
    std::cerr << "mendctl: " << e.what() << '\n';
    return kExitFailed;
  }
}

int cert_export(std::span<const std::string_view> args) {
  if (args.empty() || args.size() > 2) {
    std::cerr << "mendctl: cert export takes FILE [DIR]\n";
    return kExitUsage;
  }
  try {
    const auto path = certificate_path(args.size() > 1 ? args[1] : kDefaultTlsDir);
    const std::string pem = tls::read_file(path);
    // Checked before it is handed out: a damaged file would only fail later, on a tablet.
    const std::string fingerprint = tls::certificate_fingerprint_sha256(pem);
    if (args[0] == "-") {
      std::cout << pem;
    } else {
      std::ofstream out(std::string(args[0]), std::ios::binary | std::ios::trunc);
      out << pem;
      out.close();
      if (!out) throw std::runtime_error("cannot write " + std::string(args[0]));
    }
    std::cerr << "SHA256 " << fingerprint << '\n';
    return kExitOk;
  } catch (const std::exception& e) {
    std::cerr << "mendctl: " << e.what() << '\n';
    return kExitFailed;
  }
}

}  // namespace mend::mendctl
