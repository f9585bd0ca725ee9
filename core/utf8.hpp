// UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates (U+D800..U+DFFF), nothing
// past U+10FFFF. The codec checks whole payloads with it, the JSON parser its strings and the
// router its decoded paths and queries, so all three refuse exactly the same bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mend {

// The length of the well-formed sequence that starts at s[pos] (1 for ASCII), or 0 when the
// bytes there are not one (a stray continuation byte, an overlong form, a surrogate, a code
// point past U+10FFFF, a sequence cut short by the end of `s`). pos must be < s.size().
std::size_t utf8_sequence_length(std::string_view s, std::size_t pos);

// The offset of the first byte that does not start a well-formed sequence; npos when all of
// `s` is well-formed.
std::size_t first_invalid_utf8(std::string_view s);

inline bool is_utf8(std::string_view s) { return first_invalid_utf8(s) == std::string_view::npos; }

// Code points in `s`, counting lead bytes only: meant for text already checked.
std::size_t utf8_length(std::string_view s);
// The longest prefix of `s` of at most `bytes` bytes that ends at a character boundary.
std::string_view utf8_prefix(std::string_view s, std::size_t bytes);

// Appends the encoding of a code point (<= U+10FFFF; the caller has ruled out surrogates).
void append_utf8(std::string& out, char32_t cp);

}  // namespace mend
