// The box's own TLS certificate, so that the tablet UI is a secure context on the venue's LAN
// without a public CA or internet: made once at first start, kept in the state directory,
// installed on each tablet as a trusted certificate (`mendctl cert export`), and checked by
// its fingerprint (`mendctl cert fingerprint`). Regenerating it would break every tablet that
// trusts it, so existing files are always loaded, never replaced; a damaged one is an error
// for a person to look at.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mend::tls {

inline constexpr std::string_view kCertificateFile = "device-cert.pem";
inline constexpr std::string_view kPrivateKeyFile = "device-key.pem";

struct DeviceCertificate {
  std::filesystem::path certificate;  // PEM, mode 0644
  std::filesystem::path private_key;  // PEM (PKCS#8), mode 0600
  bool created = false;               // made just now rather than loaded
};

struct CertificateRequest {
  // The first is the CN; every name is a DNS SAN. The box's hostname and hostname.local.
  std::vector<std::string> names;
  // IP SANs: the box's LAN addresses, so a tablet can also use https://<ip>:port.
  std::vector<std::string> ips;
  int validity_days = 3650;
};

// Loads `dir`/device-cert.pem and device-key.pem when both exist (checking that they parse and
// belong together), or makes both when neither does: an EC P-256 key and a self-signed X.509
// v3 certificate for `request`. `dir` is created (0700) if missing. Throws std::runtime_error
// naming the file and what is wrong: one file without the other, a file that does not parse,
// a key that does not match the certificate, a name or IP that is not valid.
DeviceCertificate ensure_device_certificate(const std::filesystem::path& dir,
                                            const CertificateRequest& request);

// The SHA-256 of the first certificate's DER in `pem`, as "AB:CD:...": what a browser shows
// and what an installer compares on a tablet. Throws std::runtime_error when `pem` holds none.
std::string certificate_fingerprint_sha256(std::string_view pem);

// Writes `data` to `path` through a temporary file and a rename, so a crash leaves either
// nothing or the whole file, with exactly `mode` (whatever the umask); fsynced, because a box
// loses power without warning. Throws std::runtime_error naming the file.
void write_file_atomically(const std::filesystem::path& path, std::string_view data, unsigned mode);

// Reads a whole file; throws std::runtime_error naming it when it cannot.
std::string read_file(const std::filesystem::path& path);

}  // namespace mend::tls
