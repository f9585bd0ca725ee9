// A guest's erasure in the core: how text and records are renamed (core/erasure.hpp), and what
// the service does with its memory (the profile, the open cases, the floor) and says to the host
// (the audit, the deletion record for the cloud, the store's part).
#include <gtest/gtest.h>

#include "core/erasure.hpp"
#include "core/service.hpp"
#include "tests/unit/core/source_event.hpp"

namespace mend {
namespace {

using namespace std::chrono_literals;

GuestErasure zelda() {
  GuestRecord r;
  r.id = "cust-zq";
  r.ref = "g7";
  r.name = "Zelda Quixote";
  r.email = "zelda.q@example.org";
  r.phone = "+447700900123";
  return erasure_of(r);
}

std::string scrubbed(std::string s) {
  scrub_text(s, zelda());
  return s;
}

TEST(ScrubText, RenamesTheGuestsWordsAndNothingElse) {
  EXPECT_EQ(zelda().pseudonym, "erased-g7");
  EXPECT_EQ(scrubbed("Dear Zelda Quixote, sorry"), "Dear [erased], sorry");
  EXPECT_EQ(scrubbed("zelda said the soup was cold"), "[erased] said the soup was cold");
  EXPECT_EQ(scrubbed("mail ZELDA.Q@EXAMPLE.ORG today"), "mail [erased] today");
  EXPECT_EQ(scrubbed("call +44 7700 900123 or 07700-900123."), "call [erased] or [erased].");
  EXPECT_EQ(scrubbed("booked by cust-zq"), "booked by erased-g7");
  // Parts of other words, other numbers and other ids stay.
  EXPECT_EQ(scrubbed("Zeldas? Quixotesque. cust-zq2, table 12, 020 7946 0000"),
            "Zeldas? Quixotesque. cust-zq2, table 12, 020 7946 0000");
  std::string other = "nothing about her";
  EXPECT_FALSE(scrub_text(other, zelda()));
}

TEST(ScrubText, ShortNamePartsAreLeftAlone) {
  GuestRecord r;
  r.id = "c1";
  r.ref = "g1";
  r.name = "Al Li";
  const GuestErasure e = erasure_of(r);
  std::string s = "Al Li asked for Al's usual; Alan came too";
  EXPECT_TRUE(scrub_text(s, e));
  EXPECT_EQ(s, "[erased] asked for Al's usual; Alan came too");
}

TEST(ScrubJson, TheGuestsOwnRecordsLoseTheirDetailsAndWords) {
  auto booking = json::parse(
      R"({"id":"e1","booking":"B1","party":2,"notes":"birthday; nut allergy",)"
      R"("customer":{"id":"cust-zq","name":"Zelda Quixote","email":"Zelda.Q@example.org"}})");
  ASSERT_TRUE(booking.value);
  EXPECT_TRUE(scrub_json(*booking.value, zelda()));
  EXPECT_EQ(
      json::dump(*booking.value),
      R"({"id":"e1","booking":"B1","party":2,"notes":"[erased]","customer":{"id":"erased-g7"}})");

  // An enquiry that knows her only by her phone, written another way.
  auto enquiry = json::parse(
      R"({"id":"e2","enquiry":"E1","customer":{"phone":"07700 900123"},"text":"table for 2?"})");
  EXPECT_TRUE(scrub_json(*enquiry.value, zelda()));
  EXPECT_EQ(json::dump(*enquiry.value),
            R"({"id":"e2","enquiry":"E1","customer":{"id":"erased-g7"},"text":"[erased]"})");

  // A case names her by id in its subject and by name in its words.
  auto c = json::parse(R"({"subject":{"table":"T4","customer":"cust-zq"},)"
                       R"("guest":{"id":"cust-zq","name":"Zelda Quixote"},)"
                       R"("reason":"Zelda has waited 20 min"})");
  EXPECT_TRUE(scrub_json(*c.value, zelda()));
  EXPECT_EQ(json::dump(*c.value), R"({"subject":{"table":"T4","customer":"erased-g7"},)"
                                  R"("guest":{"id":"erased-g7","name":"[erased]"},)"
                                  R"("reason":"[erased] has waited 20 min"})");

  // Somebody else's record is not touched.
  const std::string otto =
      R"({"id":"e3","notes":"window seat","customer":{"id":"cust-ok","name":"Otto"}})";
  auto other = json::parse(otto);
  EXPECT_FALSE(scrub_json(*other.value, zelda()));
  EXPECT_EQ(json::dump(*other.value), otto);
}

TEST(ErasureTerms, AreWhatTheStoreSearchesFor) {
  EXPECT_EQ(erasure_terms(zelda()),
            (std::vector<std::string>{"700900123", "cust-zq", "quixote", "zelda", "zelda quixote",
                                      "zelda.q@example.org"}));
}

class GuestErasureServiceTest : public ::testing::Test {
 protected:
  static ServiceSettings settings() {
    ConfigResult c = parse_config(
        "[venue]\nid = \"v1\"\nname = \"The Anchor\"\n[detect]\ntable_no_order = \"5m\"\n",
        "test.toml");
    EXPECT_TRUE(c.config.has_value()) << (c.errors.empty() ? "" : c.errors.front().to_string());
    return ServiceSettings::from(c.config.value_or(Config{}));
  }
  GuestErasureServiceTest() : service_(settings(), [](WallTime) { return Millis{0}; }) {}

