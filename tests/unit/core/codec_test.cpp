// The canonical codec against the contract in docs/signals.md: golden fixtures for every event
// type (tests/fixtures/events/<case>/{topic, payload.json | payload.txt, expected.json}), then
// every way a payload can be refused, then the ts rules.
#include "core/codec.hpp"
#include "core/topics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace mend {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::string_view kVenue = "the-anchor";
// Every fixture is decoded as if it arrived at 2026-11-22T19:45:00Z (see the fixtures' README).
constexpr std::int64_t kReceivedMs = 1795376700000;
constexpr WallTime kReceived = wall_from_ms(kReceivedMs);

CodecOptions options() {
  CodecOptions o;
  o.venue = std::string(kVenue);
  o.default_currency = "EUR";
  return o;
}

std::string topic(std::string_view tail) {
  return "venue/" + std::string(kVenue) + "/" + std::string(tail);
}

DecodeResult decode_at(std::string_view t, std::string_view payload,
                       WallTime received = kReceived) {
  return decode(t, payload, received, options());
}

std::string describe(const DecodeResult& r) {
  if (const auto* e = std::get_if<Event>(&r)) return "event " + json::dump(event_to_json(*e));
  const auto& f = std::get<Refusal>(r);
  return "refusal " + std::string(refusal_reason_name(f.reason)) + " field '" + f.field +
         "': " + f.message;
}

::testing::AssertionResult IsEvent(const DecodeResult& r) {
  if (std::holds_alternative<Event>(r)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected an event, got " << describe(r);
}

// A refusal with this reason and field, and a message a person can read.
::testing::AssertionResult IsRefusal(const DecodeResult& r, RefusalReason reason,
                                     std::string_view field) {
  const auto* f = std::get_if<Refusal>(&r);
  if (f == nullptr || f->reason != reason || f->field != field || f->message.empty()) {
    return ::testing::AssertionFailure() << "expected refusal " << refusal_reason_name(reason)
                                         << " field '" << field << "', got " << describe(r);
  }
  return ::testing::AssertionSuccess();
}

const Event& event_of(const DecodeResult& r) { return std::get<Event>(r); }

// The typed body; throws (gtest reports it) when the result is a refusal or another type.
template <typename T>
const T& body_of(const DecodeResult& r) {
  return std::get<T>(std::get<Event>(r).body);
}

// --- payload editing ---------------------------------------------------------------------

json::Object object_of(std::string_view text) {
  auto parsed = json::parse(text);
  EXPECT_TRUE(parsed) << "test payload is not JSON: " << text;
  if (!parsed || !parsed.value->is_object()) return {};
  return *parsed.value->as_object();
}

std::string with_field(std::string_view base, const std::string& key, json::Value v) {
  json::Object o = object_of(base);
  o.set(key, std::move(v));
  return json::dump(o);
}

// Sets `key` to raw JSON text, so a test can send exactly "4.0" (a double), which a json::Value
// would write back as "4".
std::string with_raw_field(std::string_view base, const std::string& key, std::string_view raw) {
  const std::string marker = "\"@@raw@@\"";
  std::string out = with_field(base, key, "@@raw@@");
  out.replace(out.find(marker), marker.size(), raw);
  return out;
}

std::string without_field(std::string_view base, std::string_view key) {
  json::Object o = object_of(base);
  EXPECT_TRUE(o.erase(key)) << "base payload has no field '" << key << "'";
  return json::dump(o);
}

// --- golden fixtures ---------------------------------------------------------------------

struct Fixture {
  std::string name;
  std::string topic;
  std::string payload;
  std::string expected;
  bool json_payload = true;
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string trim_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::vector<Fixture> load_fixtures() {
  std::vector<Fixture> out;
  const fs::path dir = fs::path(MEND_FIXTURES_DIR) / "events";
  if (!fs::is_directory(dir)) return out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_directory()) continue;
    const fs::path d = entry.path();
    Fixture f;
    f.name = d.filename().string();
    f.topic = trim_line(read_file(d / "topic"));
    f.json_payload = fs::exists(d / "payload.json");
    f.payload = read_file(d / (f.json_payload ? "payload.json" : "payload.txt"));
    f.expected = read_file(d / "expected.json");
    out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(),
            [](const Fixture& a, const Fixture& b) { return a.name < b.name; });
  return out;
}

// expected.json is written for people (indented); it is compared in the codec's compact form,
// so key order and every value must match exactly.
std::string compact(const std::string& text) {
  auto parsed = json::parse(text);
  if (!parsed) return "<expected.json is not JSON: " + parsed.error.message + ">";
  return json::dump(*parsed.value);
}

TEST(CodecGolden, EveryFixtureDecodesToItsExpectedCanonicalJson) {
  const auto fixtures = load_fixtures();
  ASSERT_GE(fixtures.size(), static_cast<std::size_t>(kEventTypeCount))
      << "fixtures missing under " << MEND_FIXTURES_DIR << "/events";
  for (const Fixture& f : fixtures) {
    SCOPED_TRACE("fixture " + f.name);
    ASSERT_FALSE(f.topic.empty());
    ASSERT_FALSE(f.payload.empty());
    const DecodeResult r = decode_at(f.topic, f.payload);
    ASSERT_TRUE(IsEvent(r));
    EXPECT_EQ(json::dump(event_to_json(event_of(r))), compact(f.expected));
    EXPECT_EQ(event_of(r).received, kReceived);
  }
}

TEST(CodecGolden, EveryEventTypeHasAFixture) {
  std::set<EventType> covered;
  for (const Fixture& f : load_fixtures()) {
    const DecodeResult r = decode_at(f.topic, f.payload);
    if (const auto* e = std::get_if<Event>(&r)) covered.insert(e->type);
  }
  for (int i = 0; i < kEventTypeCount; ++i) {
    const auto t = static_cast<EventType>(i);
    EXPECT_TRUE(covered.count(t) == 1)
        << "no fixture in tests/fixtures/events decodes to " << event_type_name(t);
  }
}

// The canonical JSON is itself a valid payload for the same topic and decodes to itself: what
// the store keeps can be replayed.
TEST(CodecGolden, CanonicalJsonDecodesToItself) {
  for (const Fixture& f : load_fixtures()) {
    if (!f.json_payload) continue;
    SCOPED_TRACE("fixture " + f.name);
    const DecodeResult first = decode_at(f.topic, f.payload);
    ASSERT_TRUE(IsEvent(first));
    const std::string canonical = json::dump(event_to_json(event_of(first)));
    const DecodeResult again = decode_at(f.topic, canonical);
    ASSERT_TRUE(IsEvent(again));
    EXPECT_EQ(json::dump(event_to_json(event_of(again))), canonical);
    EXPECT_EQ(event_of(again).ts, event_of(first).ts);
  }
}

