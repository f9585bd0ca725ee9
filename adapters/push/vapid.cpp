#include "adapters/push/vapid.hpp"

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/pem.h>

#include <stdexcept>
#include <system_error>

#include "adapters/push/crypto.hpp"
#include "adapters/tls/device_certificate.hpp"
#include "core/json.hpp"
#include "core/push.hpp"

namespace mend::push {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kMaxJwtLifetime = std::int64_t{24} * 3600;  // RFC 8292 section 2
constexpr std::size_t kScalar = 32;

template <class T>
using Ptr = tls::OpenSslPtr<T>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());  // NOLINT
}

// ES256 signs with ECDSA over SHA-256; JWS (RFC 7518 section 3.4) writes the signature as
// r || s, 32 bytes each, where OpenSSL speaks DER.
std::string der_to_raw(std::string_view der) {
  const unsigned char* p = bytes(der);
  Ptr<ECDSA_SIG> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) crypto::fail("cannot read an ECDSA signature");
  std::string out(2 * kScalar, '\0');
  auto* raw = reinterpret_cast<unsigned char*>(out.data());  // NOLINT
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw, kScalar) != kScalar ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw + kScalar, kScalar) != kScalar) {
    crypto::fail("an ECDSA signature out of range");
  }
  return out;
}

std::optional<std::string> raw_to_der(std::string_view raw) {
  if (raw.size() != 2 * kScalar) return std::nullopt;
  Ptr<ECDSA_SIG> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes(raw), kScalar, nullptr);
  BIGNUM* s = BN_bin2bn(bytes(raw) + kScalar, kScalar, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  const int n = i2d_ECDSA_SIG(sig.get(), &der);
  if (n <= 0) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));  // NOLINT
  OPENSSL_free(der);
  return out;
}

std::string sign_sha256(EVP_PKEY* key, std::string_view data) {
  Ptr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  std::size_t n = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) <= 0 ||
      EVP_DigestSign(ctx.get(), nullptr, &n, bytes(data), data.size()) <= 0) {
    crypto::fail("cannot sign");
  }
  std::string der(n, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &n,  // NOLINT
                     bytes(data), data.size()) <= 0) {
    crypto::fail("cannot sign");
  }
  der.resize(n);
  return der_to_raw(der);
}

bool verify_sha256(EVP_PKEY* key, std::string_view data, std::string_view raw_sig) {
  const auto der = raw_to_der(raw_sig);
  if (!der) return false;
  Ptr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) <= 0) {
    crypto::fail("cannot verify");
  }
  return EVP_DigestVerify(ctx.get(), bytes(*der), der->size(), bytes(data), data.size()) == 1;
}

}  // namespace

VapidKey::VapidKey(EVP_PKEY* key) : key_(key), public_raw_(crypto::raw_public_key(key)) {}

VapidKey::VapidKey(VapidKey&& o) noexcept
    : key_(std::exchange(o.key_, nullptr)), public_raw_(std::move(o.public_raw_)) {}

VapidKey& VapidKey::operator=(VapidKey&& o) noexcept {
  if (this != &o) {
    EVP_PKEY_free(key_);
    key_ = std::exchange(o.key_, nullptr);
    public_raw_ = std::move(o.public_raw_);
  }
  return *this;
}

VapidKey::~VapidKey() { EVP_PKEY_free(key_); }

VapidKey VapidKey::generate() { return VapidKey(crypto::generate_p256().release()); }

VapidKey VapidKey::from_pem(std::string_view pem) {
  Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) crypto::fail("out of memory");
  crypto::Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key || !crypto::is_p256(key.get())) {
    throw std::runtime_error("push: not a P-256 private key (PEM)");
  }
  return VapidKey(key.release());
}

VapidKey VapidKey::load_or_create(const fs::path& dir, bool* created) {
  const fs::path file = dir / kVapidKeyFile;
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_all);
  }
  if (created != nullptr) *created = false;
  if (fs::exists(file)) {
    try {
      return from_pem(tls::read_file(file));
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(file.string() + ": " + e.what() +
                               "; restore it, or remove it to make a new key (every phone must "
                               "then turn alerts on again)");
    }
  }
  VapidKey key = generate();
  tls::write_file_atomically(file, key.private_key_pem(), 0600);
  if (created != nullptr) *created = true;
  return key;
}

std::string VapidKey::public_key_base64url() const { return base64url_encode(public_raw_); }

std::string VapidKey::private_key_pem() const {
  Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    crypto::fail("cannot write the VAPID key");
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string VapidKey::sign_jwt(std::string_view audience, std::int64_t expires,
                               std::string_view subject) const {
  json::Object claims;
  claims.append("aud", audience);
  claims.append("exp", expires);
  if (!subject.empty()) claims.append("sub", subject);
  const std::string signing_input = base64url_encode(R"({"typ":"JWT","alg":"ES256"})") + "." +
                                    base64url_encode(json::dump(json::Value(std::move(claims))));
  return signing_input + "." + base64url_encode(sign_sha256(key_, signing_input));
}

std::string VapidKey::authorization(std::string_view origin, std::int64_t expires,
                                    std::string_view subject) const {
  return "vapid t=" + sign_jwt(origin, expires, subject) + ", k=" + public_key_base64url();
}

JwtCheck verify_vapid_jwt(std::string_view jwt, std::string_view public_key,
                          std::string_view audience, std::int64_t now_s) {
  const auto dot1 = jwt.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : jwt.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return {std::nullopt, "not three dot-separated parts"};
  const auto header = base64url_decode(jwt.substr(0, dot1));
  const auto claims = base64url_decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1));
  const auto sig = base64url_decode(jwt.substr(dot2 + 1));
  if (!header || !claims || !sig) return {std::nullopt, "a part is not base64url"};
  const crypto::Pkey key = crypto::public_key_from_raw(public_key);
  if (!key) return {std::nullopt, "the public key is not a P-256 point"};
  if (!verify_sha256(key.get(), jwt.substr(0, dot2), *sig)) {
    return {std::nullopt, "the ES256 signature does not verify"};
  }
  const auto h = json::parse(*header);
  const json::Value* alg = h ? h.value->get("alg") : nullptr;
  if (alg == nullptr || alg->as_string() == nullptr || *alg->as_string() != "ES256") {
    return {std::nullopt, "the header's alg is not ES256"};
  }
  const auto c = json::parse(*claims);
  if (!c || !c.value->is_object()) return {std::nullopt, "the claims are not a JSON object"};
  const json::Value* aud = c.value->get("aud");
  if (aud == nullptr || aud->as_string() == nullptr || *aud->as_string() != audience) {
    return {std::nullopt, "aud is not the push service's origin"};
  }
  const json::Value* exp = c.value->get("exp");
  const auto e = exp != nullptr ? exp->as_int() : std::nullopt;
  if (!e || *e <= now_s || *e > now_s + kMaxJwtLifetime) {
    return {std::nullopt, "exp is not in the next 24 hours"};
  }
  return {*claims, {}};
}

}  // namespace mend::push