  void seat(const std::string& customer, const std::string& name, const std::string& table) {
    GuestSeated body;
    body.table = table;
    body.party = 2;
    Customer c;
    c.id = customer;
    c.name = name;
    c.email = customer + "@example.org";
    body.customer = c;
    service_.on_event(test::source_event("ev-" + std::to_string(++seq_), EventType::kGuestSeated,
                                         body, now_.wall),
                      now_);
  }
  void pass(Millis d) {
    now_.wall += d;
    now_.mono += d;
    service_.on_tick(now_);
  }

  const Actor kAdmin{"user:1", "admin"};
  Now now_{WallTime{Millis{1795374000000}}, MonoTime{Millis{5000000}}};
  int seq_ = 0;
  RecoveryService service_;
};

TEST_F(GuestErasureServiceTest, TheProfileGoesAndTheCasesAndTheFloorNameAPseudonym) {
  seat("cust-zq", "Zelda Quixote", "T4");
  seat("cust-ok", "Otto Keller", "T9");
  pass(6min);  // neither table has ordered: a case each
  ASSERT_EQ(service_.cases().open_count(), 2U);
  const std::string ref = service_.guests().record("cust-zq")->ref;

  const ActionEffects r = service_.erase_guest("cust-zq", kAdmin, now_);
  const Effects* fx = std::get_if<Effects>(&r);
  ASSERT_NE(fx, nullptr);
  EXPECT_EQ(service_.guests().record("cust-zq"), nullptr);
  EXPECT_NE(service_.guests().record("cust-ok"), nullptr);

  // Her case is still there and still counted, under the pseudonym; Otto's is as it was.
  EXPECT_EQ(service_.cases().open_count(), 2U);
  ASSERT_EQ(fx->cases.size(), 1U);
  const Case* hers = service_.cases().find(fx->cases[0]);
  EXPECT_EQ(hers->subject.customer, "erased-" + ref);
  EXPECT_EQ(hers->guest.id, "erased-" + ref);
  EXPECT_EQ(json::dump(case_to_json(*hers)).find("Zelda"), std::string::npos);
  for (const TableView& t : service_.tables()) {
    EXPECT_NE(t.customer, "cust-zq") << t.table;
  }

  // The audit names the ref and a count; the cloud hears which customer to delete.
  ASSERT_EQ(fx->audit.size(), 1U);
  EXPECT_EQ(fx->audit[0].action, "guest.erase");
  EXPECT_EQ(fx->audit[0].target, ref);
  EXPECT_EQ(json::dump(fx->audit[0].detail), R"({"cases_renamed":1})");
  ASSERT_EQ(fx->outbox.size(), 1U);
  EXPECT_EQ(fx->outbox[0].topic, "venue/v1/mend/erasures");
  EXPECT_NE(fx->outbox[0].payload.find(R"("customer":"cust-zq")"), std::string::npos);
  EXPECT_EQ(fx->outbox[0].payload.find("Zelda"), std::string::npos);
  // The store's part: who to rename, and to what.
  ASSERT_TRUE(fx->erasure.has_value());
  EXPECT_EQ(fx->erasure->pseudonym, "erased-" + ref);
  EXPECT_EQ(fx->erasure->email, "cust-zq@example.org");

  // The saved state keeps nothing that leads back to her.
  const SavedState saved = service_.take_changed_state(now_, true, true);
  EXPECT_EQ(saved.guests_gone, std::vector<std::string>{"cust-zq"});
  EXPECT_EQ(json::dump(*saved.guests).find("cust-zq"), std::string::npos);
  EXPECT_EQ(json::dump(*saved.engine).find("cust-zq"), std::string::npos);

  const ActionEffects again = service_.erase_guest("cust-zq", kAdmin, now_);
  const auto* no = std::get_if<ActionRefusal>(&again);
  ASSERT_NE(no, nullptr);
  EXPECT_EQ(no->code, ActionRefusal::Code::kNotFound);
}

}  // namespace
}  // namespace mend
