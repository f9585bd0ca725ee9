// The box's own disk, as mendd sees it: the spool (the broker link reports) and the store (its
// commits report), and free space against store.low_space. What is wrong goes to the recovery
// service as a health report, which keeps one case for the manager while it lasts; logging says
// each change of state once and then reminds, never a line per attempt.
#include <spdlog/spdlog.h>

#include "adapters/store/disk_space.hpp"
#include "adapters/store/store.hpp"
#include "core/disk_budget.hpp"
#include "core/words.hpp"
#include "firmware-host/mendd/daemon.hpp"

namespace mend {
namespace {

std::string space_words(const DiskSpace& d) {
  if (!d.ok()) return "free space unknown (" + d.error + ")";
  return format_bytes(d.free_bytes) + " free of " + format_bytes(d.total_bytes);
}

}  // namespace

void Daemon::report_commit(const std::string& state, Now now) {
  const StateReport::Line line = commit_report_.observe(state, now.mono);
  switch (line.say) {
    case StateReport::Say::kNothing: break;
    case StateReport::Say::kChanged:
      if (state == "ok") {
        spdlog::info("store: committing again, after {} failed attempts", line.attempts);
      } else {
        spdlog::error("store: commit failed, retrying with backoff (told again every 5 min): {}",
                      state);
      }
      break;
    case StateReport::Say::kReminder:
      spdlog::error("store: still failing after {} more attempts: {}", line.attempts, state);
      break;
  }
}

std::string Daemon::read_only_reason() const {
  const std::string why = !spool_writable_ ? spool_why_ : store_why_;
  return "Mend cannot save anything right now (" + why + "): nothing was changed";
}

// Raises or clears store.unwritable when the spool's or the store's state changes.
void Daemon::storage_changed(Now now) {
  const bool unwritable = !spool_writable_ || store_failing_;
  if (storage_told_ && unwritable == unwritable_) return;
  const bool changed = unwritable != unwritable_;
  storage_told_ = true;
  unwritable_ = unwritable;
  const DiskSpace d = disk_space(config_.store.path);
  std::string detail;
  if (unwritable) {
    detail = "Mend cannot save anything: " + (!spool_writable_ ? spool_why_ : store_why_) + " (" +
             space_words(d) +
             "). The broker keeps the venue's signals for Mend meanwhile, for about 30 minutes "
             "of a busy service; free space on the box, or call your installer.";
    spdlog::error("storage: read-only: {}", detail);
  } else {
    detail = "Mend can save again (" + space_words(d) +
             "); it is catching up on what the broker "
             "kept.";
    if (changed) spdlog::info("storage: writable again ({})", space_words(d));
  }
  apply(service_.on_health(HealthReport{CaseKind::kStoreUnwritable, unwritable, detail}, now), now);
}

// Below the low-water mark: keep only store.low_space_retention of raw events, and tell the
// manager before anything fails.
void Daemon::check_space(Now now) {
  const auto mark = parse_space_amount(config_.store.low_space);
  const DiskSpace d = disk_space(config_.store.path);
  if (!mark || !d.ok()) return;
  const bool low = space_is_low(*mark, d.free_bytes, d.total_bytes);
  if (low) prune(now.wall - config_.store.low_space_retention, /*until_done=*/true);
  if (space_told_ && low == low_space_) return;
  space_told_ = true;
  low_space_ = low;
  const std::string detail = low ? "The box's disk is nearly full: " + space_words(d) +
                                       ", below store.low_space (" + config_.store.low_space +
                                       "). Mend keeps only the last " +
                                       words::duration(config_.store.low_space_retention) +
                                       " of raw events until it "
                                       "has room."
                                 : "The box's disk has room again: " + space_words(d) + ".";
  if (low) spdlog::warn("low space: {}", detail);
  apply(service_.on_health(HealthReport{CaseKind::kStoreLowSpace, low, detail}, now), now);
}

}  // namespace mend
