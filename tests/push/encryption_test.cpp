// Web Push's cryptography against the standards' own material: RFC 8291 Appendix A's test
// vector, byte for byte, in both directions; and the VAPID JWT (RFC 8292) checked the way a
// push service checks it. No network, no clock: times are literals.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "adapters/push/crypto.hpp"
#include "adapters/push/message_encryption.hpp"
#include "adapters/push/vapid.hpp"
#include "core/json.hpp"
#include "core/push.hpp"

namespace mend::push {
namespace {

namespace fs = std::filesystem;

// RFC 8291 Appendix A.
const std::string kPlaintext = "When I grow up, I want to be a watermelon";
const std::string kAsPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
const std::string kAsPublic =
    "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
const std::string kUaPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
const std::string kUaPublic =
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
const std::string kAuth = "BTBZMqHH6r4Tts7J_aSIgg";
const std::string kSalt = "DGv6ra1nlYgDCS1FRnbzlw";
const std::string kBody =
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6"
    "TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulc"
    "y4a-fN";

std::string b64(const std::string& s) { return base64url_decode(s).value(); }

TEST(Rfc8291, EncryptsTheAppendixAVectorByteForByte) {
  const FixedEphemeral fixed{b64(kAsPrivate), b64(kAsPublic), b64(kSalt)};
  EXPECT_EQ(base64url_encode(encrypt(kPlaintext, b64(kUaPublic), b64(kAuth), &fixed)), kBody);
}

TEST(Rfc8291, DecryptsTheAppendixAVector) {
  const auto ua = crypto::key_pair_from_raw(b64(kUaPrivate), b64(kUaPublic));
  const Decrypted d = decrypt(b64(kBody), ua.get(), b64(kAuth));
  ASSERT_TRUE(d.plaintext) << d.why;
  EXPECT_EQ(*d.plaintext, kPlaintext);
}

TEST(Rfc8291, AFreshMessageReadsBackOnlyWithTheRightKeys) {
  const auto ua = crypto::generate_p256();
  const std::string auth = crypto::random_bytes(16);
  const std::string body = encrypt("{\"title\":\"x\"}", crypto::raw_public_key(ua.get()), auth);
  EXPECT_LE(body.size(), kRecordSize);
  const std::string again = encrypt("{\"title\":\"x\"}", crypto::raw_public_key(ua.get()), auth);
  EXPECT_NE(body, again) << "a new salt and key for every message";
  EXPECT_EQ(decrypt(body, ua.get(), auth).plaintext, "{\"title\":\"x\"}");

  EXPECT_FALSE(decrypt(body, ua.get(), crypto::random_bytes(16)).plaintext);
  const auto other = crypto::generate_p256();
  EXPECT_FALSE(decrypt(body, other.get(), auth).plaintext);
  std::string altered = body;
  altered.back() = static_cast<char>(altered.back() ^ 1);
  EXPECT_FALSE(decrypt(altered, ua.get(), auth).plaintext);
  EXPECT_FALSE(decrypt(body.substr(0, 40), ua.get(), auth).plaintext);
}

TEST(Rfc8291, TheLargestMessageFitsOneRecordAndOneMoreByteIsRefused) {
  const auto ua = crypto::generate_p256();
  const std::string auth = crypto::random_bytes(16);
  const std::string largest(kMaxPlaintext, 'a');
  const std::string body = encrypt(largest, crypto::raw_public_key(ua.get()), auth);
  EXPECT_EQ(body.size(), kRecordSize);
  EXPECT_EQ(decrypt(body, ua.get(), auth).plaintext, largest);
  EXPECT_THROW(encrypt(largest + "a", crypto::raw_public_key(ua.get()), auth),
               std::invalid_argument);
  EXPECT_THROW(encrypt("x", std::string(65, '\x04'), auth), std::invalid_argument);
}

// ---- VAPID --------------------------------------------------------------------------------

constexpr std::int64_t kNow = 1'790'000'000;
const std::string kOrigin = "https://push.example.net";

TEST(Vapid, TheJwtVerifiesWithThePublicKeyAndSaysAudienceExpiryAndSubject) {
  const VapidKey key = VapidKey::generate();
  ASSERT_EQ(key.public_key().size(), 65u);
  const std::string jwt = key.sign_jwt(kOrigin, kNow + 3600, "mailto:manager@anchor.example");
  const JwtCheck ok = verify_vapid_jwt(jwt, key.public_key(), kOrigin, kNow);
  ASSERT_TRUE(ok.claims) << ok.why;
  const auto claims = json::parse(*ok.claims);
  EXPECT_EQ(*claims.value->get("sub")->as_string(), "mailto:manager@anchor.example");
  EXPECT_EQ(*claims.value->get("exp")->as_int(), kNow + 3600);
  const auto header = json::parse(*base64url_decode(jwt.substr(0, jwt.find('.'))));
  EXPECT_EQ(*header.value->get("alg")->as_string(), "ES256");
  EXPECT_EQ(*header.value->get("typ")->as_string(), "JWT");
  EXPECT_EQ(base64url_decode(jwt.substr(jwt.rfind('.') + 1))->size(), 64u) << "r || s";
}

TEST(Vapid, APushServiceRefusesAnAlteredOrForeignOrStaleToken) {
  const VapidKey key = VapidKey::generate();
  const std::string jwt = key.sign_jwt(kOrigin, kNow + 3600, "");
  EXPECT_FALSE(verify_vapid_jwt(jwt, VapidKey::generate().public_key(), kOrigin, kNow).claims);
  EXPECT_FALSE(verify_vapid_jwt(jwt, key.public_key(), "https://other.example", kNow).claims);
  EXPECT_FALSE(verify_vapid_jwt(jwt, key.public_key(), kOrigin, kNow + 3600).claims) << "expired";
  EXPECT_FALSE(
      verify_vapid_jwt(key.sign_jwt(kOrigin, kNow + 25 * 3600, ""), key.public_key(), kOrigin, kNow)
          .claims)
      << "more than 24 h ahead";
  std::string altered = jwt;
  altered[jwt.find('.') + 3] = altered[jwt.find('.') + 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify_vapid_jwt(altered, key.public_key(), kOrigin, kNow).claims);
  EXPECT_FALSE(verify_vapid_jwt("a.b", key.public_key(), kOrigin, kNow).claims);
}

TEST(Vapid, TheAuthorizationHeaderCarriesTokenAndKey) {
  const VapidKey key = VapidKey::generate();
  const std::string h = key.authorization(kOrigin, kNow + 60, "");
  ASSERT_EQ(h.rfind("vapid t=", 0), 0u);
  const auto comma = h.find(", k=");
  ASSERT_NE(comma, std::string::npos);
  EXPECT_EQ(h.substr(comma + 4), key.public_key_base64url());
  EXPECT_TRUE(verify_vapid_jwt(h.substr(8, comma - 8), key.public_key(), kOrigin, kNow).claims);
}

TEST(Vapid, TheKeyIsMadeOnceKeptPrivateAndLoadedAgain) {
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / ("mend_vapid_" + std::to_string(rd())) / "push";
  bool created = false;
  const VapidKey first = VapidKey::load_or_create(dir, &created);
  EXPECT_TRUE(created);
  struct stat st {};
  ASSERT_EQ(::stat((dir / kVapidKeyFile).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  const VapidKey second = VapidKey::load_or_create(dir, &created);
  EXPECT_FALSE(created);
  EXPECT_EQ(first.public_key(), second.public_key());

  { std::ofstream(dir / kVapidKeyFile) << "-----BEGIN PRIVATE KEY-----\ngarbage\n"; }
  EXPECT_THROW(VapidKey::load_or_create(dir), std::runtime_error) << "never silently replaced";
  fs::remove_all(dir.parent_path());
}

}  // namespace
}  // namespace mend::push
