// The venue simulator's generator. Three kinds of check: the output is well formed (ordered,
// JSON, unique ids, contract topics, accepted by mendd's codec); an independent reading of the
// message list (not the generator's own bookkeeping) finds every healthy wait well inside its
// threshold and every ground-truth failure well beyond it, and nothing else beyond; and the
// real detection engine, fed the messages on a manual clock with the printed config snippet,
// opens exactly the cases the ground truth lists.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "core/codec.hpp"
#include "core/config.hpp"
#include "core/engine.hpp"
#include "core/json.hpp"
#include "core/time.hpp"
#include "scripts/sim/sim_cli.hpp"
#include "scripts/sim/sim_random.hpp"
#include "scripts/sim/sim_text.hpp"
#include "scripts/sim/venue_sim.hpp"

namespace mend::sim {
namespace {

constexpr std::int64_t kStartWall = 1795374000000;  // 2026-11-22T19:00:00Z

// What "clearly" means in the checks: healthy waits under 70% of the threshold, injected ones
// over 130%. The generator aims tighter (60% / 140%).
constexpr double kHealthyBound = 0.7;
constexpr double kBreachBound = 1.3;

Options options_with(std::uint64_t seed, double failure_rate, double pace = 1.0) {
  Options o;
  o.seed = seed;
  o.failure_rate = failure_rate;
  o.pace = pace;
  o.start_wall_ms = kStartWall;
  return o;
}

json::Object parse_object(const std::string& text) {
  json::ParseResult r = json::parse(text);
  EXPECT_TRUE(r) << text << ": " << r.error.message;
  if (!r || r.value->as_object() == nullptr) return {};
  return *r.value->as_object();
}

std::string str(const json::Object& o, std::string_view key) {
  const json::Value* v = o.find(key);
  return v != nullptr && v->as_string() != nullptr ? *v->as_string() : std::string();
}

std::int64_t integer(const json::Object& o, std::string_view key) {
  const json::Value* v = o.find(key);
  return v != nullptr && v->as_int() ? *v->as_int() : -1;
}

double number(const json::Object& o, std::string_view key) {
  const json::Value* v = o.find(key);
  return v != nullptr && v->as_double() ? *v->as_double() : 0.0;
}

std::string subject_value(const TruthEntry& t, std::string_view key) {
  for (const auto& [k, v] : t.subject) {
    if (k == key) return v;
  }
  return {};
}

// ---- an independent reading of the message list ----------------------------------------------

// One thing mendd times, as read off the messages: started by one message, ended by another
// (or never), with the threshold that applies.
struct ObservedWait {
  std::string kind;
  std::string key;  // table, check/course, check, booking or walk-in arrival id, enquiry, device
  std::int64_t start = 0;
  std::optional<std::int64_t> end;
  std::int64_t limit = 0;
  std::int64_t length(std::int64_t service_end) const { return end.value_or(service_end) - start; }
};

struct Reading {
  std::vector<ObservedWait> waits;
  // At-once kinds: bad reviews (review id, at) and checks with their void times.
  std::vector<std::pair<std::string, std::int64_t>> bad_reviews;
  std::map<std::string, std::vector<std::int64_t>> voids;
};

std::int64_t scaled(std::int64_t ms, double pace) {
  return std::llround(static_cast<double>(ms) / pace);
}

Reading read_service(const Service& s, const Options& o) {
  const Thresholds& t = o.thresholds;
  const auto lim = [&](std::int64_t ms) { return scaled(ms, o.pace); };
  Reading r;
  std::map<std::string, std::size_t> open;  // kind|key -> index into waits
  const auto start = [&](const std::string& kind, const std::string& key, std::int64_t at,
                         std::int64_t limit) {
    const std::string k = kind + "|" + key;
    if (open.count(k) != 0) return;
    open[k] = r.waits.size();
    r.waits.push_back(ObservedWait{kind, key, at, std::nullopt, limit});
  };
  const auto end = [&](const std::string& kind, const std::string& key, std::int64_t at) {
    auto it = open.find(kind + "|" + key);
    if (it == open.end()) return;
    r.waits[it->second].end = at;
    open.erase(it);
  };
  std::map<std::int64_t, std::deque<std::string>> walk_ins;  // party size -> arrival ids
  std::map<std::string, std::int64_t> last_heard;            // device -> last message
  std::map<std::string, bool> offline;

  const std::regex sensor(R"(venue/[^/]+/sensor/([^/]+)/([^/]+))");
  for (const Message& m : s.messages) {
    std::smatch sm;
    if (std::regex_match(m.topic, sm, sensor)) {
      const std::string device = sm[1];
      const std::string reading = sm[2];
      const auto spec = std::find_if(devices().begin(), devices().end(),
                                     [&](const DeviceSpec& d) { return d.id == device; });
      // Silence: a gap between two messages of a watched device. An offline status is no
      // sign of life (mendd's silence watch runs on through it).
      const bool sign_of_life = !(reading == "status" && m.payload == "offline");
      if (sign_of_life && spec->watch_silence && t.device_silence > 0 &&
          last_heard.count(device) != 0) {
        const std::int64_t gap = m.at_ms - last_heard[device];
        if (gap > 0) {
          r.waits.push_back(ObservedWait{"device.offline", device, last_heard[device], m.at_ms,
                                         lim(t.device_silence)});
        }
      }
      if (sign_of_life) last_heard[device] = m.at_ms;
      if (reading == "status") {
        if (m.payload == "offline") {
          start("device.offline.status", device, m.at_ms, lim(t.device_offline));
        } else {
          end("device.offline.status", device, m.at_ms);
        }
        continue;
      }
      end("device.offline.status", device, m.at_ms);  // any message: the device is alive
      const json::Object p = parse_object(m.payload);
      if (reading == "temperature") {
        const double c = number(p, "value");
        if (c < *spec->low || c > *spec->high) {
          start("temperature.out_of_range", device, m.at_ms, lim(t.temperature_for));
        } else {
          end("temperature.out_of_range", device, m.at_ms);
        }
      } else if (reading == "callbutton") {
        if (str(p, "state") == "pressed") {
          start("call.unanswered", str(p, "table"), m.at_ms, lim(t.call_unanswered));
        } else {
          end("call.unanswered", str(p, "table"), m.at_ms);
        }
      }
      continue;
    }
    const std::string type = m.topic.substr(m.topic.rfind('/') + 1);
    const json::Object p = parse_object(m.payload);
    const std::string table = str(p, "table");
    const std::string check = str(p, "check");
    if (type == "guest.arrived") {
      if (p.find("booking") != nullptr) {
        start("arrival.unseated", str(p, "booking"), m.at_ms, lim(t.arrival_unseated));
      } else {
        walk_ins[integer(p, "party")].push_back(str(p, "id"));
        start("arrival.unseated", str(p, "id"), m.at_ms, lim(t.arrival_unseated));
      }
    } else if (type == "guest.seated") {
      if (p.find("booking") != nullptr) {
        end("arrival.unseated", str(p, "booking"), m.at_ms);
      } else {
        auto& q = walk_ins[integer(p, "party")];
        EXPECT_FALSE(q.empty()) << "a walk-in seated who never arrived: " << m.payload;
        if (!q.empty()) {
          end("arrival.unseated", q.front(), m.at_ms);
          q.pop_front();
        }
      }
      start("table.no_order", table, m.at_ms, lim(t.table_no_order));
    } else if (type == "order.opened") {
      end("table.no_order", table, m.at_ms);
    } else if (type == "items.fired") {
      const std::string course = str(p, "course");
      start("course.slow", check + "/" + course, m.at_ms, lim(t.course(course)));
    } else if (type == "items.served") {
      end("course.slow", check + "/" + str(p, "course"), m.at_ms);
    } else if (type == "check.requested") {
      start("bill.slow", check, m.at_ms, lim(t.bill_slow));
    } else if (type == "check.paid") {
      end("bill.slow", check, m.at_ms);
      for (const auto& course : {"drinks", "starter", "main", "dessert"}) {
        end("course.slow", check + "/" + course, m.at_ms);  // paid: nothing more will come
      }
    } else if (type == "item.voided") {
      r.voids[check].push_back(m.at_ms);
    } else if (type == "table.cleared") {
      end("table.no_order", table, m.at_ms);
    } else if (type == "enquiry.received") {
      start("enquiry.unanswered", str(p, "enquiry"), m.at_ms, lim(t.enquiry_unanswered));
    } else if (type == "enquiry.answered") {
      end("enquiry.unanswered", str(p, "enquiry"), m.at_ms);
    } else if (type == "review.received") {
      if (integer(p, "rating") <= t.review_max_rating) {
        r.bad_reviews.emplace_back(str(p, "review"), m.at_ms);
      }
    }
  }
  // The service's end: a watched device is silent from its last message on.
  for (const auto& [device, at] : last_heard) {
    const auto spec = std::find_if(devices().begin(), devices().end(),
                                   [&](const DeviceSpec& d) { return d.id == device; });
    if (spec->watch_silence && t.device_silence > 0) {
      r.waits.push_back(
          ObservedWait{"device.offline", device, at, s.end_ms, lim(t.device_silence)});
    }
  }
  return r;
}

// The key a truth entry's subject gives in the reading above.
std::string truth_key(const TruthEntry& t) {
  if (t.kind == "course.slow") return subject_value(t, "check") + "/" + subject_value(t, "course");
  if (t.kind == "bill.slow" || t.kind == "voids.repeated") return subject_value(t, "check");
  if (t.kind == "table.no_order" || t.kind == "call.unanswered") return subject_value(t, "table");
  if (t.kind == "arrival.unseated") {
    const std::string b = subject_value(t, "booking");
    return b.empty() ? subject_value(t, "walk_in") : b;
  }
  if (t.kind == "enquiry.unanswered") return subject_value(t, "enquiry");
  if (t.kind == "review.negative") return subject_value(t, "review");
  return subject_value(t, "device");
}

// ---- the real engine, on a manual clock ------------------------------------------------------

struct Opened {
  std::string kind;
  Subject subject;
  std::int64_t at_ms = 0;
  std::string first_evidence;
};

Config config_for(const Options& o) {
  const std::string toml = "[venue]\nid = \"" + o.venue + "\"\n\n" + config_snippet(o);
  ConfigResult r = parse_config(toml, "snippet.toml");
  for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
  return r.config.value_or(Config{});
}

std::vector<Opened> replay(const Service& s, const Options& o) {
  const Config config = config_for(o);
  Engine engine(DetectionSettings::from(config));
  CodecOptions codec;
  codec.venue = o.venue;
  std::vector<Opened> opened;
  constexpr std::int64_t kMonoBase = 1000000;
  const auto now_at = [&](std::int64_t offset) {
    return Now{wall_from_ms(o.start_wall_ms + offset), mono_from_ms(kMonoBase + offset)};
  };
  const auto collect = [&](const EngineOutput& out) {
    for (const Decision& d : out.decisions) {
      if (d.op != Decision::Op::kOpen) continue;
      opened.push_back(Opened{std::string(case_kind_name(d.kind)), d.subject,
                              to_ms(d.at) - o.start_wall_ms,
                              d.evidence.empty() ? std::string() : d.evidence.front().event});
    }
  };
  const auto run_until = [&](std::int64_t offset) {
    while (auto due = engine.next_deadline()) {
      const std::int64_t due_offset = to_ms(*due) - kMonoBase;
      if (due_offset > offset) break;
      collect(engine.on_tick(now_at(due_offset)));
    }
  };
  for (const Message& m : s.messages) {
    run_until(m.at_ms);
    DecodeResult d = decode(m.topic, m.payload, now_at(m.at_ms).wall, codec);
    if (auto* refusal = std::get_if<Refusal>(&d)) {
      ADD_FAILURE() << m.topic << " " << m.payload << ": " << refusal->message;
      continue;
    }
    collect(engine.on_event(std::get<Event>(d), now_at(m.at_ms)));
  }
  run_until(s.end_ms);
  return opened;
}

bool same_subject(const TruthEntry& t, const Opened& c) {
  const auto want = [&](std::string_view key, const std::string& have) {
    const std::string v = subject_value(t, key);
    return v.empty() || v == have;
  };
  if (t.kind == "pattern.recurring") {
    return want("kind", c.subject.kind) && want("area", c.subject.area) &&
           want("course", c.subject.course);
  }
  if (const std::string walk_in = subject_value(t, "walk_in"); !walk_in.empty()) {
    return c.first_evidence == walk_in;
  }
  return want("table", c.subject.table) && want("check", c.subject.check) &&
         want("course", c.subject.course) && want("booking", c.subject.booking) &&
         want("device", c.subject.device) && want("enquiry", c.subject.enquiry) &&
         want("review", c.subject.review);
}

// ---- output shape ----------------------------------------------------------------------------

TEST(VenueSim, SameSeedGivesTheSameService) {
  const Options o = options_with(42, 0.2);
  const Service a = generate(o);
  const Service b = generate(o);
  ASSERT_EQ(a.messages.size(), b.messages.size());
  for (std::size_t i = 0; i < a.messages.size(); ++i) {
    EXPECT_EQ(a.messages[i].at_ms, b.messages[i].at_ms);
    EXPECT_EQ(a.messages[i].topic, b.messages[i].topic);
    EXPECT_EQ(a.messages[i].payload, b.messages[i].payload);
  }
  ASSERT_EQ(a.truth.size(), b.truth.size());
  for (std::size_t i = 0; i < a.truth.size(); ++i) {
    EXPECT_EQ(truth_json_line(a.truth[i], o), truth_json_line(b.truth[i], o));
  }
}

TEST(VenueSim, DifferentSeedsGiveDifferentServices) {
  const Service a = generate(options_with(1, 0.2));
  const Service b = generate(options_with(2, 0.2));
  std::string ta;
  std::string tb;
  for (const Message& m : a.messages) ta += m.topic + m.payload;
  for (const Message& m : b.messages) tb += m.topic + m.payload;
  EXPECT_NE(ta, tb);
}

TEST(VenueSim, RandomHelpersAreFixedBitsToNumbers) {
  // The generator's determinism rests on these, not on the standard library's distributions.
  Rng a(7);
  Rng b(7);
  for (int i = 0; i < 1000; ++i) {
    const std::int64_t x = a.between(-5, 5);
    EXPECT_EQ(x, b.between(-5, 5));
    EXPECT_GE(x, -5);
    EXPECT_LE(x, 5);
    const double u = a.unit();
    EXPECT_EQ(u, b.unit());
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
  }
  // mt19937_64's 10000th output is fixed by the standard.
  std::mt19937_64 reference;
  reference.discard(9999);
  EXPECT_EQ(reference(), 9981545732273789042ULL);
}

TEST(VenueSim, MessagesAreInTimeOrderWithinTheService) {
  for (std::uint64_t seed : {1, 2, 3}) {
    const Service s = generate(options_with(seed, 0.3));
    ASSERT_FALSE(s.messages.empty());
    EXPECT_TRUE(
        std::is_sorted(s.messages.begin(), s.messages.end(),
                       [](const Message& a, const Message& b) { return a.at_ms < b.at_ms; }));
    EXPECT_GE(s.messages.front().at_ms, 0);
    EXPECT_LE(s.messages.back().at_ms, s.end_ms);
    EXPECT_TRUE(
        std::is_sorted(s.truth.begin(), s.truth.end(),
                       [](const TruthEntry& a, const TruthEntry& b) { return a.at_ms < b.at_ms; }));
    for (const TruthEntry& t : s.truth) EXPECT_LE(t.at_ms, s.end_ms) << t.kind;
  }
}

TEST(VenueSim, EveryPayloadIsJsonWithAUniqueIdAndItsOwnTs) {
  for (double pace : {1.0, 60.0}) {
    const Options o = options_with(5, 0.3, pace);
    const Service s = generate(o);
    std::set<std::string> ids;
    for (const Message& m : s.messages) {
      if (m.topic.ends_with("/status")) {
        EXPECT_TRUE(m.payload == "online" || m.payload == "offline") << m.payload;
        continue;
      }
      const json::Object p = parse_object(m.payload);
      const std::string id = str(p, "id");
      ASSERT_FALSE(id.empty()) << m.payload;
      EXPECT_TRUE(ids.insert(id).second) << "duplicate id " << id;
      const std::optional<WallTime> ts = parse_rfc3339(str(p, "ts"));
      ASSERT_TRUE(ts) << m.payload;
      // The compressed clock: a late or future ts is never faked.
      EXPECT_EQ(to_ms(*ts), o.start_wall_ms + m.at_ms) << m.payload;
    }
    EXPECT_GT(ids.size(), 500U);
  }
}

TEST(VenueSim, TopicsQosAndRetainFollowTheContract) {
  const Options o = options_with(9, 0.3);
  const Service s = generate(o);
  const std::regex till(R"(venue/the-anchor/till/(order\.opened|items\.fired|items\.served|)"
                        R"(check\.requested|check\.paid|item\.voided))");
  const std::regex booking(R"(venue/the-anchor/booking/(booking\.created|booking\.cancelled|)"
                           R"(guest\.arrived|guest\.seated|table\.cleared|enquiry\.received|)"
                           R"(enquiry\.answered))");
  const std::regex sensor(R"(venue/the-anchor/sensor/(fridge-1|freezer-1|btn-1)/)"
                          R"((temperature|callbutton|status))");
  const std::regex feedback(R"(venue/the-anchor/feedback/review\.received)");
  std::set<std::string> types;
  for (const Message& m : s.messages) {
    const bool ok = std::regex_match(m.topic, till) || std::regex_match(m.topic, booking) ||
                    std::regex_match(m.topic, sensor) || std::regex_match(m.topic, feedback);
    EXPECT_TRUE(ok) << m.topic;
    types.insert(m.topic.substr(m.topic.find('/', 6) + 1));
    if (m.topic.ends_with("/status")) {
      EXPECT_TRUE(m.retained);
      EXPECT_EQ(m.qos, 1);
    } else if (m.topic.ends_with("/temperature")) {
      EXPECT_FALSE(m.retained);
      EXPECT_LE(m.qos, 1);
    } else {
      EXPECT_FALSE(m.retained) << m.topic;
      EXPECT_EQ(m.qos, 1) << m.topic;
    }
  }
  // A real evening uses every part of the contract the sim claims to play.
  for (const char* t :
       {"till/order.opened", "till/items.fired", "till/items.served", "till/check.requested",
        "till/check.paid", "booking/booking.created", "booking/guest.arrived",
        "booking/guest.seated", "booking/table.cleared", "booking/enquiry.received",
        "booking/enquiry.answered", "sensor/fridge-1/temperature", "sensor/freezer-1/temperature",
        "sensor/btn-1/callbutton", "sensor/fridge-1/status", "feedback/review.received"}) {
    EXPECT_EQ(types.count(t), 1U) << t;
  }
  // The devices announce themselves online (retained) as service opens.
  ASSERT_GE(s.messages.size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(s.messages[i].at_ms, 0);
    EXPECT_EQ(s.messages[i].payload, "online");
  }
}

TEST(VenueSim, MendsCodecAcceptsEveryMessage) {
  const Options o = options_with(11, 0.3, 60);
  const Service s = generate(o);
  CodecOptions codec;
  codec.venue = o.venue;
  for (const Message& m : s.messages) {
    DecodeResult d = decode(m.topic, m.payload, wall_from_ms(o.start_wall_ms + m.at_ms), codec);
    if (auto* r = std::get_if<Refusal>(&d)) ADD_FAILURE() << m.payload << ": " << r->message;
  }
}

TEST(VenueSim, IdsDifferBetweenRunsSoMendDoesNotDropThemAsDuplicates) {
  Options a = options_with(3, 0.1);
  Options b = a;
  b.start_wall_ms += 24 * kHour;
  const Service sa = generate(a);
  const Service sb = generate(b);
  std::set<std::string> ids;
  for (const Message& m : sa.messages) {
    if (m.payload.front() == '{') ids.insert(str(parse_object(m.payload), "id"));
  }
  for (const Message& m : sb.messages) {
    if (m.payload.front() == '{') {
      EXPECT_EQ(ids.count(str(parse_object(m.payload), "id")), 0U);
    }
  }
}

// ---- healthy service ---------------------------------------------------------------------------

TEST(VenueSim, HealthyServiceHasNoTruthAndEveryWaitWellInsideItsThreshold) {
  for (std::uint64_t seed : {1, 2, 3, 4, 5, 6}) {
    for (double pace : {1.0, 60.0}) {
      const Options o = options_with(seed, 0.0, pace);
      const Service s = generate(o);
      EXPECT_TRUE(s.truth.empty());
      EXPECT_TRUE(s.injected.empty());
      EXPECT_GT(s.stats.seatings, 20) << "seed " << seed;
      const Reading r = read_service(s, o);
      std::map<std::string, int> seen;
      for (const ObservedWait& w : r.waits) {
        ++seen[w.kind];
        EXPECT_TRUE(w.end.has_value())
            << "seed " << seed << ": " << w.kind << " " << w.key << " never ended";
        EXPECT_LE(static_cast<double>(w.length(s.end_ms)),
                  kHealthyBound * static_cast<double>(w.limit))
            << "seed " << seed << " pace " << pace << ": " << w.kind << " " << w.key << " from "
            << w.start;
      }
      for (const char* kind : {"table.no_order", "course.slow", "bill.slow", "arrival.unseated",
                               "call.unanswered", "enquiry.unanswered", "device.offline"}) {
        EXPECT_GT(seen[kind], 0) << kind << " never exercised, seed " << seed;
      }
      EXPECT_EQ(seen["device.offline.status"], 0);
      EXPECT_TRUE(r.bad_reviews.empty());
      for (const auto& [check, times] : r.voids) {
        EXPECT_LT(static_cast<int>(times.size()), o.thresholds.voids_count) << check;
      }
    }
  }
}

TEST(VenueSim, HealthyServiceOpensNoCaseInTheEngine) {
  for (std::uint64_t seed : {1, 2, 3}) {
    const Options o = options_with(seed, 0.0, 60);
    const std::vector<Opened> opened = replay(generate(o), o);
    for (const Opened& c : opened) {
      ADD_FAILURE() << "seed " << seed << ": " << c.kind << " at " << c.at_ms << " table "
                    << c.subject.table << " device " << c.subject.device;
    }
  }
}

// ---- injected failures -------------------------------------------------------------------------

TEST(VenueSim, EveryTruthEntryIsBackedByTheMessagesAndNothingElseBreaches) {
  std::map<std::string, int> kinds;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    for (double pace : {1.0, 60.0}) {
      const Options o = options_with(seed, 0.3, pace);
      const Service s = generate(o);
      const Reading r = read_service(s, o);
      std::set<std::size_t> backed;  // waits the truth accounts for
      for (const TruthEntry& t : s.truth) {
        if (t.derived) continue;
        ++kinds[t.kind];
        const std::string key = truth_key(t);
        SCOPED_TRACE("seed " + std::to_string(seed) + " " + t.kind + " " + key);
        if (t.kind == "review.negative") {
          EXPECT_NE(
              std::find(r.bad_reviews.begin(), r.bad_reviews.end(), std::make_pair(key, t.at_ms)),
              r.bad_reviews.end());
          continue;
        }
        if (t.kind == "voids.repeated") {
          const auto it = r.voids.find(key);
          ASSERT_NE(it, r.voids.end());
          ASSERT_GE(static_cast<int>(it->second.size()), o.thresholds.voids_count);
          EXPECT_EQ(it->second[static_cast<std::size_t>(o.thresholds.voids_count - 1)], t.at_ms);
          continue;
        }
        // A wait that started when the truth says, and went clearly past its threshold. An
        // offline device shows as silence, or as an offline status, or both.
        bool found = false;
        for (std::size_t i = 0; i < r.waits.size(); ++i) {
          const ObservedWait& w = r.waits[i];
          const bool kind_matches =
              w.kind == t.kind || (t.kind == "device.offline" && w.kind == "device.offline.status");
          if (!kind_matches || w.key != key) continue;
          if (w.start == t.started_ms) {
            found = true;
            EXPECT_EQ(w.limit, t.threshold_ms);
            if (w.end) {
              EXPECT_GE(static_cast<double>(*w.end - w.start),
                        kBreachBound * static_cast<double>(w.limit));
            } else {
              // Never answered: mendd keeps waiting past the end; it must breach well before.
              EXPECT_LE(static_cast<double>(t.at_ms),
                        static_cast<double>(s.end_ms) - 0.1 * static_cast<double>(w.limit));
            }
          }
          // Every wait of this subject that breached belongs to this failure.
          if (static_cast<double>(w.length(s.end_ms)) > kHealthyBound * w.limit &&
              w.start <= t.at_ms && w.start + w.length(s.end_ms) >= t.started_ms) {
            backed.insert(i);
          }
        }
        EXPECT_TRUE(found);
      }
      // The converse: no wait the truth does not list went past 70% of its threshold.
      for (std::size_t i = 0; i < r.waits.size(); ++i) {
        const ObservedWait& w = r.waits[i];
        if (backed.count(i) != 0) continue;
        EXPECT_LE(static_cast<double>(w.length(s.end_ms)), kHealthyBound * w.limit)
            << "seed " << seed << " pace " << pace << ": unlisted " << w.kind << " " << w.key
            << " from " << w.start;
      }
    }
  }
  for (const char* kind : {"table.no_order", "course.slow", "bill.slow", "call.unanswered",
                           "arrival.unseated", "enquiry.unanswered", "temperature.out_of_range",
                           "device.offline", "review.negative", "voids.repeated"}) {
    EXPECT_GT(kinds[kind], 0) << kind << " never injected";
  }
}

TEST(VenueSim, EngineOpensExactlyTheCasesOfTheTruth) {
  int derived = 0;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const Options o = options_with(seed, 0.25, 60);
    const Service s = generate(o);
    std::vector<Opened> opened = replay(s, o);
    std::vector<bool> used(opened.size(), false);
    for (const TruthEntry& t : s.truth) {
      derived += t.derived ? 1 : 0;
      bool found = false;
      for (std::size_t i = 0; i < opened.size() && !found; ++i) {
        if (used[i] || opened[i].kind != t.kind || !same_subject(t, opened[i])) continue;
        EXPECT_EQ(opened[i].at_ms, t.at_ms) << t.kind << " " << truth_json_line(t, o);
        used[i] = true;
        found = true;
      }
      EXPECT_TRUE(found) << "seed " << seed << ": not opened: " << truth_json_line(t, o);
    }
    for (std::size_t i = 0; i < opened.size(); ++i) {
      EXPECT_TRUE(used[i]) << "seed " << seed << ": opened but not in the truth: " << opened[i].kind
                           << " at " << opened[i].at_ms << " table " << opened[i].subject.table
                           << " check " << opened[i].subject.check << " device "
                           << opened[i].subject.device << " kind " << opened[i].subject.kind
                           << " area " << opened[i].subject.area;
    }
  }
  EXPECT_GT(derived, 0) << "no pattern.recurring derived: the comparison above never saw one";
}

