// The spool with a real file: what Paho puts survives a crash (a reopen without a clean
// close), incoming entries stay until the daemon releases them, a torn tail is cut off, and
// compaction keeps the file small without losing a live entry.
#include "adapters/mqtt/spool.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "tests/adapters/faulty_disk.hpp"

namespace mend {
namespace {

class SpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mend-spool-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/mqtt.spool";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  static void put(Spool& s, const std::string& key, const std::string& value) {
    s.put(key, {std::string_view(value.data(), value.size() / 2),
                std::string_view(value.data() + value.size() / 2)});
  }
  std::uintmax_t file_size() const { return std::filesystem::file_size(path_); }

  std::string dir_;
  std::string path_;
};

TEST_F(SpoolTest, WhatWasPutIsThereAfterACrash) {
  {
    Spool s(path_);
    put(s, "q-1", "payload one");
    put(s, "s-7", "an outgoing publish");
    // no clean close: the object is simply dropped, as a killed process would leave it
  }
  Spool again(path_);
  EXPECT_EQ(again.get("q-1"), "payload one");
  EXPECT_EQ(again.get("s-7"), "an outgoing publish");
  EXPECT_EQ(again.keys().size(), 2u);
}

TEST_F(SpoolTest, IncomingMessagesStayUntilReleasedAndComeBackAfterACrash) {
  {
    Spool s(path_);
    ASSERT_FALSE(s.append_incoming({1, "venue/v/till/order.opened", R"({"id":"a"})", 1000}));
    ASSERT_FALSE(s.append_incoming({2, "venue/v/till/order.opened", R"({"id":"b"})", 2000}));
    ASSERT_FALSE(
        s.append_incoming({3, "venue/v/sensor/f/temperature", std::string("\0bin", 4), 3000}));
    put(s, "s-1", "outgoing");
    s.remove("s-1");  // Paho's own entries go when Paho says
    EXPECT_FALSE(s.contains("s-1"));
    EXPECT_EQ(s.stats().awaiting_release, 3u);
    s.release(1);  // the store committed message 1
    EXPECT_EQ(s.stats().awaiting_release, 2u);
    EXPECT_TRUE(s.keys().empty()) << "our messages are not Paho's to restore";
  }
  // A crash before messages 2 and 3 were committed: they are read back, in order, intact.
  Spool again(path_);
  const auto left = again.incoming();
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].seq, 2u);
  EXPECT_EQ(left[0].payload, R"({"id":"b"})");
  EXPECT_EQ(left[0].received_ms, 2000);
  EXPECT_EQ(left[1].topic, "venue/v/sensor/f/temperature");
  EXPECT_EQ(left[1].payload, std::string("\0bin", 4));
  EXPECT_EQ(again.last_incoming_seq(), 3u);
  again.release(3);
  EXPECT_TRUE(Spool(path_).incoming().empty());
}

TEST_F(SpoolTest, PahosClearLeavesOurMessagesAlone) {
  Spool s(path_);
  put(s, "c-1", "a command");
  ASSERT_FALSE(s.append_incoming({7, "t", "p", 1}));
  s.clear();
  EXPECT_TRUE(s.keys().empty());
  EXPECT_EQ(s.incoming().size(), 1u);
}

TEST_F(SpoolTest, ATornTailIsCutOffAndEverythingBeforeItStands) {
  {
    Spool s(path_);
    put(s, "q-1", "whole");
    put(s, "q-2", "also whole");
  }
  const auto whole = file_size();
  {
    std::ofstream out(path_, std::ios::binary | std::ios::app);
    const std::string torn("P\x05\x00\x00\x00\x40", 6);  // a header the process died within
    out << torn;
  }
  Spool again(path_);
  EXPECT_EQ(again.keys().size(), 2u);
  EXPECT_EQ(again.get("q-2"), "also whole");
  EXPECT_EQ(again.stats().torn_bytes_dropped, 6u);
  EXPECT_EQ(file_size(), whole);
  put(again, "q-3", "after the repair");
  Spool third(path_);
  EXPECT_EQ(third.get("q-3"), "after the repair");
}

