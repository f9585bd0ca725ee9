// The low-space mark as the config writes it, and the decision on literal measurements.
#include "core/disk_budget.hpp"

#include <gtest/gtest.h>

namespace mend {
namespace {

TEST(SpaceAmount, AShareOrABinaryAmount) {
  auto pct = parse_space_amount("5%");
  ASSERT_TRUE(pct);
  EXPECT_TRUE(pct->percent);
  EXPECT_DOUBLE_EQ(pct->share, 5.0);
  EXPECT_DOUBLE_EQ(parse_space_amount("0.5%")->share, 0.5);
  EXPECT_EQ(parse_space_amount("200MiB")->bytes, 200ull << 20);
  EXPECT_EQ(parse_space_amount("1GiB")->bytes, 1ull << 30);
  EXPECT_EQ(parse_space_amount("512KiB")->bytes, 512ull << 10);
  EXPECT_EQ(parse_space_amount("1048576B")->bytes, 1048576u);
  EXPECT_FALSE(parse_space_amount("200MiB")->percent);
}

TEST(SpaceAmount, AnythingElseIsRefused) {
  for (const char* bad : {"", "%", "5", "101%", "-1%", "5 %", "5 percent", "200MB", "MiB", "1.5MiB",
                          "-3MiB", "99999999999999999999GiB", "20000000000GiB"}) {
    EXPECT_FALSE(parse_space_amount(bad)) << bad;
  }
}

TEST(SpaceIsLow, BelowTheMarkOnly) {
  const auto five = *parse_space_amount("5%");
  EXPECT_FALSE(space_is_low(five, 50, 1000));  // exactly 5 %
  EXPECT_TRUE(space_is_low(five, 49, 1000));
  EXPECT_FALSE(space_is_low(five, 0, 0)) << "nothing measured is not low";
  const auto mib = *parse_space_amount("200MiB");
  EXPECT_TRUE(space_is_low(mib, (200ull << 20) - 1, 1ull << 40));
  EXPECT_FALSE(space_is_low(mib, 200ull << 20, 1ull << 40));
}

TEST(FormatBytes, ReadsLikeAPerson) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(1023), "1023 B");
  EXPECT_EQ(format_bytes(3 << 20), "3.0 MiB");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
}

}  // namespace
}  // namespace mend
