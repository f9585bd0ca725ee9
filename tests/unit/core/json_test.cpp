// The core's JSON: strict RFC 8259 parsing (every MQTT payload goes through it), exact integers,
// the compact writer, and the value semantics of json::Value.
#include "core/json.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace mend::json {
namespace {

Value parsed(std::string_view text) {
  ParseResult r = parse(text);
  EXPECT_TRUE(r) << "refused: " << text << ": " << r.error.message << " at " << r.error.offset;
  return r ? *r.value : Value();
}

// The error of a refused text; fails the test when the text is accepted.
ParseError error_of(std::string_view text, const ParseLimits& limits = {}) {
  ParseResult r = parse(text, limits);
  EXPECT_FALSE(r) << "accepted: " << text << " as " << (r ? dump(*r.value) : "");
  EXPECT_FALSE(r.error.message.empty()) << text;
  return r.error;
}

// --- what is accepted ----------------------------------------------------------------------

TEST(JsonParse, EveryKindOfValue) {
  EXPECT_TRUE(parsed("null").is_null());
  EXPECT_EQ(parsed("true").as_bool(), true);
  EXPECT_EQ(parsed("false").as_bool(), false);
  EXPECT_EQ(parsed("42").as_int(), 42);
  EXPECT_EQ(parsed("-7").as_int(), -7);
  EXPECT_EQ(parsed("2.5").as_double(), 2.5);
  EXPECT_EQ(*parsed(R"("T12")").as_string(), "T12");
  EXPECT_EQ(parsed("[1,2,3]").as_array()->size(), 3u);
  EXPECT_EQ(parsed(R"({"a":1})").as_object()->size(), 1u);
  EXPECT_TRUE(parsed("[]").as_array()->empty());
  EXPECT_TRUE(parsed("{}").as_object()->empty());
}

TEST(JsonParse, WhitespaceAroundAndBetween) {
  const Value v = parsed(" \t\r\n{ \"a\" : [ 1 , 2 ] ,\n\"b\":null } \n");
  EXPECT_EQ(dump(v), R"({"a":[1,2],"b":null})");
}

TEST(JsonParse, ObjectsKeepTheirOrder) {
  const Value v = parsed(R"({"z":1,"a":2,"m":3})");
  std::string keys;
  for (const auto& [k, val] : *v.as_object()) keys += k;
  EXPECT_EQ(keys, "zam");
}

TEST(JsonParse, EscapesAndUnicode) {
  EXPECT_EQ(*parsed(R"("a\"b\\c\/d\be\ff\ng\rh\ti")").as_string(), "a\"b\\c/d\be\ff\ng\rh\ti");
  EXPECT_EQ(*parsed(R"("caf\u00e9")").as_string(), "caf\xC3\xA9");
  EXPECT_EQ(*parsed(R"("\u20AC")").as_string(), "\xE2\x82\xAC");
  EXPECT_EQ(*parsed(R"("\ud83c\udf77")").as_string(), "\xF0\x9F\x8D\xB7");  // a surrogate pair
  EXPECT_EQ(*parsed(R"("\u0000")").as_string(), std::string(1, '\0'));
  EXPECT_EQ(*parsed("\"caf\xC3\xA9 \xF0\x9F\x8D\xB7\"").as_string(),
            "caf\xC3\xA9 \xF0\x9F\x8D\xB7");
}

// --- strictness ------------------------------------------------------------------------------

TEST(JsonStrict, TrailingCommasAreRefused) {
  EXPECT_EQ(error_of(R"({"a":1,})").offset, 7u);
  EXPECT_EQ(error_of("[1,2,]").offset, 5u);
  error_of("[,]");
  error_of(R"({,})");
}

TEST(JsonStrict, LeadingZerosAreRefused) {
  EXPECT_EQ(error_of("01").offset, 1u);
  error_of("-01");
  error_of("00");
  error_of("[007]");
  EXPECT_EQ(parsed("0").as_int(), 0);
  EXPECT_EQ(parsed("-0").as_int(), 0);
  EXPECT_EQ(parsed("0.5").as_double(), 0.5);
}

TEST(JsonStrict, MalformedNumbersAreRefused) {
  for (std::string_view bad :
       {"1.", ".5", "1e", "1e+", "+1", "-", "--1", "0x10", "1.e3", "1_000"}) {
    error_of(bad);
  }
}

TEST(JsonStrict, NanAndInfinityAreRefused) {
  for (std::string_view bad :
       {"NaN", "nan", "Infinity", "-Infinity", "[NaN]", R"({"t":Infinity})"}) {
    error_of(bad);
  }
}

// A number beyond the double range is not silently turned into something else: a temperature
// of 1e400 must not arrive as 0.
TEST(JsonStrict, NumbersBeyondTheDoubleRangeAreRefused) {
  EXPECT_EQ(error_of("1e400").offset, 0u);
  EXPECT_EQ(error_of("[-1e400]").offset, 1u);
}

TEST(JsonStrict, DuplicateKeysAreRefusedAtTheSecondKey) {
  const ParseError e = error_of(R"({"id":"a","id":"b"})");
  EXPECT_EQ(e.offset, 10u);
  EXPECT_NE(e.message.find("id"), std::string::npos) << e.message;
  error_of(R"({"a":{"x":1,"x":1}})");
  // The same key in different objects is fine.
  EXPECT_TRUE(parse(R"({"a":{"x":1},"b":{"x":1}})"));
}

TEST(JsonStrict, LiteralsAreExactAndLowercase) {
  for (std::string_view bad : {"tru", "True", "nul", "nulls", "FALSE", "undefined", "'a'"}) {
    error_of(bad);
  }
}

TEST(JsonStrict, StringsAreStrict) {
  error_of("\"unterminated");
  error_of("\"tab\tinside\"");  // control characters must be escaped
  error_of("\"new\nline\"");
  error_of(std::string("\"nul\0inside\"", 12));
  error_of(R"("\x41")");  // not a JSON escape
  error_of(R"("\u12")");  // short \u escape
  error_of(R"("\u12G4")");
  error_of(R"({'single':1})");
  error_of(R"({a:1})");  // keys are strings
  error_of(R"({1:1})");
}

TEST(JsonStrict, InvalidUtf8IsRefusedWhereItIs) {
  EXPECT_EQ(error_of("\"ab\xC3\x28\"").offset, 3u);        // lead byte without continuation
  EXPECT_EQ(error_of("\"\xC0\xAF\"").offset, 1u);          // overlong '/'
  EXPECT_EQ(error_of("\"\xE0\x80\xAF\"").offset, 1u);      // overlong, 3 bytes
  EXPECT_EQ(error_of("\"\xED\xA0\x80\"").offset, 1u);      // a surrogate as UTF-8
  EXPECT_EQ(error_of("\"\xF4\x90\x80\x80\"").offset, 1u);  // beyond U+10FFFF
  EXPECT_EQ(error_of("\"\xF5\x80\x80\x80\"").offset, 1u);
  EXPECT_EQ(error_of("\"caf\xE9\"").offset, 4u);   // Latin-1
  EXPECT_EQ(error_of("\"\xE2\x82\"").offset, 1u);  // truncated
  EXPECT_EQ(error_of("\"\xFF\"").offset, 1u);
  EXPECT_EQ(error_of("{\"k\xFF\":1}").offset, 3u);   // keys too
  EXPECT_EQ(error_of("\xEF\xBB\xBF{}").offset, 0u);  // a byte order mark is not JSON
}

TEST(JsonStrict, LoneSurrogateEscapesAreRefused) {
  error_of(R"("\ud800")");
  error_of(R"("\udc00")");
  error_of(R"("\ud800x")");
  error_of(R"("\ud800\u0041")");
  error_of(R"("\ud800\ud800")");
  error_of(R"("\udf77\ud83c")");  // the pair the wrong way round
}

TEST(JsonStrict, OneValueOnly) {
  EXPECT_EQ(error_of("").offset, 0u);
  EXPECT_EQ(error_of("   ").offset, 3u);
  EXPECT_EQ(error_of(R"({"a":1} x)").offset, 8u);
  EXPECT_EQ(error_of("1 2").offset, 2u);
  EXPECT_EQ(error_of("{}{}").offset, 2u);
}

TEST(JsonStrict, ErrorOffsetsPointAtTheProblem) {
  EXPECT_EQ(error_of(R"({"a" 1})").offset, 5u);
  EXPECT_EQ(error_of(R"({"a":)").offset, 5u);
  EXPECT_EQ(error_of(R"({"a":1 "b":2})").offset, 7u);
  EXPECT_EQ(error_of(R"([1 2])").offset, 3u);
  EXPECT_EQ(error_of(R"({"a":[1,{"b":tru}]})").offset, 13u);
}

TEST(JsonLimits, DepthIsBounded) {
  const auto nested = [](std::size_t n) { return std::string(n, '[') + std::string(n, ']'); };
  EXPECT_TRUE(parse(nested(32)));
  const ParseError e = error_of(nested(33));
  EXPECT_EQ(e.offset, 32u);
  // Objects count as well as arrays.
  std::string objects;
  for (int i = 0; i < 33; ++i) objects += R"({"a":)";
  objects += "1" + std::string(33, '}');
  error_of(objects);
  // A custom limit, and a hostile input that must not exhaust the stack.
  ParseLimits shallow;
  shallow.max_depth = 2;
  EXPECT_TRUE(parse("[[1]]", shallow));
  error_of("[[[1]]]", shallow);
  ParseLimits roomy;
  roomy.max_bytes = 1 << 20;
  error_of(std::string(500000, '['), roomy);
}

TEST(JsonLimits, SizeIsBounded) {
  const std::string max_string = "\"" + std::string(64 * 1024 - 2, 'x') + "\"";
  ASSERT_EQ(max_string.size(), 64u * 1024);
  EXPECT_TRUE(parse(max_string));
  const ParseError e = error_of(max_string + " ");
  EXPECT_EQ(e.offset, 64u * 1024);
  ParseLimits small;
  small.max_bytes = 8;
  EXPECT_TRUE(parse("[1,2,3]", small));
  error_of("[1,2,3,4]", small);
}

// --- numbers: integers stay exact ---------------------------------------------------------------

TEST(JsonNumbers, IntegersAreExactInt64) {
  EXPECT_EQ(parsed("1795376530123").type(), Type::kInt);
  EXPECT_EQ(parsed("1795376530123").as_int(), 1795376530123);
  EXPECT_EQ(parsed("9223372036854775807").as_int(), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(parsed("-9223372036854775808").as_int(), std::numeric_limits<std::int64_t>::min());
  // One more does not fit: it is a double, not a wrapped integer.
  const Value big = parsed("9223372036854775808");
  EXPECT_EQ(big.type(), Type::kDouble);
  EXPECT_EQ(big.as_int(), std::nullopt);
  EXPECT_EQ(big.as_double(), 9223372036854775808.0);
}

TEST(JsonNumbers, AFractionOrExponentMakesADouble) {
  for (std::string_view text : {"1e3", "1E3", "1.0", "1000.0", "1e+3", "10e2"}) {
    const Value v = parsed(text);
    EXPECT_EQ(v.type(), Type::kDouble) << text;
    EXPECT_EQ(v.as_int(), std::nullopt) << text;
    EXPECT_EQ(v.as_double(), text.substr(0, 3) == "1.0" ? 1.0 : 1000.0) << text;
  }
  EXPECT_EQ(parsed("2.5e-3").as_double(), 0.0025);
  EXPECT_EQ(parsed("-0.0").type(), Type::kDouble);
}

TEST(JsonNumbers, AccessorsMatchTheType) {
  const Value i = 7;
  EXPECT_EQ(i.as_double(), 7.0);  // an int converts
  EXPECT_TRUE(i.is_number());
  EXPECT_EQ(i.as_bool(), std::nullopt);
  EXPECT_EQ(i.as_string(), nullptr);
  const Value s = "7";
  EXPECT_EQ(s.as_int(), std::nullopt);
  EXPECT_EQ(s.as_double(), std::nullopt);
  EXPECT_FALSE(s.is_number());
  EXPECT_EQ(Value(true).as_int(), std::nullopt);
  EXPECT_EQ(Value().as_object(), nullptr);
  EXPECT_EQ(Value(Array{}).as_object(), nullptr);
  EXPECT_EQ(Value(Object{}).as_array(), nullptr);
}

// --- dump -------------------------------------------------------------------------------------

TEST(JsonDump, CompactAndInInsertionOrder) {
  Object o;
  o.append("b", 1);
  o.append("a", Array{Value(true), Value(nullptr), Value("x")});
  o.append("c", Object{});
  EXPECT_EQ(dump(Value(o)), R"({"b":1,"a":[true,null,"x"],"c":{}})");
}

TEST(JsonDump, StringsAreEscaped) {
  EXPECT_EQ(dump(Value("say \"hi\"")), R"("say \"hi\"")");
  EXPECT_EQ(dump(Value("back\\slash")), R"("back\\slash")");
  EXPECT_EQ(dump(Value("a\nb\rc\td\be\ff")), R"("a\nb\rc\td\be\ff")");
  EXPECT_EQ(dump(Value(std::string("\x01\x1f", 2))), R"("\u0001\u001f")");
  EXPECT_EQ(dump(Value(std::string(1, '\0'))), R"("\u0000")");
  // Not escaped: '/', DEL and UTF-8.
  EXPECT_EQ(dump(Value("a/b\x7f")), "\"a/b\x7f\"");
  EXPECT_EQ(dump(Value("caf\xC3\xA9 \xF0\x9F\x8D\xB7")), "\"caf\xC3\xA9 \xF0\x9F\x8D\xB7\"");
  std::string out = "x=";
  append_quoted(out, "\"q\"");
  EXPECT_EQ(out, R"(x="\"q\"")");
}

TEST(JsonDump, NumbersAreExactAndShortest) {
  EXPECT_EQ(dump(Value(std::numeric_limits<std::int64_t>::max())), "9223372036854775807");
  EXPECT_EQ(dump(Value(std::numeric_limits<std::int64_t>::min())), "-9223372036854775808");
  EXPECT_EQ(dump(Value(std::int64_t{1795376530123})), "1795376530123");
  EXPECT_EQ(dump(Value(0.1)), "0.1");
  EXPECT_EQ(dump(Value(-2.5)), "-2.5");
  EXPECT_EQ(dump(Value(0.1 + 0.2)), "0.30000000000000004");
  // Whatever the spelling, a double reads back as the same number.
  for (double d : {1.0, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, 86.5, -0.0}) {
    const ParseResult back = parse(dump(Value(d)));
    ASSERT_TRUE(back) << dump(Value(d));
    EXPECT_EQ(back.value->as_double(), d) << dump(Value(d));
  }
}

TEST(JsonDump, NonFiniteDoublesBecomeNull) {
  EXPECT_EQ(dump(Value(std::numeric_limits<double>::quiet_NaN())), "null");
  EXPECT_EQ(dump(Value(std::numeric_limits<double>::infinity())), "null");
}

TEST(JsonDump, RoundTrip) {
  const std::string text =
      R"({"id":"ev-991","ts":1795376530123,"total":86.5,"ok":true,"none":null,)"
      R"("items":[{"name":"Fish pie","qty":2},[],{}],"note":"line\nbreak \"q\" caf)"
      "\xC3\xA9"
      R"(","ctl":"\u0001"})";
  const Value v = parsed(text);
  EXPECT_EQ(dump(v), text);
  EXPECT_EQ(parsed(dump(v)), v);
  // Escapes the writer need not use come out in its own form and mean the same.
  EXPECT_EQ(dump(parsed(R"(["\u0041\/\u00e9"])")), "[\"A/\xC3\xA9\"]");
}

