// The venue group's configuration from the cloud: what a document is, which version wins, and
// how its TOML goes over the box's file with the file's own schema.
#include "core/cloud_config.hpp"

#include <gtest/gtest.h>

#include "core/config.hpp"

namespace mend {
namespace {

constexpr std::string_view kFile = R"([venue]
id = "the-anchor"

[mqtt]
port = 1883

[detect]
bill_slow = "8m"
review_max_rating = 2

[[device]]
id = "fridge-1"
kind = "fridge"

[[device]]
id = "fridge-2"
kind = "fridge"
)";

std::string errors_text(const ConfigResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.to_string() + "\n";
  return out;
}

TEST(CloudConfig, TheCloudsKeysGoOverTheFilesAndTheRestStays) {
  const ConfigResult r = parse_config(
      kFile, "mend.toml", "[detect]\nreview_max_rating = 3\n\n[log]\nlevel = \"debug\"\n",
      "cloud config v4");
  ASSERT_TRUE(r.config) << errors_text(r);
  EXPECT_EQ(r.config->detect.review_max_rating, 3);
  EXPECT_EQ(r.config->detect.bill_slow, std::chrono::minutes(8)) << "the file's, not replaced";
  EXPECT_EQ(r.config->log.level, "debug");
  EXPECT_EQ(r.config->venue.id, "the-anchor");
  EXPECT_EQ(r.config->devices.size(), 2u);
}

TEST(CloudConfig, AnArrayOfTablesFromTheCloudReplacesTheFilesWholeArray) {
  const ConfigResult r = parse_config(
      kFile, "mend.toml", "[[device]]\nid = \"probe-9\"\nkind = \"probe\"\n", "cloud config v2");
  ASSERT_TRUE(r.config) << errors_text(r);
  ASSERT_EQ(r.config->devices.size(), 1u);
  EXPECT_EQ(r.config->devices.front().id, "probe-9");
}

// The venue, brokers, store, listeners, accounts and secrets are the box's: a document that
// tries to set any of them is refused whole, and the error names the document and its line.
TEST(CloudConfig, WhatStaysInTheBoxCannotComeFromTheCloud) {
  for (const char* section : {"venue", "mqtt", "cloud", "store", "http", "push", "auth"}) {
    const std::string doc =
        "[detect]\nbill_slow = \"9m\"\n\n[" + std::string(section) + "]\nx = 1\n";
    const ConfigResult r = parse_config(kFile, "mend.toml", doc, "cloud config v5");
    EXPECT_FALSE(r.config) << section;
    ASSERT_EQ(r.errors.size(), 1u) << errors_text(r);
    EXPECT_EQ(r.errors.front().file, "cloud config v5");
    EXPECT_EQ(r.errors.front().line, 4) << section;
    EXPECT_EQ(r.errors.front().key, section);
    EXPECT_NE(r.errors.front().message.find("cannot be set from the cloud"), std::string::npos);
  }
}

// The same schema as the file: a bad value is reported at the cloud document's line, and a
// rule across keys blames the document that wrote the key.
TEST(CloudConfig, ErrorsNameTheDocumentThatWroteTheKey) {
  ConfigResult r =
      parse_config(kFile, "mend.toml", "\n[detect]\nbill_slow = \"soon\"\n", "cloud config v6");
  ASSERT_EQ(r.errors.size(), 1u) << errors_text(r);
  EXPECT_EQ(r.errors.front().to_string().substr(0, 38), "cloud config v6:3:1: detect.bill_slow:");

  r = parse_config(kFile, "mend.toml",
                   "[[device]]\nid = \"f\"\nkind = \"fridge\"\n[[device]]\nid = \"f\"\nkind = "
                   "\"fridge\"\n",
                   "cloud config v7");
  ASSERT_FALSE(r.errors.empty());
  EXPECT_EQ(r.errors.front().file, "cloud config v7") << errors_text(r);

  r = parse_config(kFile, "mend.toml", "[detect\n", "cloud config v8");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors.front().file, "cloud config v8");
  EXPECT_NE(r.errors.front().message.find("not valid TOML"), std::string::npos);
}

TEST(CloudConfig, ADocumentIsAVersionAndATomlText) {
  const CloudConfigRead ok =
      read_cloud_config(R"({"version":3,"config":"[detect]\nbill_slow = \"9m\"\n"})");
  ASSERT_TRUE(ok.doc) << ok.error;
  EXPECT_EQ(ok.doc->version, 3);
  EXPECT_EQ(ok.doc->toml, "[detect]\nbill_slow = \"9m\"\n");
  EXPECT_EQ(read_cloud_config(cloud_config_text(*ok.doc)).doc->toml, ok.doc->toml);

  struct Bad {
    const char* payload;
    const char* says;
  };
  for (const Bad& b :
       {Bad{"", "empty"}, Bad{"[detect]", "not JSON"}, Bad{"[1]", "expected an object"},
        Bad{R"({"config":""})", "version"}, Bad{R"({"version":0,"config":""})", "version"},
        Bad{R"({"version":"2","config":""})", "version"}, Bad{R"({"version":2})", "config"},
        Bad{R"({"version":2,"config":5})", "config"},
        Bad{R"({"version":2,"config":"","secret":1})", "secret"}}) {
    const CloudConfigRead r = read_cloud_config(b.payload);
    EXPECT_FALSE(r.doc) << b.payload;
    EXPECT_NE(r.error.find(b.says), std::string::npos) << b.payload << ": " << r.error;
  }
  EXPECT_EQ(read_cloud_config(R"({"version":2,"config":5})").version, 2)
      << "the answer names the version when there is one";
  EXPECT_FALSE(read_cloud_config(std::string(kMaxCloudConfigBytes + 1, ' ')).doc);
}

TEST(CloudConfig, ANewerVersionAppliesTheSameIsIgnoredAnOlderIsRefused) {
  EXPECT_EQ(cloud_config_step(1, std::nullopt), CloudConfigStep::kApply);
  EXPECT_EQ(cloud_config_step(5, 4), CloudConfigStep::kApply);
  EXPECT_EQ(cloud_config_step(4, 4), CloudConfigStep::kAlreadyApplied);
  EXPECT_EQ(cloud_config_step(3, 4), CloudConfigStep::kOlder);
}

TEST(CloudConfig, TheAnswerSaysAppliedOrGivesTheErrors) {
  EXPECT_EQ(json::dump(cloud_config_answer(7, true, {}, "2026-12-05T20:00:00Z")),
            R"({"version":7,"applied":true,"at":"2026-12-05T20:00:00Z"})");
  EXPECT_EQ(json::dump(cloud_config_answer(std::nullopt, false, {"not JSON"}, "t")),
            R"({"version":null,"applied":false,"at":"t","errors":["not JSON"]})");
}

TEST(CloudConfig, TheSectionsADocumentSetsInItsOrder) {
  EXPECT_EQ(config_sections("[policy]\nx=1\n[detect]\ny=2\n[[device]]\nid=\"a\"\n"),
            (std::vector<std::string>{"policy", "detect", "device"}));
  EXPECT_TRUE(config_sections("[policy").empty());
}

}  // namespace
}  // namespace mend
