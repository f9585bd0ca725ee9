// The one UTF-8 validator (RFC 3629) the codec, the JSON parser and the router share.
#include "core/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mend {
namespace {

constexpr std::size_t kNpos = std::string_view::npos;

TEST(Utf8, AcceptsAsciiAndEveryLengthOfSequence) {
  EXPECT_TRUE(is_utf8(""));
  EXPECT_TRUE(is_utf8("table T12"));
  EXPECT_TRUE(is_utf8("caf\xC3\xA9"));                       // U+00E9, 2 bytes
  EXPECT_TRUE(is_utf8("\xE2\x82\xAC"));                      // U+20AC, 3 bytes
  EXPECT_TRUE(is_utf8("\xF0\x9F\x8D\x95"));                  // U+1F355, 4 bytes
  EXPECT_TRUE(is_utf8("\xC2\x80\xDF\xBF"));                  // U+0080 and U+07FF, the 2-byte ends
  EXPECT_TRUE(is_utf8("\xE0\xA0\x80\xEF\xBF\xBF"));          // U+0800 and U+FFFF
  EXPECT_TRUE(is_utf8("\xED\x9F\xBF\xEE\x80\x80"));          // U+D7FF and U+E000, around surrogates
  EXPECT_TRUE(is_utf8("\xF0\x90\x80\x80\xF4\x8F\xBF\xBF"));  // U+10000 and U+10FFFF
}

TEST(Utf8, RefusesOverlongForms) {
  EXPECT_EQ(first_invalid_utf8("a\xC0\xAF"), 1u);  // '/' in two bytes
  EXPECT_EQ(first_invalid_utf8("\xC1\xBF"), 0u);
  EXPECT_EQ(first_invalid_utf8("\xE0\x9F\xBF"), 0u);      // U+07FF in three bytes
  EXPECT_EQ(first_invalid_utf8("\xF0\x8F\xBF\xBF"), 0u);  // U+FFFF in four bytes
}

TEST(Utf8, RefusesSurrogates) {
  EXPECT_EQ(first_invalid_utf8("\xED\xA0\x80"), 0u);    // U+D800
  EXPECT_EQ(first_invalid_utf8("ok\xED\xBF\xBF"), 2u);  // U+DFFF
}

TEST(Utf8, RefusesCodePointsPastTheLast) {
  EXPECT_EQ(first_invalid_utf8("\xF4\x90\x80\x80"), 0u);  // U+110000
  EXPECT_EQ(first_invalid_utf8("\xF5\x80\x80\x80"), 0u);
  EXPECT_EQ(first_invalid_utf8("\xFF"), 0u);
}

TEST(Utf8, RefusesStrayAndMissingContinuationBytes) {
  EXPECT_EQ(first_invalid_utf8("ab\x80"), 2u);
  EXPECT_EQ(first_invalid_utf8("\xC3"), 0u);  // cut short by the end
  EXPECT_EQ(first_invalid_utf8("\xE2\x82"), 0u);
  EXPECT_EQ(first_invalid_utf8("x\xE2\x28\xA1"), 1u);            // second byte not a continuation
  EXPECT_EQ(first_invalid_utf8("\xF0\x9F\x8D\x28"), 0u);         // fourth byte not a continuation
  EXPECT_EQ(first_invalid_utf8(std::string("a\0b", 3)), kNpos);  // NUL is ASCII
}

TEST(Utf8, SequenceLengthAtAPosition) {
  const std::string s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x8D\x95\x80";
  EXPECT_EQ(utf8_sequence_length(s, 0), 1u);
  EXPECT_EQ(utf8_sequence_length(s, 1), 2u);
  EXPECT_EQ(utf8_sequence_length(s, 3), 3u);
  EXPECT_EQ(utf8_sequence_length(s, 6), 4u);
  EXPECT_EQ(utf8_sequence_length(s, 10), 0u);
  EXPECT_EQ(utf8_sequence_length(s, 2), 0u);  // inside a sequence
}

TEST(Utf8, LengthCountsCodePoints) {
  EXPECT_EQ(utf8_length(""), 0u);
  EXPECT_EQ(utf8_length("abc"), 3u);
  EXPECT_EQ(utf8_length("caf\xC3\xA9 \xF0\x9F\x8D\x95"), 6u);
}

TEST(Utf8, AppendEncodesEachLengthAndRoundTrips) {
  for (const char32_t cp : {U'A', U'\u00E9', U'\u07FF', U'\u0800', U'\u20AC', U'\uFFFF',
                            U'\U00010000', U'\U0001F355', U'\U0010FFFF'}) {
    std::string out;
    append_utf8(out, cp);
    EXPECT_TRUE(is_utf8(out)) << static_cast<unsigned>(cp);
    EXPECT_EQ(utf8_sequence_length(out, 0), out.size());
  }
  std::string euro;
  append_utf8(euro, U'\u20AC');
  EXPECT_EQ(euro, "\xE2\x82\xAC");
}

}  // namespace
}  // namespace mend