// --- Object and Value -------------------------------------------------------------------------

TEST(JsonObject, SetInsertsOrReplacesInPlace) {
  Object o;
  EXPECT_TRUE(o.empty());
  o.set("a", 1);
  o.set("b", 2);
  o.set("a", "one");  // replaced where it stands
  EXPECT_EQ(o.size(), 2u);
  EXPECT_EQ(dump(Value(o)), R"({"a":"one","b":2})");
  Value& c = o.set("c", 3);
  c = 33;
  EXPECT_EQ(o.find("c")->as_int(), 33);
}

TEST(JsonObject, FindAndErase) {
  Object o;
  o.append("a", 1);
  o.append("b", 2);
  o.append("c", 3);
  EXPECT_EQ(o.find("b")->as_int(), 2);
  EXPECT_EQ(o.find("B"), nullptr);
  EXPECT_EQ(o.find(""), nullptr);
  *o.find("b") = "two";
  EXPECT_EQ(*std::as_const(o).find("b")->as_string(), "two");
  EXPECT_TRUE(o.erase("b"));
  EXPECT_FALSE(o.erase("b"));
  EXPECT_FALSE(o.erase("zz"));
  EXPECT_EQ(o.size(), 2u);
  EXPECT_EQ(dump(Value(o)), R"({"a":1,"c":3})");
}

