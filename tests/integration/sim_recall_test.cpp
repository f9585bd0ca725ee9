// The venue simulator plays a compressed service against the real mendd and says which
// failures it caused; mendd must open a case for each (recall) and none it did not cause
// (false cases). The figures are printed for the record.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "core/json.hpp"
#include "tests/integration/harness.hpp"

namespace mend::test {
namespace {

std::string sim_binary() {
  if (const char* p = std::getenv("VENUE_SIM")) return p;
  return MEND_VENUE_SIM_PATH;
}

// A truth entry and a case match when the kind is the same and every field the truth names in
// its subject is the case's too (the case may know more, such as the booking of a table).
bool matches(const json::Value& truth, const json::Value& c) {
  if (str(truth.get("kind")) != str(c.get("kind"))) return false;
  const json::Value* ts = truth.get("subject");
  const json::Value* cs = c.get("subject");
  if (ts == nullptr || cs == nullptr || !ts->is_object()) return false;
  for (const auto& [key, value] : *ts->as_object()) {
    if (key == "party") continue;  // context the simulator adds, not part of a case's subject
    if (str(&value) != str(cs->get(key))) return false;
  }
  return true;
}

TEST(SimRecall, MenddFindsEveryFailureTheSimulatorCausedAndNoOther) {
  constexpr double kPace = 180;  // a 3-hour service in a minute
  const std::string venue = "sim-venue";
  const std::string seed =
      std::getenv("MEND_SIM_SEED") != nullptr ? std::getenv("MEND_SIM_SEED") : "7";
  TempDir dir;
  Mosquitto broker(dir);

  // A registered fridge that says nothing is a failure from mendd's first second: give the
  // simulator's devices long enough to start talking (15 service minutes is 5 s here).
  const std::vector<std::string> common = {
      "--venue", venue, "--pace", std::to_string(kPace), "--threshold", "device_silence=15m"};
  std::vector<std::string> snippet_args = {sim_binary()};
  snippet_args.insert(snippet_args.end(), common.begin(), common.end());
  snippet_args.push_back("--print-config-snippet");
  Process snippet(snippet_args, dir.file("snippet.toml"));
  ASSERT_EQ(snippet.wait(10s), 0);
  MenddOptions o;
  o.venue = venue;
  o.detect_block = read_file(dir.file("snippet.toml"));
  Mendd mendd(dir, broker.port(), o);
  mendd.start();

  std::vector<std::string> sim_args = {sim_binary()};
  sim_args.insert(sim_args.end(), common.begin(), common.end());
  for (const std::string& a :
       {std::string("--port"), std::to_string(broker.port()), std::string("--seed"), seed,
        std::string("--failure-rate"), std::string("0.2"), std::string("--truth"),
        dir.file("truth.jsonl"), std::string("--quiet")}) {
    sim_args.push_back(a);
  }
  Process sim(sim_args, dir.file("sim.log"));
  const auto status = sim.wait(120s);
  ASSERT_TRUE(status.has_value()) << "the simulator did not finish";
  ASSERT_EQ(*status, 0) << sim.log();

  std::vector<json::Value> truth;
  {
    std::ifstream in(dir.file("truth.jsonl"));
    std::string line;
    while (std::getline(in, line)) {
      auto r = json::parse(line);
      ASSERT_TRUE(r) << line;
      truth.push_back(*r.value);
    }
  }
  // Failures caused near the end are due after the last message: wait until every caused
  // failure has its case (or a generous deadline passes and the misses are listed below).
  std::vector<json::Value> cases;
  const auto list_cases = [&] {
    cases.clear();
    const HttpResult r = mendd.api("GET", "/api/v1/cases");
    if (r.status != 200) return;
    const json::Value listed = parse(r.body);  // named: a range-for would not keep it alive
    for (const auto& c : *listed.get("cases")->as_array()) cases.push_back(c);
  };
  const auto all_found = [&] {
    list_cases();
    for (const auto& t : truth) {
      if (t.get("derived") != nullptr && t.get("derived")->as_bool().value_or(false)) continue;
      bool hit = false;
      for (const auto& c : cases) hit = hit || matches(t, c);
      if (!hit) return false;
    }
    return true;
  };
  wait_until(all_found, 60s, 200ms);
  list_cases();

  std::size_t caused = 0;
  std::size_t found = 0;
  std::vector<std::string> missed;
  for (const auto& t : truth) {
    if (t.get("derived") != nullptr && t.get("derived")->as_bool().value_or(false)) continue;
    ++caused;
    bool hit = false;
    for (const auto& c : cases) hit = hit || matches(t, c);
    if (hit) {
      ++found;
    } else {
      missed.push_back(json::dump(t));
    }
  }
  std::vector<std::string> false_cases;
  for (const auto& c : cases) {
    bool caused_by_sim = false;
    for (const auto& t : truth) caused_by_sim = caused_by_sim || matches(t, c);
    if (!caused_by_sim)
      false_cases.push_back(str(c.get("kind")) + " " + json::dump(*c.get("subject")));
  }
  const double recall =
      caused == 0 ? 1.0 : static_cast<double>(found) / static_cast<double>(caused);
  std::cout << "simulator run (seed " << seed << ", pace " << kPace << "): " << caused
            << " failures caused, " << found << " found, recall " << recall << "; "
            << false_cases.size() << " false cases; " << cases.size() << " cases in all\n";
  for (const auto& m : missed) std::cout << "  missed: " << m << "\n";
  for (const auto& f : false_cases) std::cout << "  false: " << f << "\n";
  EXPECT_GT(caused, 5u) << "the simulator caused too few failures to judge";
  EXPECT_EQ(found, caused);
  EXPECT_TRUE(false_cases.empty());
  if (HasFailure()) std::cerr << mendd.log();
}

}  // namespace
}  // namespace mend::test
