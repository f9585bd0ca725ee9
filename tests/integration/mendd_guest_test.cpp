// A guest's export and erasure as an installer does them: `mendctl guest export|erase` against
// the real mendd (and a real Mosquitto and SQLite file). After the erasure, the guest's name,
// email and phone are nowhere in the database file or its write-ahead log (the raw bytes are
// scanned), while the venue's counts of cases and events are what they were.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

#include "core/json.hpp"
#include "tests/integration/harness.hpp"

namespace mend::test {
namespace {

const std::string kVenue = "test-venue";
const std::string kBase = "venue/" + kVenue + "/";

int g_id = 0;
std::string payload(const std::string& fields) {
  return R"({"id":"g-)" + std::to_string(now_ms()) + "-" + std::to_string(++g_id) + R"(","ts":)" +
         std::to_string(now_ms()) + "," + fields + "}";
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Which of `words` the file's bytes hold, ignoring case ("" for a file that is not there).
std::vector<std::string> found_in(const std::string& path, const std::vector<std::string>& words) {
  std::vector<std::string> found;
  if (!std::filesystem::exists(path)) return found;
  const std::string bytes = lower(read_file(path));
  for (const std::string& w : words) {
    if (bytes.find(lower(w)) != std::string::npos) found.push_back(w);
  }
  return found;
}

std::int64_t count(const std::string& db, const std::string& table) {
  return std::stoll(sql(db, "SELECT count(*) FROM " + table).at(0));
}

TEST(GuestErasure, LeavesNoTraceOfTheGuestInTheFileOrItsLogAndKeepsTheCounts) {
  TempDir dir;
  Mosquitto broker(dir);
  MenddOptions o;
  o.venue = kVenue;
  o.detect = "table_no_order = \"1s\"\nenquiry_unanswered = \"1s\"\n";
  Mendd mendd(dir, broker.port(), o);
  mendd.start();
  MqttProbe probe(broker.port(), "guest-probe");

  // Zelda books with her details and a note, is seated and never asked for her order; she also
  // sends an enquiry nobody answers. One of her bookings is refused (no party) and kept.
  const std::string customer =
      R"("customer":{"id":"cust-zq","name":"Zelda Quixote","email":"Zelda.Q@Example.org",)"
      R"("phone":"+44 7700 900123"})";
  probe.publish(kBase + "booking/booking.created",
                payload(R"("booking":"B-zq","at":"2026-12-06T19:00:00Z","party":2,)" + customer +
                        R"(,"notes":"Zelda's birthday; nut allergy")"));
  probe.publish(kBase + "booking/booking.created",
                payload(R"("booking":"B-zq2","at":"2026-12-07T19:00:00Z",)" + customer));
  probe.publish(kBase + "booking/guest.seated", payload(R"("table":"T4","booking":"B-zq")"));
  probe.publish(
      kBase + "booking/enquiry.received",
      payload(
          R"("enquiry":"E-zq","channel":"email","customer":{"email":"zelda.q@example.org","phone":"07700 900123"})"));
  // Someone else, who stays.
  probe.publish(kBase + "booking/booking.created",
                payload(R"("booking":"B-ok","at":"2026-12-06T20:00:00Z","party":4,)"
                        R"("customer":{"id":"cust-ok","name":"Otto Keller"})"));
  probe.publish(kBase + "booking/guest.seated", payload(R"("table":"T9","booking":"B-ok")"));

  const auto cases_now = [&] {
    const HttpResult r = mendd.api("GET", "/api/v1/cases");
    return r.status == 200 ? parse(r.body).get("cases")->as_array()->size() : 0U;
  };
  // Her table's, her enquiry's and Otto's table's, all in the store.
  ASSERT_TRUE(wait_until([&] { return count(mendd.db_path(), "cases") == 3; }, 20s)) << mendd.log();
  ASSERT_TRUE(
      wait_until([&] { return mendd.api("GET", "/api/v1/guests/cust-zq").status == 200; }, 10s));
  const HttpResult note =
      mendd.api("POST", "/api/v1/guests/cust-zq/notes", R"({"text":"Zelda prefers the window"})",
                {{"Content-Type", "application/json"}});
  ASSERT_EQ(note.status, 201) << note.body;
  ASSERT_TRUE(wait_until([&] { return count(mendd.db_path(), "dead_letters") == 1; }, 10s));
  ASSERT_TRUE(wait_until(
      [&] {
        return sql(mendd.db_path(),
                   "SELECT count(*) FROM guests WHERE id = 'cust-zq' AND "
                   "json LIKE '%window%'")
                   .at(0) == "1";
      },
      10s));

  // The export: one document with her profile, her cases and her events.
  const std::string out = dir.file("zelda.json");
  run_capture({mendctl_binary(), "guest", "export", "cust-zq", "--out", out, "--config",
               mendd.config_path()});
  const json::Value doc = parse(read_file(out));
  EXPECT_EQ(str(doc.get("profile")->get("name")), "Zelda Quixote");
  EXPECT_EQ(str(doc.get("profile")->get("email")), "zelda.q@example.org");
  EXPECT_GE(doc.get("cases")->as_array()->size(), 1U);
  EXPECT_GE(doc.get("events")->as_array()->size(), 2U);  // the booking and the seating

  const std::int64_t cases = count(mendd.db_path(), "cases");
  const std::int64_t events = count(mendd.db_path(), "events");
  const std::vector<std::string> traces{"Zelda",       "Quixote",      "zelda.q@example.org",
                                        "7700 900123", "447700900123", "07700900123"};
  ASSERT_FALSE(found_in(mendd.db_path(), traces).empty() &&
               found_in(mendd.db_path() + "-wal", traces).empty())
      << "the guest should be in the store before the erasure";

  // Without --confirm yes nothing happens.
  EXPECT_THROW(
      run_capture({mendctl_binary(), "guest", "erase", "cust-zq", "--config", mendd.config_path()}),
      std::runtime_error);
  EXPECT_EQ(mendd.api("GET", "/api/v1/guests/cust-zq").status, 200);

  const std::string said = run_capture({mendctl_binary(), "guest", "erase", "cust-zq", "--confirm",
                                        "yes", "--config", mendd.config_path()});
  EXPECT_NE(said.find("erased"), std::string::npos) << said;

  EXPECT_EQ(mendd.api("GET", "/api/v1/guests/cust-zq").status, 404);
  EXPECT_EQ(mendd.api("GET", "/api/v1/guests/cust-ok").status, 200);
  EXPECT_EQ(count(mendd.db_path(), "cases"), cases);
  EXPECT_EQ(count(mendd.db_path(), "events"), events);
  EXPECT_EQ(cases_now(), static_cast<std::size_t>(cases));
  EXPECT_EQ(found_in(mendd.db_path(), traces), std::vector<std::string>{}) << "in the file";
  EXPECT_EQ(found_in(mendd.db_path() + "-wal", traces), std::vector<std::string>{}) << "in the log";
  // The other guest is untouched: his booking still names him.
  EXPECT_EQ(sql(mendd.db_path(),
                "SELECT count(*) FROM events WHERE json_extract(json, "
                "'$.customer.name') = 'Otto Keller'")
                .at(0),
            "1");

  // Her cases are still counted, under the pseudonym the API answered with.
  const std::string pseudonym = said.substr(
      said.find("erased-"), said.find(' ', said.find("erased-")) - said.find("erased-"));
  EXPECT_EQ(sql(mendd.db_path(),
                "SELECT count(*) FROM cases WHERE json_extract(json, "
                "'$.subject.customer') = '" +
                    pseudonym + "'")
                .at(0),
            std::to_string(doc.get("cases")->as_array()->size()));
  // The audit says who erased which ref, and nothing of her.
  const std::vector<std::string> audit =
      sql(mendd.db_path(),
          "SELECT action || ' ' || target || ' ' || detail FROM audit WHERE "
          "action LIKE 'guest.%' ORDER BY id");
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit.back().rfind("guest.erase g", 0), 0U) << audit.back();
  for (const std::string& line : audit) EXPECT_EQ(line.find("Zelda"), std::string::npos) << line;
}

}  // namespace
}  // namespace mend::test