TEST(VenueSim, FailureRateZeroAndOneBracketTheInjections) {
  const Service none = generate(options_with(4, 0.0));
  const Service some = generate(options_with(4, 0.15));
  const Service all = generate(options_with(4, 1.0));
  EXPECT_TRUE(none.truth.empty());
  int n_some = 0;
  int n_all = 0;
  for (const auto& [kind, n] : some.injected) n_some += n;
  for (const auto& [kind, n] : all.injected) n_all += n;
  EXPECT_GT(n_some, 0);
  EXPECT_GT(n_all, n_some);
  // The plan of the evening does not depend on the failure draws: the same bookings are made.
  const auto bookings = [](const Service& s) {
    std::vector<std::string> out;  // everything but the event id, which counts all messages
    for (const Message& m : s.messages) {
      if (!m.topic.ends_with("booking.created")) continue;
      json::Object p = parse_object(m.payload);
      p.erase("id");
      out.push_back(json::dump(json::Value(std::move(p))));
    }
    return out;
  };
  EXPECT_EQ(bookings(none), bookings(some));
  EXPECT_FALSE(bookings(none).empty());
}

// ---- pace --------------------------------------------------------------------------------------

TEST(VenueSim, PaceDividesOffsetsAndThresholds) {
  const Options slow = options_with(8, 0.3, 1);
  const Options fast = options_with(8, 0.3, 60);
  const Service a = generate(slow);
  const Service b = generate(fast);
  EXPECT_EQ(a.end_ms, 3 * kHour);
  EXPECT_EQ(b.end_ms, 3 * kMinute);
  ASSERT_EQ(a.messages.size(), b.messages.size());
  for (std::size_t i = 0; i < a.messages.size(); ++i) {
    EXPECT_EQ(a.messages[i].topic, b.messages[i].topic);
    EXPECT_EQ(b.messages[i].at_ms, std::llround(static_cast<double>(a.messages[i].at_ms) / 60));
  }
  ASSERT_EQ(a.truth.size(), b.truth.size());
  for (std::size_t i = 0; i < a.truth.size(); ++i) {
    EXPECT_EQ(a.truth[i].kind, b.truth[i].kind);
    EXPECT_EQ(a.truth[i].subject, b.truth[i].subject);
    EXPECT_EQ(b.truth[i].threshold_ms, std::llround(a.truth[i].threshold_ms / 60.0));
    EXPECT_NEAR(static_cast<double>(b.truth[i].at_ms), a.truth[i].at_ms / 60.0, 1.0);
  }

  const std::string snippet = config_snippet(fast);
  EXPECT_NE(snippet.find("table_no_order = \"10s\""), std::string::npos) << snippet;
  EXPECT_NE(snippet.find("enquiry_unanswered = \"2m\""), std::string::npos);
  EXPECT_NE(snippet.find("main = \"25s\""), std::string::npos);
  const Config c = config_for(fast);
  EXPECT_EQ(c.detect.table_no_order, std::chrono::seconds(10));
  EXPECT_EQ(c.detect.course.at("starter"), std::chrono::seconds(15));
  EXPECT_EQ(c.detect.course.at("drinks"), std::chrono::seconds(8));
  EXPECT_EQ(c.detect.bill_slow, std::chrono::seconds(8));
  EXPECT_EQ(c.detect.call_unanswered, std::chrono::seconds(3));
  EXPECT_EQ(c.detect.temperature_for, std::chrono::seconds(15));
  EXPECT_EQ(c.detect.device_silence, std::chrono::seconds(5));
  EXPECT_EQ(c.detect.pattern_window, std::chrono::minutes(2));
  ASSERT_EQ(c.devices.size(), 3U);
  EXPECT_EQ(c.devices[1].low, -25.0);
  EXPECT_EQ(c.devices[2].silence, Millis{0});
  ASSERT_EQ(c.areas.size(), 3U);
  EXPECT_EQ(c.areas[1].tables.front(), "T11");

  // An uneven pace still gives mendd a duration it reads: 10m / 7 = 85714ms.
  const Config odd = config_for(options_with(8, 0.3, 7));
  EXPECT_EQ(odd.detect.table_no_order, Millis{85714});
}

