#include "adapters/tls/device_certificate.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "adapters/tls/openssl.hpp"

namespace mend::tls {

namespace fs = std::filesystem;

namespace {

template <class T>
using Ptr = OpenSslPtr<T>;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("tls: " + what + ": " + openssl_error());
}

Ptr<BIO> memory_bio(std::string_view data) {
  Ptr<BIO> bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  if (!bio) fail("out of memory");
  return bio;
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

Ptr<X509> parse_certificate(std::string_view pem, const std::string& where) {
  ERR_clear_error();
  auto bio = memory_bio(pem);
  Ptr<X509> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) fail(where + " is not a PEM certificate (damaged?)");
  return cert;
}

void sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

bool is_dns_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

void add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  Ptr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext) fail("bad certificate extension '" + value + "'");
  if (X509_add_ext(cert, ext.get(), -1) != 1) fail("cannot add extension '" + value + "'");
}

void generate(const fs::path& cert_path, const fs::path& key_path,
              const CertificateRequest& request) {
  if (request.names.empty()) throw std::runtime_error("tls: the certificate needs a name");
  std::string san;
  for (const auto& name : request.names) {
    if (!is_dns_name(name)) throw std::runtime_error("tls: '" + name + "' is not a host name");
    san += (san.empty() ? "DNS:" : ",DNS:") + name;
  }
  for (const auto& ip : request.ips) {
    if (ip.find_first_of(", ") != std::string::npos) {
      throw std::runtime_error("tls: '" + ip + "' is not an IP address");
    }
    san += ",IP:" + ip;
  }

  ERR_clear_error();
  Ptr<EVP_PKEY> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) fail("cannot make an EC P-256 key");

  Ptr<X509> cert(X509_new());
  if (!cert) fail("out of memory");
  X509_set_version(cert.get(), 2);  // v3, for the extensions
  // A random positive 127-bit serial: browsers refuse two certificates with the same issuer
  // and serial, which a box that was reset and made a new one would otherwise present.
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) fail("no randomness for the serial");
  serial[0] &= 0x7f;
  Ptr<BIGNUM> bn(BN_bin2bn(serial, sizeof serial, nullptr));
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()))) fail("serial");
  // Valid from an hour ago: a tablet whose clock is a little behind must not see a
  // certificate from the future.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_time_adj_ex(X509_getm_notAfter(cert.get()), request.validity_days, 0, nullptr);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string& cn = request.names.front();
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                 0) != 1) {
    fail("bad common name '" + cn + "'");
  }
  X509_set_issuer_name(cert.get(), name);
  // A server certificate, not a CA: browsers refuse a CA certificate presented by a server.
  add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), NID_ext_key_usage, "serverAuth");
  add_extension(cert.get(), NID_subject_key_identifier, "hash");
  add_extension(cert.get(), NID_subject_alt_name, san);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) fail("cannot sign the certificate");

  Ptr<BIO> key_bio(BIO_new(BIO_s_mem()));
  Ptr<BIO> cert_bio(BIO_new(BIO_s_mem()));
  if (!key_bio || !cert_bio ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1 ||
      PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1) {
    fail("cannot encode the key and certificate");
  }
  // The key first: a crash between the two leaves a key without a certificate, which the next
  // start reports, rather than a certificate whose key is lost.
  write_file_atomically(key_path, bio_contents(key_bio.get()), 0600);
  write_file_atomically(cert_path, bio_contents(cert_bio.get()), 0644);
  sync_directory(key_path.parent_path());
}

void check(const fs::path& cert_path, const fs::path& key_path) {
  const std::string cert_pem = read_file(cert_path);
  const std::string key_pem = read_file(key_path);
  auto cert = parse_certificate(cert_pem, cert_path.string());
  ERR_clear_error();
  auto bio = memory_bio(key_pem);
  Ptr<EVP_PKEY> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) fail(key_path.string() + " is not a PEM private key (damaged?)");
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    fail(key_path.string() + " is not the key of " + cert_path.string());
  }
}

}  // namespace

void write_file_atomically(const fs::path& path, std::string_view data, unsigned mode) {
  const fs::path tmp = path.string() + ".tmp";
  fs::remove(tmp);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    throw std::runtime_error("tls: cannot create " + tmp.string() + ": " + std::strerror(errno));
  }
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      throw std::runtime_error("tls: cannot write " + tmp.string() + ": " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  // The umask may have narrowed `mode`; the key must be exactly 0600, the certificate 0644.
  if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    throw std::runtime_error("tls: cannot finish " + tmp.string() + ": " + std::strerror(err));
  }
  ::close(fd);
  fs::rename(tmp, path);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("tls: cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) throw std::runtime_error("tls: cannot read " + path.string());
  return out.str();
}

DeviceCertificate ensure_device_certificate(const fs::path& dir,
                                            const CertificateRequest& request) {
  DeviceCertificate result{dir / kCertificateFile, dir / kPrivateKeyFile, false};
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_all);
  }
  const bool have_cert = fs::exists(result.certificate);
  const bool have_key = fs::exists(result.private_key);
  if (have_cert != have_key) {
    const fs::path& present = have_cert ? result.certificate : result.private_key;
    const fs::path& missing = have_cert ? result.private_key : result.certificate;
    throw std::runtime_error("tls: " + present.string() + " exists but " + missing.string() +
                             " is missing; restore it, or remove " + present.string() +
                             " to make a new certificate (every tablet must then trust the new "
                             "one)");
  }
  if (!have_cert) {
    generate(result.certificate, result.private_key, request);
    result.created = true;
  }
  check(result.certificate, result.private_key);
  return result;
}

std::string certificate_fingerprint_sha256(std::string_view pem) {
  auto cert = parse_certificate(pem, "the text");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (X509_digest(cert.get(), EVP_sha256(), digest, &n) != 1) fail("cannot hash the certificate");
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    if (i > 0) out += ':';
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace mend::tls