TEST(CodecGolden, FixturesDecodeToTheTypedBodies) {
  const auto fixtures = load_fixtures();
  const auto find = [&](std::string_view name) -> DecodeResult {
    for (const Fixture& f : fixtures) {
      if (f.name == name) return decode_at(f.topic, f.payload);
    }
    return Refusal{RefusalReason::kTopic, "", "no fixture " + std::string(name)};
  };

  {
    const DecodeResult r = find("order-opened-full-with-unknown-fields");
    ASSERT_TRUE(IsEvent(r));
    const Event& e = event_of(r);
    EXPECT_EQ(e.type, EventType::kOrderOpened);
    EXPECT_TRUE(e.ts_from_source);
    EXPECT_EQ(e.ts, *parse_rfc3339("2026-11-22T19:33:15.250Z"));
    ASSERT_NE(e.as<OrderOpened>(), nullptr);
    EXPECT_EQ(*e.as<OrderOpened>(), (OrderOpened{"T7", "C-4412", 4, "amy"}));
    EXPECT_EQ(e.extra.size(), 2u);
    ASSERT_NE(e.extra.find("pos_terminal"), nullptr);
    EXPECT_EQ(*e.extra.find("pos_terminal"), json::Value("bar-2"));
  }
  {
    const DecodeResult r = find("sensor-temperature-fahrenheit");
    ASSERT_TRUE(IsEvent(r));
    const Temperature* t = event_of(r).as<Temperature>();
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->device, "walk-in-1");
    EXPECT_EQ(t->unit, TemperatureUnit::kFahrenheit);
    EXPECT_DOUBLE_EQ(t->celsius(), 5.0);
  }
  {
    const DecodeResult r = find("sensor-temperature-celsius-default");
    ASSERT_TRUE(IsEvent(r));
    const Temperature* t = event_of(r).as<Temperature>();
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->device, "fridge-1");
    EXPECT_EQ(t->unit, TemperatureUnit::kCelsius);
    EXPECT_DOUBLE_EQ(t->celsius(), 3.5);
  }
  {
    const DecodeResult r = find("guest-arrived-walk-in");
    ASSERT_TRUE(IsEvent(r));
    const GuestArrived* g = event_of(r).as<GuestArrived>();
    ASSERT_NE(g, nullptr);
    EXPECT_TRUE(g->booking.empty());
    EXPECT_EQ(g->party, 2);
    EXPECT_FALSE(event_of(r).ts_from_source);
  }
  {
    const DecodeResult r = find("sensor-status-offline");
    ASSERT_TRUE(IsEvent(r));
    EXPECT_EQ(event_of(r).type, EventType::kDeviceStatus);
    EXPECT_EQ(*event_of(r).as<DeviceStatus>(), (DeviceStatus{"fridge-1", false}));
  }
  {
    const DecodeResult r = find("items-fired-main-with-items");
    ASSERT_TRUE(IsEvent(r));
    const ItemsFired* b = event_of(r).as<ItemsFired>();
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->items, (std::vector<LineItem>{{"Fish pie", 2}, {"Ribeye", 1}}));
    EXPECT_EQ(to_ms(event_of(r).ts), 1795376400250);
  }
}

// --- docs/signals.md ---------------------------------------------------------------------------

// The integrators' guide shows a mosquitto_pub line for every event type and a table of refused
// payloads; both are decoded here so the guide cannot drift from the codec.
std::string signals_doc() {
  return read_file(fs::path(MEND_FIXTURES_DIR).parent_path().parent_path() / "docs" / "signals.md");
}

// `mosquitto_pub ... -t <topic> ... -m '<payload>'` -> topic and payload.
std::optional<std::pair<std::string, std::string>> publish_example(std::string_view line) {
  const std::size_t t = line.find(" -t ");
  const std::size_t m = line.find(" -m '");
  if (t == std::string_view::npos || m == std::string_view::npos || line.back() != '\'') {
    return std::nullopt;
  }
  const std::size_t topic_end = line.find(' ', t + 4);
  const std::size_t payload_at = m + 5;
  if (topic_end == std::string_view::npos || line.size() < payload_at + 1) return std::nullopt;
  return std::pair{std::string(line.substr(t + 4, topic_end - t - 4)),
                   std::string(line.substr(payload_at, line.size() - 1 - payload_at))};
}

// "| `topic` | `payload` | `reason` | `field` |" (the field may be empty) -> the four cells,
// without their backticks. The examples contain no '|'.
std::optional<std::array<std::string, 4>> refusal_example(std::string_view line) {
  if (line.rfind("| `venue/", 0) != 0 || line.back() != '|') return std::nullopt;
  std::array<std::string, 4> cells;
  std::size_t n = 0;
  for (std::size_t start = 1, bar = line.find('|', start); bar != std::string_view::npos;
       start = bar + 1, bar = line.find('|', start)) {
    std::string_view cell = line.substr(start, bar - start);
    while (!cell.empty() && cell.front() == ' ') cell.remove_prefix(1);
    while (!cell.empty() && cell.back() == ' ') cell.remove_suffix(1);
    if (cell.size() >= 2 && cell.front() == '`' && cell.back() == '`') {
      cell = cell.substr(1, cell.size() - 2);
    }
    if (n == cells.size()) return std::nullopt;
    cells[n++] = std::string(cell);
  }
  if (n != cells.size()) return std::nullopt;
  return cells;
}

TEST(CodecDocs, EveryPublishExampleDecodesAndEveryTypeHasOne) {
  const std::string doc = signals_doc();
  ASSERT_FALSE(doc.empty()) << "docs/signals.md not found";
  std::set<EventType> covered;
  int examples = 0;
  std::istringstream lines(doc);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("mosquitto_pub", 0) != 0) continue;
    const auto example = publish_example(line);
    if (!example) {
      ADD_FAILURE() << "cannot read the topic and payload of: " << line;
      continue;
    }
    ++examples;
    const DecodeResult r = decode_at(example->first, example->second);
    EXPECT_TRUE(IsEvent(r)) << line;
    if (const auto* e = std::get_if<Event>(&r)) covered.insert(e->type);
  }
  EXPECT_GE(examples, kEventTypeCount);
  for (int i = 0; i < kEventTypeCount; ++i) {
    const auto t = static_cast<EventType>(i);
    EXPECT_EQ(covered.count(t), 1u) << "docs/signals.md has no example of " << event_type_name(t);
  }
}