TEST(VenueSim, ThresholdOptionsMoveTheInjectedWaits) {
  Options o = options_with(12, 0.5);
  ASSERT_FALSE(set_threshold(o.thresholds, "table_no_order", "4m"));
  ASSERT_FALSE(set_threshold(o.thresholds, "course.main", "40m"));
  const Service s = generate(o);
  int checked = 0;
  for (const TruthEntry& t : s.truth) {
    if (t.kind == "table.no_order") {
      EXPECT_EQ(t.threshold_ms, 4 * kMinute);
      ++checked;
    }
    if (t.kind == "course.slow" && subject_value(t, "course") == "main") {
      EXPECT_EQ(t.threshold_ms, 40 * kMinute);
      ++checked;
    }
  }
  EXPECT_GT(checked, 0);
  EXPECT_NE(config_snippet(o).find("table_no_order = \"4m\""), std::string::npos);
}

// ---- options -----------------------------------------------------------------------------------

TEST(VenueSimOptions, ValidateRefusesWhatCannotBeHonoured) {
  EXPECT_FALSE(validate(options_with(1, 0.1)));
  Options o = options_with(1, 0.1);
  o.reading_interval_ms = 4 * kMinute;  // over 60% of the 5m silence limit
  EXPECT_TRUE(validate(o));
  o = options_with(1, 0.1, 10000);  // 3m call limit -> 18ms
  EXPECT_TRUE(validate(o));
  o = options_with(1, 1.5);
  EXPECT_TRUE(validate(o));
  o = options_with(1, 0.1);
  o.venue = "The Anchor";
  EXPECT_TRUE(validate(o));
  Thresholds t;
  EXPECT_TRUE(set_threshold(t, "review_max_rating", "4"));  // healthy reviews are 4-5
  EXPECT_TRUE(set_threshold(t, "nonsense", "1m"));
  EXPECT_TRUE(set_threshold(t, "bill_slow", "eight minutes"));
  EXPECT_TRUE(set_threshold(t, "bill_slow", "0s"));
  EXPECT_FALSE(set_threshold(t, "device_silence", "0s"));  // 0: not watched
}