TEST_F(SpoolTest, ACorruptRecordEndsTheReadableLog) {
  {
    Spool s(path_);
    put(s, "q-1", "good");
    put(s, "q-2", "flipped");
  }
  {
    std::fstream f(path_, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(-6, std::ios::end);  // inside the second record's data
    f.put('X');
  }
  Spool again(path_);
  EXPECT_EQ(again.keys(), std::vector<std::string>{"q-1"});
  EXPECT_GT(again.stats().torn_bytes_dropped, 0u);
}

TEST_F(SpoolTest, CompactionBoundsTheFileAndKeepsLiveEntries) {
  constexpr std::uint64_t kCompactAbove = 16 * 1024;
  {
    Spool s(path_, kCompactAbove);
    const std::string big(200, 'x');
    put(s, "s-1", "an outgoing publish still in flight");
    for (std::uint64_t i = 1; i <= 2000; ++i) {
      ASSERT_FALSE(s.append_incoming({i, "venue/v/till/items.fired", big, 1}));
      if (i % 10 == 0) s.release(i - 5);  // a few stay uncommitted
    }
    EXPECT_LT(s.stats().file_bytes, 4 * kCompactAbove) << "the log was never compacted";
    EXPECT_EQ(s.stats().awaiting_release, 5u);
  }
  Spool again(path_, kCompactAbove);
  const auto left = again.incoming();
  ASSERT_EQ(left.size(), 5u);
  EXPECT_EQ(left.front().seq, 1996u);
  EXPECT_EQ(left.back().seq, 2000u);
  EXPECT_TRUE(again.contains("s-1"));
}

TEST_F(SpoolTest, AnUnwritablePlaceIsAClearError) {
  try {
    Spool s(dir_ + "/no/such/dir/mqtt.spool");
    FAIL() << "opened a spool in a missing directory";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no/such/dir/mqtt.spool"), std::string::npos);
  }
}

// A small evening for the spool: one of Paho's entries, twelve messages, a release after every
// fourth, a compaction threshold low enough to compact within it. Returns what the caller may
// rely on: the sequence numbers whose append reported success, and those released.
struct Outcome {
  bool put_ok = false;
  std::set<std::uint64_t> appended;
  std::set<std::uint64_t> released;
};

Outcome run_evening(Spool& s) {
  Outcome out;
  try {
    s.put("s-1", {"an outgoing ", "publish"});
    out.put_ok = true;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot write"), std::string::npos) << e.what();
  }
  const std::string payload(300, 'p');
  for (std::uint64_t i = 1; i <= 12; ++i) {
    if (!s.append_incoming({i, "venue/v/booking/guest.seated", payload + std::to_string(i), 1})) {
      out.appended.insert(i);
    }
    if (i % 4 == 0) {
      s.release(i - 1);
      for (std::uint64_t k = 1; k < i; ++k) out.released.insert(k);
    }
  }
  return out;
}

class SpoolFaultTest : public SpoolTest, public ::testing::WithParamInterface<int> {};

TEST_P(SpoolFaultTest, AWriteThatFailsAtAnyPointLeavesAWholeLogAndLosesNothingAcknowledged) {
  constexpr std::uint64_t kCompactAbove = 2048;
  std::size_t clean_writes = 0;
  {
    testing::FaultyDisk never(0);
    Spool s(path_ + ".clean", kCompactAbove, never.write_fn());
    run_evening(s);
    clean_writes = never.calls();
  }
  ASSERT_GT(clean_writes, 15u);
  for (std::size_t n = 1; n <= clean_writes + 1; ++n) {
    SCOPED_TRACE("write " + std::to_string(n) + " fails");
    std::filesystem::remove(path_);
    testing::FaultyDisk disk(n, GetParam());
    Outcome out;
    {
      Spool s(path_, kCompactAbove, disk.write_fn());
      out = run_evening(s);
      EXPECT_EQ(disk.failed(), n <= clean_writes);
      if (disk.failed()) {
        EXPECT_TRUE(s.probe(64)) << "a full disk passed the probe";
      }
      disk.clear();
      const std::error_code probed = s.probe(64);
      EXPECT_FALSE(probed) << probed.message();
      EXPECT_FALSE(s.append_incoming({100, "t", "after the space came back", 1}));
    }
    Spool again(path_, kCompactAbove);
    EXPECT_EQ(again.stats().torn_bytes_dropped, 0u) << "a failed write left a partial record";
    std::set<std::uint64_t> back;
    for (const auto& m : again.incoming()) {
      back.insert(m.seq);
      if (m.seq != 100) {
        EXPECT_EQ(m.payload, std::string(300, 'p') + std::to_string(m.seq));
      }
    }
    EXPECT_TRUE(back.count(100)) << "the write after the space came back is missing";
    for (auto seq : out.appended) {
      if (!out.released.count(seq)) {
        EXPECT_TRUE(back.count(seq)) << "lost message " << seq;
      }
    }
    for (auto seq : back) {
      // A released one may come back (its DEL was lost: ingested twice, a no-op); a message
      // whose append failed never does.
      if (seq != 100) {
        EXPECT_TRUE(out.appended.count(seq)) << "message " << seq << " appeared";
      }
    }
    EXPECT_EQ(again.contains("s-1"), out.put_ok);
  }
}

INSTANTIATE_TEST_SUITE_P(DiskFullAndIoError, SpoolFaultTest, ::testing::Values(ENOSPC, EIO),
                         [](const auto& param_info) {
                           return param_info.param == ENOSPC ? "ENOSPC" : "EIO";
                         });

}  // namespace
}  // namespace mend