TEST(CodecDocs, EveryRefusalExampleIsRefusedAsDocumented) {
  const std::string doc = signals_doc();
  ASSERT_FALSE(doc.empty()) << "docs/signals.md not found";
  int examples = 0;
  std::istringstream lines(doc);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| `venue/", 0) != 0) continue;
    const auto cells = refusal_example(line);
    if (!cells) {
      ADD_FAILURE() << "cannot read the four cells of: " << line;
      continue;
    }
    ++examples;
    const auto& [t, payload, reason, field] = *cells;
    const DecodeResult r = decode_at(t, payload);
    const auto* f = std::get_if<Refusal>(&r);
    if (f == nullptr) {
      ADD_FAILURE() << line << ": " << describe(r);
      continue;
    }
    EXPECT_EQ(refusal_reason_name(f->reason), reason) << line << ": " << describe(r);
    EXPECT_EQ(f->field, field) << line << ": " << describe(r);
  }
  EXPECT_GE(examples, 15);
}

// --- names ---------------------------------------------------------------------------------

TEST(CodecNames, EventTypeNamesRoundTripWithTheirSource) {
  std::set<std::string_view> names;
  for (int i = 0; i < kEventTypeCount; ++i) {
    const auto t = static_cast<EventType>(i);
    ASSERT_FALSE(event_type_name(t).empty());
    names.insert(event_type_name(t));
    EXPECT_EQ(event_type_from_name(event_source(t), event_type_name(t)), t);
  }
  EXPECT_EQ(names.size(), static_cast<std::size_t>(kEventTypeCount));
  EXPECT_EQ(event_type_from_name(Source::kTill, "guest.seated"), std::nullopt);
  EXPECT_EQ(event_type_from_name(Source::kSensor, "order.opened"), std::nullopt);
  // On a topic a bridge's status is `status`, and only that.
  EXPECT_EQ(event_type_from_topic(Source::kTill, "status"), EventType::kTillStatus);
  EXPECT_EQ(event_type_from_topic(Source::kFeedback, "status"), EventType::kFeedbackStatus);
  EXPECT_EQ(event_type_from_topic(Source::kTill, "till.status"), std::nullopt);
  EXPECT_EQ(event_type_from_topic(Source::kBooking, "till.status"), std::nullopt);
}

TEST(CodecNames, RefusalReasonNamesAreStable) {
  EXPECT_EQ(refusal_reason_name(RefusalReason::kTopic), "topic");
  EXPECT_EQ(refusal_reason_name(RefusalReason::kTooLarge), "too_large");
  EXPECT_EQ(refusal_reason_name(RefusalReason::kNotUtf8), "not_utf8");
  EXPECT_EQ(refusal_reason_name(RefusalReason::kNotJson), "not_json");
  EXPECT_EQ(refusal_reason_name(RefusalReason::kNotObject), "not_object");
  EXPECT_EQ(refusal_reason_name(RefusalReason::kMissingField), "missing_field");
  EXPECT_EQ(refusal_reason_name(RefusalReason::kWrongType), "wrong_type");
  EXPECT_EQ(refusal_reason_name(RefusalReason::kInvalidValue), "invalid_value");
  std::set<std::string_view> names;
  for (int i = 0; i < kRefusalReasonCount; ++i) {
    names.insert(refusal_reason_name(static_cast<RefusalReason>(i)));
  }
  EXPECT_EQ(names.size(), static_cast<std::size_t>(kRefusalReasonCount));
}

// --- required fields, table-driven -----------------------------------------------------------

struct RequiredField {
  std::string name;
  std::vector<std::string_view> wrong_types;  // JSON text of a type the field does not accept
};

struct RequiredCase {
  EventType type;
  std::string topic;
  std::string valid;  // a payload with exactly the required fields (plus id and ts)
  std::vector<RequiredField> fields;
};

std::vector<std::string_view> not_a_string() { return {"42", "true", "[]", "{}", R"(["T1"])"}; }
std::vector<std::string_view> not_an_int() { return {R"("4")", "4.5", "4.0", "4e0", "true"}; }
std::vector<std::string_view> not_a_number() { return {R"("86.50")", "true", "[]", "{}"}; }
std::vector<std::string_view> not_a_bool() { return {R"("true")", "1", "0"}; }
std::vector<std::string_view> not_a_time() { return {"true", "1795376400000.0", "{}", "[]"}; }

RequiredField str(std::string name) { return {std::move(name), not_a_string()}; }

std::vector<RequiredCase> required_cases() {
  return {
      {EventType::kOrderOpened,
       topic("till/order.opened"),
       R"({"id":"e1","ts":"2026-11-22T19:32:10Z","table":"T12","check":"C1"})",
       {str("id"), str("table"), str("check")}},
      {EventType::kItemsFired,
       topic("till/items.fired"),
       R"({"id":"e1","ts":"2026-11-22T19:32:10Z","check":"C1","course":"main"})",
       {str("id"), str("check"), str("course")}},
      {EventType::kItemsServed,
       topic("till/items.served"),
       R"({"id":"e1","ts":"2026-11-22T19:32:10Z","check":"C1","course":"main"})",
       {str("id"), str("check"), str("course")}},
      {EventType::kCheckRequested,
       topic("till/check.requested"),
       R"({"id":"e1","ts":"2026-11-22T19:32:10Z","check":"C1"})",
       {str("id"), str("check")}},
      {EventType::kCheckPaid,
       topic("till/check.paid"),
       R"({"id":"e1","ts":"2026-11-22T19:32:10Z","check":"C1","total":86.5})",
       {str("id"), str("check"), {"total", not_a_number()}}},
      {EventType::kItemVoided,
       topic("till/item.voided"),
       R"({"id":"e1","ts":"2026-11-22T19:32:10Z","check":"C1","item":"Ribeye"})",
       {str("id"), str("check"), str("item")}},
      {EventType::kVoucherRedeemed,
       topic("till/voucher.redeemed"),
       R"({"id":"e1","ts":"2026-11-22T19:32:10Z","check":"C1","voucher":"V1"})",
       {str("id"), str("check"), str("voucher")}},
      {EventType::kBookingCreated,
       topic("booking/booking.created"),
       R"({"id":"e1","ts":"2026-11-22T19:32:10Z","booking":"B1","at":"2026-11-22T20:00:00Z","party":2})",
       {str("id"), str("booking"), {"at", not_a_time()}, {"party", not_an_int()}}},
      {EventType::kBookingUpdated,
       topic("booking/booking.updated"),
       R"({"id":"e1","ts":"2026-11-22T19:32:10Z","booking":"B1","at":"2026-11-22T20:00:00Z","party":2})",
       {str("id"), str("booking"), {"at", not_a_time()}, {"party", not_an_int()}}},
      {EventType::kBookingCancelled,
       topic("booking/booking.cancelled"),
       R"({"id":"e1","ts":"2026-11-22T19:32:10Z","booking":"B1"})",
       {str("id"), str("booking")}},
      // guest.arrived needs booking or party; with only a booking, the booking is required.
      {EventType::kGuestArrived,
       topic("booking/guest.arrived"),
       R"({"id":"e1","ts":"2026-11-22T19:32:10Z","booking":"B1"})",
       {str("id"), str("booking")}},
      {EventType::kGuestSeated,
       topic("booking/guest.seated"),
       R"({"id":"e1","ts":"2026-11-22T19:32:10Z","table":"T1"})",
       {str("id"), str("table")}},
      {EventType::kTableCleared,
       topic("booking/table.cleared"),
       R"({"id":"e1","ts":"2026-11-22T19:32:10Z","table":"T1"})",
       {str("id"), str("table")}},
      {EventType::kEnquiryReceived,
       topic("booking/enquiry.received"),
       R"({"id":"e1","ts":"2026-11-22T19:32:10Z","enquiry":"Q1","channel":"email"})",
       {str("id"), str("enquiry"), str("channel")}},
      {EventType::kEnquiryAnswered,
       topic("booking/enquiry.answered"),
       R"({"id":"e1","ts":"2026-11-22T19:32:10Z","enquiry":"Q1"})",
       {str("id"), str("enquiry")}},
      {EventType::kTemperature,
       topic("sensor/fridge-1/temperature"),
       R"({"id":"e1","ts":"2026-11-22T19:32:10Z","value":4.5})",
       {str("id"), {"value", not_a_number()}}},
      {EventType::kCallButton,
       topic("sensor/button-1/callbutton"),
       R"({"id":"e1","ts":"2026-11-22T19:32:10Z","table":"T1","state":"pressed"})",
       {str("id"), str("table"), str("state")}},
      {EventType::kOccupancy,
       topic("sensor/mat-1/occupancy"),
       R"({"id":"e1","ts":"2026-11-22T19:32:10Z","table":"T1","occupied":false})",
       {str("id"), str("table"), {"occupied", not_a_bool()}}},
      {EventType::kQueue,
       topic("sensor/door-cam/queue"),
       R"({"id":"e1","ts":"2026-11-22T19:32:10Z","count":3})",
       {str("id"), {"count", not_an_int()}}},
      {EventType::kReviewReceived,
       topic("feedback/review.received"),
       R"({"id":"e1","ts":"2026-11-22T19:32:10Z","review":"R1","source":"google","rating":4})",
       {str("id"), str("review"), str("source"), {"rating", not_an_int()}}},
      {EventType::kSurveyAnswered,
       topic("feedback/survey.answered"),
       R"({"id":"e1","ts":"2026-11-22T19:32:10Z","score":4})",
       {str("id"), {"score", not_an_int()}}},
      {EventType::kRewardRedeemed,
       topic("till/reward.redeemed"),
       R"({"id":"e1","ts":"2026-11-22T19:32:10Z","customer":{"id":"cust-19"},"amount":5})",
       {str("id"), {"amount", not_a_number()}}},
  };
}

bool parts_are_text(EventType t) {
  return t == EventType::kDeviceStatus || t == EventType::kTillStatus ||
         t == EventType::kBookingStatus || t == EventType::kFeedbackStatus;
}

TEST(CodecRequired, TheTableCoversEveryJsonEventType) {
  std::set<EventType> covered;
  for (const auto& c : required_cases()) covered.insert(c.type);
  for (int i = 0; i < kEventTypeCount; ++i) {
    const auto t = static_cast<EventType>(i);
    if (parts_are_text(t)) continue;  // plain text, no fields
    EXPECT_EQ(covered.count(t), 1u) << event_type_name(t);
  }
}

TEST(CodecRequired, EachValidBaseDecodesToItsType) {
  for (const auto& c : required_cases()) {
    SCOPED_TRACE(c.topic);
    const DecodeResult r = decode_at(c.topic, c.valid);
    ASSERT_TRUE(IsEvent(r));
    EXPECT_EQ(event_of(r).type, c.type);
    EXPECT_TRUE(event_of(r).extra.empty());
  }
}

TEST(CodecRequired, AMissingRequiredFieldIsRefusedByName) {
  for (const auto& c : required_cases()) {
    for (const auto& f : c.fields) {
      SCOPED_TRACE(c.topic + " without " + f.name);
      EXPECT_TRUE(IsRefusal(decode_at(c.topic, without_field(c.valid, f.name)),
                            RefusalReason::kMissingField, f.name));
      // null is the same as absent.
      EXPECT_TRUE(IsRefusal(decode_at(c.topic, with_field(c.valid, f.name, nullptr)),
                            RefusalReason::kMissingField, f.name));
    }
  }
}

TEST(CodecRequired, ARequiredFieldOfTheWrongTypeIsRefusedByName) {
  for (const auto& c : required_cases()) {
    for (const auto& f : c.fields) {
      ASSERT_FALSE(f.wrong_types.empty());
      for (const auto& wrong : f.wrong_types) {
        const std::string payload = with_raw_field(c.valid, f.name, wrong);
        SCOPED_TRACE(c.topic + " " + payload);
        EXPECT_TRUE(IsRefusal(decode_at(c.topic, payload), RefusalReason::kWrongType, f.name));
      }
    }
  }
}

TEST(CodecRequired, GuestArrivedNeedsABookingOrAWalkInParty) {
  const std::string t = topic("booking/guest.arrived");
  EXPECT_TRUE(IsRefusal(decode_at(t, R"({"id":"e1"})"), RefusalReason::kMissingField, "booking"));
  EXPECT_TRUE(IsRefusal(decode_at(t, R"({"id":"e1","customer":{"id":"c1"}})"),
                        RefusalReason::kMissingField, "booking"));
  EXPECT_TRUE(IsEvent(decode_at(t, R"({"id":"e1","party":3})")));
  EXPECT_TRUE(IsEvent(decode_at(t, R"({"id":"e1","booking":"B1","party":3})")));
  EXPECT_TRUE(
      IsRefusal(decode_at(t, R"({"id":"e1","party":"3"})"), RefusalReason::kWrongType, "party"));
  EXPECT_TRUE(
      IsRefusal(decode_at(t, R"({"id":"e1","party":0})"), RefusalReason::kInvalidValue, "party"));
}

// Optional fields may be absent, but when present they must have their type.
TEST(CodecOptional, AnOptionalFieldOfTheWrongTypeIsRefusedByName) {
  struct Case {
    std::string topic;
    std::string payload;
    std::string field;
  };
  const std::vector<Case> cases = {
      {topic("till/order.opened"), R"({"id":"e1","table":"T1","check":"C1","covers":"4"})",
       "covers"},
      {topic("till/order.opened"), R"({"id":"e1","table":"T1","check":"C1","staff":7})", "staff"},
      {topic("till/items.fired"), R"({"id":"e1","check":"C1","course":"main","table":12})",
       "table"},
      {topic("till/items.fired"), R"({"id":"e1","check":"C1","course":"main","items":"2 pies"})",
       "items"},
      {topic("till/items.fired"), R"({"id":"e1","check":"C1","course":"main","items":["pie"]})",
       "items[0]"},
      {topic("till/items.fired"),
       R"({"id":"e1","check":"C1","course":"main","items":[{"name":"pie","qty":"2"}]})",
       "items[0].qty"},
      {topic("till/check.paid"), R"({"id":"e1","check":"C1","total":5,"currency":978})",
       "currency"},
      {topic("till/check.paid"), R"({"id":"e1","check":"C1","total":5,"tip":"1"})", "tip"},
      {topic("till/item.voided"), R"({"id":"e1","check":"C1","item":"x","amount":"3"})", "amount"},
      {topic("till/item.voided"), R"({"id":"e1","check":"C1","item":"x","reason":false})",
       "reason"},
      {topic("booking/booking.created"),
       R"({"id":"e1","booking":"B1","at":"2026-11-22T20:00:00Z","party":2,"customer":"cust-19"})",
       "customer"},
      {topic("booking/booking.created"),
       R"({"id":"e1","booking":"B1","at":"2026-11-22T20:00:00Z","party":2,"customer":{"id":19}})",
       "customer.id"},
      {topic("booking/booking.created"),
       R"({"id":"e1","booking":"B1","at":"2026-11-22T20:00:00Z","party":2,"value":"high"})",
       "value"},
      {topic("booking/booking.created"),
       R"({"id":"e1","booking":"B1","at":"2026-11-22T20:00:00Z","party":2,"notes":["a"]})",
       "notes"},
      {topic("booking/guest.seated"), R"({"id":"e1","table":"T1","party":"4"})", "party"},
      {topic("booking/guest.seated"), R"({"id":"e1","table":"T1","customer":{"email":1}})",
       "customer.email"},
      {topic("booking/enquiry.received"),
       R"({"id":"e1","enquiry":"Q1","channel":"web","topic":{"a":1}})", "topic"},
      {topic("sensor/fridge-1/temperature"), R"({"id":"e1","value":4,"unit":1})", "unit"},
      {topic("feedback/review.received"),
       R"({"id":"e1","review":"R1","source":"g","rating":3,"visited_at":true})", "visited_at"},
      {topic("feedback/survey.answered"), R"({"id":"e1","score":3,"case":5})", "case"},
      {topic("feedback/survey.answered"), R"({"id":"e1","score":3,"text":5})", "text"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.payload);
    EXPECT_TRUE(IsRefusal(decode_at(c.topic, c.payload), RefusalReason::kWrongType, c.field));
  }
}

TEST(CodecOptional, LineItemsAreCheckedOneByOne) {
  const std::string t = topic("till/items.fired");
  EXPECT_TRUE(IsRefusal(
      decode_at(t, R"({"id":"e1","check":"C1","course":"main","items":[{"name":"a"},{"qty":2}]})"),
      RefusalReason::kMissingField, "items[1].name"));
  EXPECT_TRUE(IsRefusal(
      decode_at(t, R"({"id":"e1","check":"C1","course":"main","items":[{"name":"a","qty":0}]})"),
      RefusalReason::kInvalidValue, "items[0].qty"));
  const DecodeResult ok = decode_at(t, R"({"id":"e1","check":"C1","course":"main","items":[]})");
  ASSERT_TRUE(IsEvent(ok));
  EXPECT_TRUE(body_of<ItemsFired>(ok).items.empty());
}

// --- values out of their domain -----------------------------------------------------------------

TEST(CodecValues, RatingAndScoreAreOneToFive) {
  const std::string review = R"({"id":"e1","review":"R1","source":"google","rating":3})";
  const std::string t = topic("feedback/review.received");
  for (int rating : {0, 6, -1, 10}) {
    SCOPED_TRACE(rating);
    EXPECT_TRUE(IsRefusal(decode_at(t, with_field(review, "rating", rating)),
                          RefusalReason::kInvalidValue, "rating"));
  }
  for (int rating : {1, 5}) {
    const DecodeResult r = decode_at(t, with_field(review, "rating", rating));
    ASSERT_TRUE(IsEvent(r));
    EXPECT_EQ(body_of<ReviewReceived>(r).rating, rating);
  }
  const std::string s = topic("feedback/survey.answered");
  EXPECT_TRUE(
      IsRefusal(decode_at(s, R"({"id":"e1","score":0})"), RefusalReason::kInvalidValue, "score"));
  EXPECT_TRUE(
      IsRefusal(decode_at(s, R"({"id":"e1","score":6})"), RefusalReason::kInvalidValue, "score"));
  EXPECT_TRUE(IsEvent(decode_at(s, R"({"id":"e1","score":1})")));
}

TEST(CodecValues, MoneyIsNeverNegative) {
  const std::string t = topic("till/check.paid");
  EXPECT_TRUE(IsRefusal(decode_at(t, R"({"id":"e1","check":"C1","total":-0.01})"),
                        RefusalReason::kInvalidValue, "total"));
  EXPECT_TRUE(IsRefusal(decode_at(t, R"({"id":"e1","check":"C1","total":-5})"),
                        RefusalReason::kInvalidValue, "total"));
  EXPECT_TRUE(IsRefusal(decode_at(t, R"({"id":"e1","check":"C1","total":5,"tip":-1})"),
                        RefusalReason::kInvalidValue, "tip"));
  EXPECT_TRUE(IsRefusal(
      decode_at(topic("till/item.voided"), R"({"id":"e1","check":"C1","item":"x","amount":-2})"),
      RefusalReason::kInvalidValue, "amount"));
  const DecodeResult zero = decode_at(t, R"({"id":"e1","check":"C1","total":0})");
  ASSERT_TRUE(IsEvent(zero));
  EXPECT_EQ(body_of<CheckPaid>(zero).total, 0.0);
}

TEST(CodecValues, CurrencyIsAnIso4217CodeOrTheConfiguredDefault) {
  const std::string t = topic("till/check.paid");
  EXPECT_TRUE(IsRefusal(decode_at(t, R"({"id":"e1","check":"C1","total":5,"currency":"eur"})"),
                        RefusalReason::kInvalidValue, "currency"));
  EXPECT_TRUE(IsRefusal(decode_at(t, R"({"id":"e1","check":"C1","total":5,"currency":"EURO"})"),
                        RefusalReason::kInvalidValue, "currency"));
  EXPECT_TRUE(IsRefusal(decode_at(t, R"({"id":"e1","check":"C1","total":5,"currency":""})"),
                        RefusalReason::kInvalidValue, "currency"));
  CodecOptions gbp = options();
  gbp.default_currency = "GBP";
  const DecodeResult absent = decode(t, R"({"id":"e1","check":"C1","total":5})", kReceived, gbp);
  ASSERT_TRUE(IsEvent(absent));
  EXPECT_EQ(body_of<CheckPaid>(absent).currency, "GBP");
  // null means absent, as for every other field.
  const DecodeResult null_currency =
      decode(t, R"({"id":"e1","check":"C1","total":5,"currency":null})", kReceived, gbp);
  ASSERT_TRUE(IsEvent(null_currency));
  EXPECT_EQ(body_of<CheckPaid>(null_currency).currency, "GBP");
}

TEST(CodecValues, EnumeratedStringsAreExact) {
  EXPECT_TRUE(IsRefusal(
      decode_at(topic("sensor/b1/callbutton"), R"({"id":"e1","table":"T1","state":"Pressed"})"),
      RefusalReason::kInvalidValue, "state"));
  EXPECT_TRUE(
      IsRefusal(decode_at(topic("sensor/f1/temperature"), R"({"id":"e1","value":4,"unit":"K"})"),
                RefusalReason::kInvalidValue, "unit"));
  EXPECT_TRUE(
      IsRefusal(decode_at(topic("sensor/f1/temperature"), R"({"id":"e1","value":4,"unit":"c"})"),
                RefusalReason::kInvalidValue, "unit"));
}

TEST(CodecValues, CountsAndPartiesHaveBounds) {
  EXPECT_TRUE(IsRefusal(decode_at(topic("sensor/door/queue"), R"({"id":"e1","count":-1})"),
                        RefusalReason::kInvalidValue, "count"));
  const DecodeResult zero = decode_at(topic("sensor/door/queue"), R"({"id":"e1","count":0})");
  ASSERT_TRUE(IsEvent(zero));
  EXPECT_EQ(body_of<Queue>(zero).count, 0);
  EXPECT_TRUE(
      IsRefusal(decode_at(topic("booking/booking.created"),
                          R"({"id":"e1","booking":"B1","at":"2026-11-22T20:00:00Z","party":0})"),
                RefusalReason::kInvalidValue, "party"));
  EXPECT_TRUE(IsRefusal(
      decode_at(topic("till/order.opened"), R"({"id":"e1","table":"T1","check":"C1","covers":-1})"),
      RefusalReason::kInvalidValue, "covers"));
}

TEST(CodecValues, TimesInsideThePayloadAreRfc3339) {
  const std::string t = topic("booking/booking.created");
  EXPECT_TRUE(
      IsRefusal(decode_at(t, R"({"id":"e1","booking":"B1","at":"2026-11-22 8pm","party":2})"),
                RefusalReason::kInvalidValue, "at"));
  EXPECT_TRUE(
      IsRefusal(decode_at(t, R"({"id":"e1","booking":"B1","at":"2026-11-22T20:00:00","party":2})"),
                RefusalReason::kInvalidValue, "at"));
  EXPECT_TRUE(IsRefusal(decode_at(topic("feedback/review.received"),
                                  R"({"id":"e1","review":"R1","source":"g","rating":3,)"
                                  R"("visited_at":"2026-02-30T20:00:00Z"})"),
                        RefusalReason::kInvalidValue, "visited_at"));
}

// --- id ------------------------------------------------------------------------------------------

TEST(CodecId, IdIsOneTo128Characters) {
  const std::string t = topic("booking/table.cleared");
  const std::string base = R"({"id":"e1","table":"T1"})";
  EXPECT_TRUE(
      IsRefusal(decode_at(t, without_field(base, "id")), RefusalReason::kMissingField, "id"));
  EXPECT_TRUE(
      IsRefusal(decode_at(t, with_field(base, "id", "")), RefusalReason::kInvalidValue, "id"));
  EXPECT_TRUE(IsRefusal(decode_at(t, with_field(base, "id", std::string(129, 'a'))),
                        RefusalReason::kInvalidValue, "id"));
  const DecodeResult at_limit = decode_at(t, with_field(base, "id", std::string(128, 'a')));
  ASSERT_TRUE(IsEvent(at_limit));
  EXPECT_EQ(event_of(at_limit).id, std::string(128, 'a'));

  // Characters, not bytes: 128 two-byte characters are fine, 129 are not.
  std::string e_acute_128;
  for (int i = 0; i < 128; ++i) e_acute_128 += "\xC3\xA9";
  EXPECT_TRUE(IsEvent(decode_at(t, with_field(base, "id", e_acute_128))));
  EXPECT_TRUE(IsRefusal(decode_at(t, with_field(base, "id", e_acute_128 + "\xC3\xA9")),
                        RefusalReason::kInvalidValue, "id"));
}

// --- the payload as a whole ----------------------------------------------------------------------

TEST(CodecPayload, NotJsonIsRefused) {
  const std::string t = topic("booking/table.cleared");
  for (std::string_view p :
       {"", "hello", R"({"id": "e1", "table": )", R"({'id':'e1'})", R"({"id":"e1","table":"T1",})",
        R"({"id":"e1","table":"T1"} x)", R"({"id":"e1","id":"e2","table":"T1"})"}) {
    SCOPED_TRACE(p);
    EXPECT_TRUE(IsRefusal(decode_at(t, p), RefusalReason::kNotJson, ""));
  }
}

TEST(CodecPayload, JsonThatIsNotAnObjectIsRefused) {
  const std::string t = topic("booking/table.cleared");
  for (std::string_view p : {"[]", R"(["e1","T1"])", R"("T1")", "42", "null", "true"}) {
    SCOPED_TRACE(p);
    EXPECT_TRUE(IsRefusal(decode_at(t, p), RefusalReason::kNotObject, ""));
  }
}

TEST(CodecPayload, AtMost64KiB) {
  const std::string t = topic("booking/table.cleared");
  // Pad an otherwise valid payload to exactly 64 KiB with an unknown field.
  const std::string base = R"({"id":"e1","table":"T1","pad":""})";
  const std::string exact = with_field(base, "pad", std::string(65536 - base.size(), 'x'));
  ASSERT_EQ(exact.size(), 65536u);
  const DecodeResult ok = decode_at(t, exact);
  ASSERT_TRUE(IsEvent(ok));
  EXPECT_EQ(event_of(ok).extra.find("pad")->as_string()->size(), 65536 - base.size());

  const std::string over = with_field(base, "pad", std::string(65537 - base.size(), 'x'));
  ASSERT_EQ(over.size(), 65537u);
  EXPECT_TRUE(IsRefusal(decode_at(t, over), RefusalReason::kTooLarge, ""));
  // Even when the bytes are not JSON at all: the size is checked first.
  EXPECT_TRUE(IsRefusal(decode_at(t, std::string(100000, '{')), RefusalReason::kTooLarge, ""));
  EXPECT_TRUE(IsRefusal(decode_at(topic("sensor/f1/status"), std::string(70000, ' ') + "online"),
                        RefusalReason::kTooLarge, ""));
}

TEST(CodecPayload, InvalidUtf8IsRefused) {
  const std::string t = topic("booking/table.cleared");
  const std::vector<std::string> bad = {
      "{\"id\":\"e1\",\"table\":\"T\xC3\x28\"}",          // 2-byte lead, no continuation
      "{\"id\":\"e1\",\"table\":\"T\xE2\x82\"}",          // truncated 3-byte sequence
      "{\"id\":\"e1\",\"table\":\"T\xC0\xAF\"}",          // overlong '/'
      "{\"id\":\"e1\",\"table\":\"T\xED\xA0\x80\"}",      // a UTF-16 surrogate encoded in UTF-8
      "{\"id\":\"e1\",\"table\":\"T\xF4\x90\x80\x80\"}",  // beyond U+10FFFF
      "{\"id\":\"e1\",\"table\":\"caf\xE9\"}",            // Latin-1, not UTF-8
      "{\"id\":\"e1\",\"t\xFF\":\"T1\"}",                 // in a key
      "\xFF\xFE{\"id\":\"e1\",\"table\":\"T1\"}",         // a UTF-16 byte order mark
  };
  for (const auto& p : bad) {
    SCOPED_TRACE(p);
    EXPECT_TRUE(IsRefusal(decode_at(t, p), RefusalReason::kNotUtf8, ""));
  }
  // The message says where, for the dead-letter store.
  const std::string latin1 = "{\"id\":\"e1\",\"table\":\"caf\xE9\"}";
  const DecodeResult r = decode_at(t, latin1);
  ASSERT_TRUE(std::holds_alternative<Refusal>(r));
  EXPECT_NE(std::get<Refusal>(r).message.find("byte " + std::to_string(latin1.find('\xE9'))),
            std::string::npos)
      << std::get<Refusal>(r).message;

  const DecodeResult ok =
      decode_at(t, "{\"id\":\"e1\",\"table\":\"Caf\xC3\xA9 \xF0\x9F\x8D\xB7\"}");
  ASSERT_TRUE(IsEvent(ok));
  EXPECT_EQ(body_of<TableCleared>(ok).table, "Caf\xC3\xA9 \xF0\x9F\x8D\xB7");
}

TEST(CodecPayload, UnknownFieldsAreKeptInOrderAndKnownOnesAreNot) {
  const DecodeResult r =
      decode_at(topic("till/order.opened"),
                R"({"z_first":1,"id":"e1","table":"T1","nested":{"a":[1,2,{"b":null}]},)"
                R"("check":"C1","covers":2,"flag":false,"ts":"2026-11-22T19:32:10Z"})");
  ASSERT_TRUE(IsEvent(r));
  const Event& e = event_of(r);
  std::vector<std::string> keys;
  for (const auto& [k, v] : e.extra) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"z_first", "nested", "flag"}));
  EXPECT_EQ(json::dump(*e.extra.find("nested")), R"({"a":[1,2,{"b":null}]})");
  EXPECT_EQ(*e.extra.find("flag"), json::Value(false));
  // A field one type defines is unknown to another and kept there.
  const DecodeResult other =
      decode_at(topic("booking/table.cleared"), R"({"id":"e1","table":"T1","check":"C1"})");
  ASSERT_TRUE(IsEvent(other));
  ASSERT_NE(event_of(other).extra.find("check"), nullptr);
  EXPECT_EQ(*event_of(other).extra.find("check"), json::Value("C1"));
}

// --- device status (plain text) ------------------------------------------------------------------

TEST(CodecStatus, OnlineAndOfflineAreTheOnlyPayloads) {
  const std::string t = topic("sensor/fridge-1/status");
  const DecodeResult on = decode_at(t, "online");
  ASSERT_TRUE(IsEvent(on));
  EXPECT_EQ(*event_of(on).as<DeviceStatus>(), (DeviceStatus{"fridge-1", true}));
  EXPECT_EQ(event_of(on).ts, kReceived);
  EXPECT_FALSE(event_of(on).ts_from_source);
  // A trailing newline (mosquitto_pub -f, or echo) is tolerated.
  EXPECT_TRUE(IsEvent(decode_at(t, "offline\n")));
  for (std::string_view p : {"", "ONLINE", "up", R"({"status":"online"})", "\"online\""}) {
    SCOPED_TRACE(p);
    EXPECT_TRUE(IsRefusal(decode_at(t, p), RefusalReason::kInvalidValue, ""));
  }
}

TEST(CodecStatus, ABridgeSaysItsStatusOnItsSourcesTopic) {
  const DecodeResult off = decode_at(topic("till/status"), "offline\n");
  ASSERT_TRUE(IsEvent(off));
  EXPECT_EQ(event_of(off).type, EventType::kTillStatus);
  const auto* status = event_of(off).as<BridgeStatus>();
  ASSERT_NE(status, nullptr);
  EXPECT_FALSE(status->online);
  EXPECT_EQ(event_of(off).id, "till/status@" + std::to_string(kReceivedMs));
  const DecodeResult on = decode_at(topic("booking/status"), "online");
  ASSERT_TRUE(IsEvent(on));
  EXPECT_EQ(event_of(on).type, EventType::kBookingStatus);
  EXPECT_TRUE(IsRefusal(decode_at(topic("feedback/status"), R"({"status":"online"})"),
                        RefusalReason::kInvalidValue, ""));
  EXPECT_TRUE(IsRefusal(decode_at(topic("till/till.status"), "online"), RefusalReason::kTopic, ""));
}

TEST(CodecStatus, EachDeliveryGetsItsOwnIdFromDeviceAndReceiveTime) {
  const std::string t = topic("sensor/fridge-1/status");
  const DecodeResult a = decode_at(t, "offline", kReceived);
  const DecodeResult b = decode_at(t, "offline", kReceived + 1s);
  ASSERT_TRUE(IsEvent(a));
  ASSERT_TRUE(IsEvent(b));
  EXPECT_EQ(event_of(a).id, "fridge-1/status@" + std::to_string(kReceivedMs));
  EXPECT_NE(event_of(a).id, event_of(b).id);
}

// --- topics --------------------------------------------------------------------------------------

TEST(CodecTopic, AnotherVenueIsRefused) {
  const std::string p = R"({"id":"e1","table":"T1"})";
  EXPECT_TRUE(IsEvent(decode_at("venue/the-anchor/booking/table.cleared", p)));
  EXPECT_TRUE(
      IsRefusal(decode_at("venue/the-crown/booking/table.cleared", p), RefusalReason::kTopic, ""));
  EXPECT_TRUE(
      IsRefusal(decode_at("venue/The-Anchor/booking/table.cleared", p), RefusalReason::kTopic, ""));
  // The message tells the integrator which venue the topic named.
  const DecodeResult r = decode_at("venue/the-crown/booking/table.cleared", p);
  ASSERT_TRUE(std::holds_alternative<Refusal>(r));
  EXPECT_NE(std::get<Refusal>(r).message.find("the-crown"), std::string::npos)
      << std::get<Refusal>(r).message;
}

TEST(CodecTopic, UnknownTypesAreRefused) {
  const std::string p = R"({"id":"e1","table":"T1","check":"C1"})";
  for (std::string_view t : {
           "venue/the-anchor/till/order.closed",
           "venue/the-anchor/till/guest.seated",     // a booking type on the till
           "venue/the-anchor/booking/order.opened",  // a till type on the booking system
           "venue/the-anchor/feedback/order.opened",
           "venue/the-anchor/sensor/fridge-1/humidity",
           "venue/the-anchor/sensor/fridge-1/order.opened",
           "venue/the-anchor/till/ORDER.OPENED",
       }) {
    SCOPED_TRACE(t);
    EXPECT_TRUE(IsRefusal(decode_at(t, p), RefusalReason::kTopic, ""));
  }
}

TEST(CodecTopic, BadShapesAreRefused) {
  const std::string p = R"({"id":"e1","value":4})";
  for (std::string_view t : {
           "",
           "venue",
           "venue/the-anchor",
           "venue/the-anchor/till",
           "venue/the-anchor/till/",
           "venue//till/order.opened",
           "/venue/the-anchor/till/order.opened",
           "venues/the-anchor/till/order.opened",
           "venue/the-anchor/kitchen/order.opened",
           "venue/the-anchor/till/order.opened/again",
           "venue/the-anchor/sensor/temperature",
           "venue/the-anchor/sensor/fridge-1/temperature/x",
           "venue/the-anchor/sensor//temperature",
           "venue/the-anchor/sensor/+/temperature",
           "venue/the-anchor/sensor/#",
           "venue/the-anchor/mend/status",
           "venue/the-anchor/mend/cases/c-000123",
       }) {
    SCOPED_TRACE(t);
    EXPECT_TRUE(IsRefusal(decode_at(t, p), RefusalReason::kTopic, ""));
  }
}

TEST(CodecTopic, ParseTopicSplitsTheParts) {
  const auto sensor = parse_topic("venue/the-anchor/sensor/fridge-1/temperature");
  ASSERT_TRUE(std::holds_alternative<TopicParts>(sensor));
  const auto& s = std::get<TopicParts>(sensor);
  EXPECT_EQ(s.venue, "the-anchor");
  EXPECT_EQ(s.source, Source::kSensor);
  EXPECT_EQ(s.device, "fridge-1");
  EXPECT_EQ(s.name, "temperature");

  const auto till = parse_topic("venue/the-anchor/feedback/review.received");
  ASSERT_TRUE(std::holds_alternative<TopicParts>(till));
  EXPECT_EQ(std::get<TopicParts>(till).source, Source::kFeedback);
  EXPECT_EQ(std::get<TopicParts>(till).name, "review.received");
  EXPECT_TRUE(std::get<TopicParts>(till).device.empty());
}

// MQTT filter matching, enough for the filters the codec hands out (+ only, no #).
bool matches(std::string_view filter, std::string_view t) {
  while (true) {
    const std::size_t fs = filter.find('/');
    const std::size_t ts = t.find('/');
    const std::string_view f_level = filter.substr(0, fs);
    const std::string_view t_level = t.substr(0, ts);
    if (f_level != "+" && f_level != t_level) return false;
    if (fs == std::string_view::npos || ts == std::string_view::npos) {
      return fs == std::string_view::npos && ts == std::string_view::npos;
    }
    filter.remove_prefix(fs + 1);
    t.remove_prefix(ts + 1);
  }
}

TEST(CodecTopic, InboundFiltersAreTheContractsInboundTopics) {
  const auto filters = topics::inbound_filters(kVenue);
  EXPECT_EQ(filters, (std::vector<std::string>{
                         "venue/the-anchor/till/+", "venue/the-anchor/booking/+",
                         "venue/the-anchor/sensor/+/+", "venue/the-anchor/feedback/+"}));
  // Every fixture's topic is matched by exactly one filter.
  const auto fixtures = load_fixtures();
  ASSERT_FALSE(fixtures.empty());
  for (const Fixture& f : fixtures) {
    const auto n = std::count_if(filters.begin(), filters.end(),
                                 [&](const std::string& fl) { return matches(fl, f.topic); });
    EXPECT_EQ(n, 1) << f.topic;
  }
  // mendd never receives its own output, nor another venue's traffic.
  for (std::string_view t :
       {"venue/the-anchor/mend/status", "venue/the-anchor/mend/alerts",
        "venue/the-anchor/mend/cases/c-000123", "venue/the-crown/till/order.opened",
        "venue/the-crown/sensor/fridge-1/temperature"}) {
    for (const auto& fl : filters) EXPECT_FALSE(matches(fl, t)) << fl << " matches " << t;
  }
}

// --- ts rules ------------------------------------------------------------------------------------

class CodecTs : public ::testing::Test {
 protected:
  DecodeResult with_ts(json::Value ts) {
    return decode_at(kTopic, with_field(kBase, "ts", std::move(ts)));
  }
  const std::string kTopic = topic("booking/guest.seated");
  const std::string kBase = R"({"id":"e1","table":"T12"})";
};

TEST_F(CodecTs, MissingTsIsTheReceiveTime) {
  const DecodeResult r = decode_at(kTopic, kBase);
  ASSERT_TRUE(IsEvent(r));
  EXPECT_EQ(event_of(r).ts, kReceived);
  EXPECT_EQ(event_of(r).received, kReceived);
  EXPECT_FALSE(event_of(r).ts_from_source);
  const DecodeResult null_ts = with_ts(nullptr);
  ASSERT_TRUE(IsEvent(null_ts));
  EXPECT_EQ(event_of(null_ts).ts, kReceived);
}

TEST_F(CodecTs, Rfc3339WithAnOffsetIsConvertedToUtc) {
  const DecodeResult r = with_ts("2026-11-22T20:36:10.5+01:00");
  ASSERT_TRUE(IsEvent(r));
  EXPECT_EQ(format_rfc3339(event_of(r).ts), "2026-11-22T19:36:10.500Z");
  EXPECT_TRUE(event_of(r).ts_from_source);
  const DecodeResult west = with_ts("2026-11-22T14:36:10-05:00");
  ASSERT_TRUE(IsEvent(west));
  EXPECT_EQ(format_rfc3339(event_of(west).ts), "2026-11-22T19:36:10Z");
}

TEST_F(CodecTs, EpochMillisecondsAreExact) {
  const DecodeResult r = with_ts(std::int64_t{1795376170123});
  ASSERT_TRUE(IsEvent(r));
  EXPECT_EQ(to_ms(event_of(r).ts), 1795376170123);
  EXPECT_TRUE(event_of(r).ts_from_source);
  EXPECT_EQ(format_rfc3339(event_of(r).ts), "2026-11-22T19:36:10.123Z");
}

TEST_F(CodecTs, UpToFiveMinutesInTheFutureIsKept) {
  const DecodeResult exact = with_ts(std::int64_t{kReceivedMs + 5 * 60 * 1000});
  ASSERT_TRUE(IsEvent(exact));
  EXPECT_EQ(event_of(exact).ts, kReceived + 5min);
  EXPECT_TRUE(event_of(exact).ts_from_source);
  const DecodeResult as_text = with_ts("2026-11-22T19:50:00Z");
  ASSERT_TRUE(IsEvent(as_text));
  EXPECT_EQ(event_of(as_text).ts, kReceived + 5min);
}

TEST_F(CodecTs, MoreThanFiveMinutesInTheFutureIsTheReceiveTime) {
  for (const json::Value& ts :
       {json::Value(std::int64_t{kReceivedMs + 5 * 60 * 1000 + 1}),
        json::Value("2026-11-22T19:50:00.001Z"), json::Value("2027-01-01T00:00:00Z")}) {
    SCOPED_TRACE(json::dump(ts));
    const DecodeResult r = with_ts(ts);
    ASSERT_TRUE(IsEvent(r));
    EXPECT_EQ(event_of(r).ts, kReceived);
    EXPECT_FALSE(event_of(r).ts_from_source);
  }
}

TEST_F(CodecTs, TheToleranceIsAnOption) {
  CodecOptions o = options();
  o.future_tolerance = Millis{0};
  const DecodeResult r =
      decode(kTopic, with_field(kBase, "ts", "2026-11-22T19:45:00.001Z"), kReceived, o);
  ASSERT_TRUE(IsEvent(r));
  EXPECT_EQ(event_of(r).ts, kReceived);
}

// A guest.seated that arrives 9 minutes late keeps its own ts, so its wait counts from then.
TEST_F(CodecTs, ALateEventKeepsItsOwnTs) {
  const DecodeResult r = with_ts("2026-11-22T19:36:00Z");
  ASSERT_TRUE(IsEvent(r));
  EXPECT_EQ(event_of(r).ts, kReceived - 9min);
  EXPECT_TRUE(event_of(r).ts_from_source);
  const DecodeResult old = with_ts("2020-01-01T00:00:00Z");
  ASSERT_TRUE(IsEvent(old));
  EXPECT_EQ(format_rfc3339(event_of(old).ts), "2020-01-01T00:00:00Z");
}

TEST_F(CodecTs, BadTsIsRefused) {
  for (std::string_view bad : {"yesterday", "2026-11-22T19:32:10", "2026-11-22",
                               "2026-02-30T10:00:00Z", "2026-11-22T24:00:00Z", "19:32:10Z", ""}) {
    SCOPED_TRACE(bad);
    EXPECT_TRUE(IsRefusal(with_ts(bad), RefusalReason::kInvalidValue, "ts"));
  }
  EXPECT_TRUE(IsRefusal(with_ts(std::int64_t{-1}), RefusalReason::kInvalidValue, "ts"));
  EXPECT_TRUE(IsRefusal(with_ts(true), RefusalReason::kWrongType, "ts"));
  EXPECT_TRUE(IsRefusal(with_ts(1795376170123.5), RefusalReason::kWrongType, "ts"));
  EXPECT_TRUE(IsRefusal(with_ts(json::Object{}), RefusalReason::kWrongType, "ts"));
}

}  // namespace
}  // namespace mend