TEST(VenueSimOptions, SilenceOffMeansNoSilenceInjected) {
  Options o = options_with(3, 1.0);
  ASSERT_FALSE(set_threshold(o.thresholds, "device_silence", "0s"));
  ASSERT_FALSE(validate(o));
  const Service s = generate(o);
  for (const TruthEntry& t : s.truth) {
    if (t.kind == "device.offline") {
      EXPECT_EQ(t.threshold_ms, o.thresholds.device_offline);
    }
  }
}

TEST(VenueSimCli, ParsesOptionsAndDefaults) {
  const CliResult r =
      parse_cli({"--seed", "77", "--pace=60", "--failure-rate", "0.2", "--duration", "2h",
                 "--tables", "12", "--threshold", "bill_slow=5m", "--truth", "t.jsonl",
                 "--start-wall", "1795374000000", "--dry-run", "--venue", "harbour-1"});
  ASSERT_TRUE(r.settings) << r.error;
  const CliSettings& s = *r.settings;
  EXPECT_EQ(s.options.seed, 77U);
  EXPECT_EQ(s.options.pace, 60.0);
  EXPECT_EQ(s.options.failure_rate, 0.2);
  EXPECT_EQ(s.options.duration_ms, 2 * kHour);
  EXPECT_EQ(s.options.tables, 12);
  EXPECT_EQ(s.options.thresholds.bill_slow, 5 * kMinute);
  EXPECT_EQ(s.truth_path, "t.jsonl");
  EXPECT_TRUE(s.start_wall_given);
  EXPECT_TRUE(s.dry_run);
  EXPECT_EQ(s.client_id, "venue-sim-harbour-1");
  EXPECT_EQ(s.host, "127.0.0.1");
  EXPECT_EQ(s.port, 1883);

  const CliResult d = parse_cli({});
  ASSERT_TRUE(d.settings);
  EXPECT_EQ(d.settings->options.failure_rate, kDefaultFailureRate);
  EXPECT_EQ(d.settings->options.duration_ms, 3 * kHour);
  EXPECT_FALSE(d.settings->start_wall_given);
}

