// The sources' health as the service acts on it (core/source_health.hpp): a blind source's
// waits held in the engine, one source.silent case with what it held, one source.clock_skew
// case while a source's times are corrected.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/service.hpp"
#include "core/words.hpp"

namespace mend {

namespace {

std::string system_words(Source s) { return "the " + std::string(source_name(s)) + " system"; }

// "6 tables waiting to order, 2 slow courses"
std::string held_summary(const std::vector<Engine::HeldWait>& held) {
  std::map<CaseKind, std::int64_t> by_kind;
  for (const auto& h : held) ++by_kind[h.kind];
  std::string out;
  for (const auto& [kind, n] : by_kind) {
    if (!out.empty()) out += ", ";
    out += std::to_string(n) + " " + std::string(failures_words(kind));
  }
  return out;
}

}  // namespace

Event RecoveryService::corrected(const Event& e) const {
  Event out = e;
  const Millis c = sources_.correction(event_source(e.type));
  if (c != Millis{0} && e.ts_from_source) out.ts = std::min(e.ts + c, e.received);
  return out;
}

void RecoveryService::watch_sources(Now now, Effects& fx) {
  const auto held = [&](Source s) { return static_cast<int>(engine_.held(s, now).size()); };
  for (const SourceHealth::Change& c : sources_.update(now, held)) source_changed(c, now, fx);
}

void RecoveryService::source_metrics(Source s, Now now) const {
  if (metrics_ == nullptr) return;
  const SourceView v = sources_.view(s, now, /*pace=*/false);
  const auto seconds = [](Millis d) { return static_cast<double>(d.count()) / 1000.0; };
  metrics_->source_state[s].set(static_cast<double>(v.state));
  if (v.last_seen) {
    metrics_->source_last_seen[s].set(static_cast<double>(to_ms(*v.last_seen)) / 1000.0);
  }
  metrics_->source_clock_offset[s].set(seconds(v.offset.value_or(Millis{0})));
  metrics_->source_clock_correction[s].set(seconds(v.correction));
}

std::string RecoveryService::silent_words(const SourceView& v,
                                          const std::vector<Engine::HeldWait>& held) const {
  std::string out;
  if (v.state == SourceState::kOffline) {
    out = "The bridge of " + system_words(v.source) + " said it went offline " +
          words::duration(v.quiet) + " ago";
  } else {
    out = "No " + std::string(source_name(v.source)) + " events for " + words::duration(v.quiet);
  }
  if (v.source == Source::kTill) {
    const auto tables = engine_.tables();
    const auto seated =
        std::count_if(tables.begin(), tables.end(), [](const TableView& t) { return t.seated; });
    out += " while " + words::plural(seated, "table was", "tables were") + " seated.";
  } else {
    out += " while the venue was in service.";
  }
  out += held.empty() ? " Nothing it would answer has come due yet."
                      : " Held instead of raised: " + held_summary(held) + "; each is listed here.";
  return out;
}

void RecoveryService::source_changed(const SourceHealth::Change& c, Now now, Effects& fx) {
  source_metrics(c.source, now);
  const SourceView v = sources_.view(c.source, now);
  Subject subject;
  subject.device = std::string(source_name(c.source));
  const auto stamp = [&](std::string_view what, std::string note) {
    // The source's last message when there is one; else a record of the moment.
    if (!v.last_id.empty() && what == "last") {
      return Evidence{v.last_id, v.last_type, v.last_ts, std::move(note)};
    }
    return Evidence{
        subject.device + ":" + std::string(what) + "@" + std::to_string(to_ms(now.wall)),
        "source." + std::string(what), now.wall, std::move(note)};
  };
  if (c.state_changed) {
    const Engine::Sight sight = v.state == SourceState::kLive    ? Engine::Sight::kSeeing
                                : v.state == SourceState::kQuiet ? Engine::Sight::kDoubt
                                                                 : Engine::Sight::kBlind;
    apply_decisions(engine_.set_sight(c.source, sight, now), now, fx);
    engine_changed_ = true;
  }
  if (c.report_changed) {
    engine_changed_ = true;
    if (v.reported) {
      const auto held = engine_.held(c.source, now);
      apply_decisions(
          engine_.raise_case(CaseKind::kSourceSilent, subject, Severity::kHigh,
                             silent_words(v, held), stamp("last", "its last message"), now),
          now, fx);
      for (const auto& h : held) {
        apply_decisions(engine_.raise_case(CaseKind::kSourceSilent, subject, Severity::kHigh,
                                           h.words, h.start, now),
                        now, fx);
      }
    } else {
      const std::string words =
          "It is sending again. What was held is checked against its late events; only the "
          "waits still unanswered " +
          words::duration(Engine::kReturnGrace) + " from now are raised.";
      apply_decisions(
          engine_.clear_case(CaseKind::kSourceSilent, subject, words, stamp("back", words), now),
          now, fx);
    }
  }
  if (c.skew_changed) {
    engine_changed_ = true;
    sources_changed_ = true;
    if (v.skewed) {
      // The waits its events started before the error was known move with the correction.
      apply_decisions(engine_.shift_source(c.source, v.correction, now), now, fx);
      const Millis size = v.correction < Millis{0} ? -v.correction : v.correction;
      const std::string words =
          "The clock of " + system_words(c.source) + " is " + words::duration(size) +
          (v.correction > Millis{0} ? " slow" : " fast") + ": its last " +
          std::to_string(v.samples) + " events arrived a median " + words::compact(size) +
          (v.correction > Millis{0} ? " after" : " before") +
          " their own times, the middle half of them within " + words::compact(v.spread) +
          ". Mend corrects its times by that much until its clock is set right.";
      apply_decisions(engine_.raise_case(CaseKind::kSourceClockSkew, subject, Severity::kMedium,
                                         words, stamp("last", "its last message"), now),
                      now, fx);
    } else {
      const std::string words = "The clock of " + system_words(c.source) +
                                " is right again; its times are no longer corrected.";
      apply_decisions(engine_.clear_case(CaseKind::kSourceClockSkew, subject, words,
                                         stamp("clock", words), now),
                      now, fx);
    }
  }
}

std::vector<SourceView> RecoveryService::sources(Now now) const {
  std::vector<SourceView> out;
  out.reserve(kSourceCount);
  for (int i = 0; i < kSourceCount; ++i) out.push_back(sources_.view(static_cast<Source>(i), now));
  return out;
}

}  // namespace mend