TEST(JsonValue, GetLooksUpObjectKeysOnly) {
  const Value v = parsed(R"({"a":{"b":[1]}})");
  ASSERT_NE(v.get("a"), nullptr);
  EXPECT_EQ(dump(*v.get("a")->get("b")), "[1]");
  EXPECT_EQ(v.get("b"), nullptr);
  EXPECT_EQ(Value(Array{Value(1)}).get("0"), nullptr);
  EXPECT_EQ(Value("a").get("a"), nullptr);
}

TEST(JsonValue, Equality) {
  EXPECT_EQ(parsed(R"({"a":1,"b":[1,2]})"), parsed(R"({"b":[1,2],"a":1})"));
  EXPECT_NE(parsed(R"({"a":1})"), parsed(R"({"a":1,"b":2})"));
  EXPECT_NE(parsed("[1,2]"), parsed("[2,1]"));
  EXPECT_EQ(Value(1), Value(1.0));  // the same number
  EXPECT_NE(Value(1), Value("1"));
  EXPECT_NE(Value(0), Value(false));
  EXPECT_NE(Value(nullptr), Value(false));
  EXPECT_EQ(Value(nullptr), Value());
}

// Copies share arrays and objects until one of them is written to.
TEST(JsonValue, CopiesAreIndependentValues) {
  Value a = parsed(R"({"id":"e1","items":[1,2]})");
  Value b = a;
  EXPECT_EQ(std::as_const(a).as_object(), std::as_const(b).as_object());  // shared, not copied

  b.as_object()->set("id", "e2");
  b.as_object()->append("extra", true);
  EXPECT_EQ(dump(a), R"({"id":"e1","items":[1,2]})");
  EXPECT_EQ(dump(b), R"({"id":"e2","items":[1,2],"extra":true})");
  EXPECT_NE(std::as_const(a).as_object(), std::as_const(b).as_object());

  // Nested containers detach too.
  Value c = a;
  Value* items = c.as_object()->find("items");
  ASSERT_NE(items, nullptr);
  Array* list = items->as_array();
  ASSERT_NE(list, nullptr);
  list->emplace_back(3);
  EXPECT_EQ(dump(a), R"({"id":"e1","items":[1,2]})");
  EXPECT_EQ(dump(c), R"({"id":"e1","items":[1,2,3]})");

  // And the original can change without touching its copies.
  Value d = a;
  a.as_object()->erase("items");
  EXPECT_EQ(dump(a), R"({"id":"e1"})");
  EXPECT_EQ(dump(d), R"({"id":"e1","items":[1,2]})");

  Value arr = Array{Value(1)};
  Value arr2 = arr;
  arr2.as_array()->clear();
  EXPECT_EQ(dump(arr), "[1]");
  EXPECT_EQ(dump(arr2), "[]");
}

TEST(JsonValue, AValueHeldAloneIsWrittenInPlace) {
  Value a = parsed(R"({"x":1})");
  const Object* before = std::as_const(a).as_object();
  a.as_object()->set("y", 2);
  EXPECT_EQ(std::as_const(a).as_object(), before);  // no copy when nothing shares it
}

}  // namespace
}  // namespace mend::json