TEST(VenueSimCli, RefusesBadOptionsWithAReason) {
  EXPECT_NE(parse_cli({"--pace"}).error.find("needs a value"), std::string::npos);
  EXPECT_NE(parse_cli({"--pace", "fast"}).error.find("--pace"), std::string::npos);
  EXPECT_NE(parse_cli({"--failure-rate", "2"}).error.find("0 to 1"), std::string::npos);
  EXPECT_NE(parse_cli({"--duration", "3 hours"}).error.find("duration"), std::string::npos);
  EXPECT_NE(parse_cli({"--threshold", "bill_slow"}).error.find("KEY=VALUE"), std::string::npos);
  EXPECT_NE(parse_cli({"--threshold", "nope=1m"}).error.find("unknown threshold"),
            std::string::npos);
  EXPECT_NE(parse_cli({"--frobnicate"}).error.find("unknown option"), std::string::npos);
  EXPECT_NE(parse_cli({"--quiet=yes"}).error.find("takes no value"), std::string::npos);
  EXPECT_NE(usage().find("--print-config-snippet"), std::string::npos);
}

// ---- text --------------------------------------------------------------------------------------

TEST(VenueSimText, TimesAndDurationsAsMendReadsThem) {
  EXPECT_EQ(format_rfc3339_ms(kStartWall), "2026-11-22T19:00:00.000Z");
  EXPECT_EQ(format_rfc3339_ms(kStartWall + 123), "2026-11-22T19:00:00.123Z");
  EXPECT_EQ(format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339_ms(951782400000), "2000-02-29T00:00:00.000Z");
  for (std::int64_t t : {std::int64_t{0}, kStartWall, kStartWall + 86399999, 4102444800123}) {
    EXPECT_EQ(to_ms(*parse_rfc3339(format_rfc3339_ms(t))), t);
  }
  EXPECT_EQ(format_duration_ms(90000), "1m30s");
  EXPECT_EQ(format_duration_ms(85714), "1m25s714ms");
  EXPECT_EQ(format_duration_ms(0), "0s");
  EXPECT_EQ(format_duration_ms(2 * kHour), "2h");
  for (std::int64_t ms : {std::int64_t{1}, std::int64_t{250}, std::int64_t{85714}, kDay + 1}) {
    EXPECT_EQ(parse_duration_ms(format_duration_ms(ms)), ms);
    EXPECT_EQ(parse_duration(format_duration_ms(ms)), Millis{ms});  // mendd's own parser
  }
  EXPECT_FALSE(parse_duration_ms("10"));
  EXPECT_FALSE(parse_duration_ms("1s1m"));
  EXPECT_FALSE(parse_duration_ms("1.5m"));
}

TEST(VenueSimText, JsonLinesParse) {
  const Options o = options_with(2, 0.4);
  const Service s = generate(o);
  for (const Message& m : s.messages) {
    const json::Object line = parse_object(message_json_line(m));
    EXPECT_EQ(str(line, "topic"), m.topic);
    EXPECT_EQ(integer(line, "at_ms"), m.at_ms);
  }
  ASSERT_FALSE(s.truth.empty());
  for (const TruthEntry& t : s.truth) {
    const json::Object line = parse_object(truth_json_line(t, o));
    EXPECT_EQ(str(line, "kind"), t.kind);
    EXPECT_EQ(to_ms(*parse_rfc3339(str(line, "at"))), o.start_wall_ms + t.at_ms);
  }
  JsonObject weird;
  weird.str("k", "quote \" backslash \\ newline \n tab \t bell \x07 é");
  EXPECT_EQ(str(parse_object(weird.text()), "k"),
            "quote \" backslash \\ newline \n tab \t bell \x07 é");
}

}  // namespace
}  // namespace mend::sim
