// Waits breaching into cases: open or add evidence, raise severity, the reasons in words, and
// the patterns that recur.
#include "core/engine_impl.hpp"

#include <algorithm>
#include <cstdio>

#include "core/words.hpp"

namespace mend {

void Engine::Impl::start_wait(Wait w, Now now, EngineOutput& out) {
  if (waits.contains(w.key)) return;
  w.anchor = anchor_of(w.started, now);
  const MonoTime deadline = w.anchor + w.threshold;
  const std::uint32_t slot = waits.add(std::move(w));
  waits.schedule(slot, deadline);
  if (deadline <= now.mono) fire(slot, now, out);
}

void Engine::Impl::end_wait(const std::string& key, const Event& answer, std::string_view what,
                            Now now, EngineOutput& out) {
  Wait* w = waits.find(key);
  if (w == nullptr) return;
  if (w->stage >= 1) {
    auto it = open_cases.find(w->case_key);
    if (it != open_cases.end()) {
      Decision d = base_decision(Decision::Op::kAddEvidence, *w, it->second.id, now);
      d.severity = it->second.severity;
      d.reason = std::string(what) + " after " + words::compact(answer.ts - w->started);
      d.evidence.push_back(evidence_of(answer, d.reason));
      out.decisions.push_back(std::move(d));
    }
  }
  waits.remove(key);
}

Decision Engine::Impl::base_decision(Decision::Op op, const Wait& w, std::string case_id,
                                     Now now) const {
  Decision d;
  d.op = op;
  d.case_id = std::move(case_id);
  d.kind = w.kind;
  d.subject = w.subject;
  d.at = now.wall;
  d.started = w.started;
  d.threshold = w.threshold;
  d.party = w.party;
  d.value = w.value;
  return d;
}

void Engine::Impl::fire(std::uint32_t slot, Now now, EngineOutput& out) {
  Wait& w = waits.at(slot);
  const Millis elapsed = now.mono - w.anchor;
  const Millis t = w.threshold;
  if (w.stage >= 3) {  // long past 2x and still unanswered: stop tracking, the case stays
    waits.remove(w.key);
    return;
  }
  if (w.stage == 0 && hold(slot, now, out)) return;
  const int stage = elapsed >= 2 * t ? 3 : (elapsed * 2 >= 3 * t ? 2 : 1);
  if (w.stage == 0) {
    breach(w, stage, now, out);
  } else if (stage > w.stage) {
    auto it = open_cases.find(w.case_key);
    if (it != open_cases.end()) {
      const Severity s = severity_for(w, stage);
      if (s > it->second.severity) {
        it->second.severity = s;
        Decision d = base_decision(Decision::Op::kRaiseSeverity, w, it->second.id, now);
        d.severity = s;
        d.reason = reason_for(w, elapsed) + " Still waiting: severity now " +
                   std::string(severity_name(s)) + ".";
        out.decisions.push_back(std::move(d));
      }
    }
  }
  w.stage = std::max(w.stage, stage);
  MonoTime next;
  if (w.stage == 1) {
    next = w.anchor + (3 * t + Millis{1}) / 2;  // rounded up, as the stage test above counts
  } else if (w.stage == 2) {
    next = w.anchor + 2 * t;
  } else {
    next = w.anchor + 2 * t + kForgetAfter;
  }
  waits.schedule(slot, next);
}

std::optional<Source> Engine::answered_by(CaseKind kind) {
  switch (kind) {
    case CaseKind::kTableNoOrder:
    case CaseKind::kCourseSlow:
    case CaseKind::kBillSlow: return Source::kTill;
    case CaseKind::kArrivalUnseated:
    case CaseKind::kEnquiryUnanswered: return Source::kBooking;
    default: return std::nullopt;
  }
}

std::string Engine::Impl::held_words(const Wait& w, Now now) const {
  return "Held: " + reason_for(w, now.mono - w.anchor);
}

bool Engine::Impl::hold(std::uint32_t slot, Now now, EngineOutput& out) {
  Wait& w = waits.at(slot);
  const std::optional<Source> src = Engine::answered_by(w.kind);
  if (!src) return false;
  const auto i = static_cast<std::size_t>(*src);
  if (sight[i] == Sight::kDoubt) {
    if (!w.held) {
      w.held = true;
      w.held_since = now.mono;
    }
    if (now.mono < w.held_since + kMaxDoubt) {
      waits.schedule(slot, w.held_since + kMaxDoubt);
      return true;
    }
    w.held = false;  // no verdict on the source in time: the wait is the guest's after all
    return false;
  }
  if (sight[i] == Sight::kBlind) {
    if (!w.held) {
      w.held = true;
      w.held_since = now.mono;
      const std::string ckey = make_key(tag_of(CaseKind::kSourceSilent), source_name(*src));
      if (auto it = open_cases.find(ckey); it != open_cases.end()) {
        Decision d = base_decision(Decision::Op::kAddEvidence, w, it->second.id, now);
        d.kind = CaseKind::kSourceSilent;
        d.subject = Subject{};
        d.subject.device = std::string(source_name(*src));
        d.severity = it->second.severity;
        d.reason = held_words(w, now);
        d.evidence.push_back(w.start);
        out.decisions.push_back(std::move(d));
      }
    }
    waits.schedule(slot, now.mono + kHoldRecheck);
    return true;
  }
  if (w.held && back_at[i] && now.mono < *back_at[i] + kReturnGrace) {
    waits.schedule(slot, *back_at[i] + kReturnGrace);
    return true;
  }
  return false;
}

void Engine::Impl::breach(Wait& w, int stage, Now now, EngineOutput& out) {
  const Millis elapsed = now.mono - w.anchor;
  const Severity s = severity_for(w, stage);
  auto it = open_cases.find(w.case_key);
  if (it != open_cases.end()) {
    // A repeat breach for a subject with an open case: more evidence, maybe more severity.
    Decision d = base_decision(Decision::Op::kAddEvidence, w, it->second.id, now);
    d.reason = "Again: " + reason_for(w, elapsed);
    d.evidence.push_back(w.start);
    if (s > it->second.severity) it->second.severity = s;
    // Another of one guest's enquiries left unanswered: each says more than the wait alone.
    if (w.kind == CaseKind::kEnquiryUnanswered && w.case_key != w.key) {
      d.reason = "Another enquiry from the same guest: " + reason_for(w, elapsed);
      if (it->second.severity < Severity::kCritical) {
        it->second.severity = static_cast<Severity>(static_cast<int>(it->second.severity) + 1);
      }
    }
    d.severity = it->second.severity;
    out.decisions.push_back(std::move(d));
    return;
  }
  if (silenced(w.kind)) return;
  Decision d = open_case(w.kind, w.case_key, w.subject, s, now);
  d.started = w.started;
  d.threshold = w.threshold;
  d.party = w.party;
  d.value = w.value;
  d.reason = reason_for(w, elapsed);
  if (w.held) {
    const std::string_view src = source_name(*Engine::answered_by(w.kind));
    d.reason += " It was held while the " + std::string(src) +
                " system was silent; it is back and has not answered it.";
  }
  d.evidence.push_back(w.start);
  emit_open(std::move(d), now, out);
}

Decision Engine::Impl::open_case(CaseKind kind, const std::string& case_key, const Subject& subject,
                                 Severity s, Now now) {
  char id[32];
  std::snprintf(id, sizeof id, "c-%06llu", static_cast<unsigned long long>(++case_seq));
  OpenCase oc{id, s, subject.table, subject.check};
  open_cases[case_key] = oc;
  case_keys[oc.id] = case_key;
  Decision d;
  d.op = Decision::Op::kOpen;
  d.case_id = oc.id;
  d.kind = kind;
  d.subject = subject;
  d.severity = s;
  d.at = now.wall;
  d.started = now.wall;
  return d;
}

void Engine::Impl::emit_open(Decision d, Now now, EngineOutput& out) {
  const CaseKind kind = d.kind;
  const Subject subject = d.subject;
  const std::string case_id = d.case_id;
  out.decisions.push_back(std::move(d));
  if (kind != CaseKind::kPatternRecurring) note_pattern(kind, subject, case_id, now, out);
}

Severity Engine::Impl::severity_for(const Wait& w, int stage) const {
  Severity base = Severity::kMedium;
  bool guest_facing = true;
  switch (w.kind) {
    case CaseKind::kBillSlow:
    case CaseKind::kEnquiryUnanswered: base = Severity::kLow; break;
    case CaseKind::kTemperatureOutOfRange:
      base = Severity::kHigh;
      guest_facing = false;
      break;
    case CaseKind::kDeviceOffline: {
      auto it = devices.find(w.subject.device);
      const bool cold =
          it != devices.end() && (it->second->kind == "fridge" || it->second->kind == "freezer" ||
                                  it->second->kind == "probe");
      base = cold ? Severity::kHigh : Severity::kMedium;
      guest_facing = false;
      break;
    }
    default: break;
  }
  int steps = stage - 1;
  if (guest_facing) {
    if (settings.detect.high_value > 0 && w.value >= settings.detect.high_value) ++steps;
    if (settings.detect.large_party > 0 && w.party >= settings.detect.large_party) ++steps;
  }
  return raise(base, steps);
}

std::string Engine::Impl::reason_for(const Wait& w, Millis elapsed) const {
  const std::string waited = words::compact(elapsed);
  const std::string limit = " (limit " + words::compact(w.threshold) + ").";
  const Subject& s = w.subject;
  switch (w.kind) {
    case CaseKind::kTableNoOrder:
      return "Table " + s.table + " was seated " + waited + " ago and has not ordered" + limit;
    case CaseKind::kCourseSlow:
      return "The " + s.course + " for check " + s.check +
             (s.table.empty() ? std::string() : " (table " + s.table + ")") + " was fired " +
             waited + " ago and has not been served" + limit;
    case CaseKind::kBillSlow:
      return (s.table.empty() ? "Check " + s.check : "Table " + s.table) + " asked for the bill " +
             waited + " ago and has not paid" + limit;
    case CaseKind::kCallUnanswered:
      return "The call button at table " + s.table + " has been pressed for " + waited +
             " with no answer" + limit;
    case CaseKind::kArrivalUnseated:
      return (s.booking.empty() ? "A walk-in" : "Booking " + s.booking) +
             (w.party > 0 ? " (party of " + std::to_string(w.party) + ")" : std::string()) +
             " arrived " + waited + " ago and has not been seated" + limit;
    case CaseKind::kEnquiryUnanswered:
      return "Enquiry " + s.enquiry + w.detail + " has had no answer for " + waited + limit;
    case CaseKind::kTemperatureOutOfRange:
      return "Device " + s.device + w.detail + " for " + waited + limit;
    case CaseKind::kDeviceOffline:
      return "Device " + s.device + w.detail + " " + waited + " ago" + limit;
    default: return w.detail;
  }
}

std::string Engine::Impl::scope_of(CaseKind kind, const Subject& s) const {
  switch (kind) {
    case CaseKind::kCourseSlow: return "station:" + s.course;
    case CaseKind::kArrivalUnseated: return "door";
    case CaseKind::kEnquiryUnanswered: return "enquiries";
    case CaseKind::kReviewNegative: return "reviews";
    default: return s.area.empty() ? "venue" : "area:" + s.area;
  }
}

void Engine::Impl::note_pattern(CaseKind kind, const Subject& subject, const std::string& case_id,
                                Now now, EngineOutput& out) {
  const DetectConfig& dc = settings.detect;
  const std::string scope = scope_of(kind, subject);
  const std::string pkey =
      make_key(tag_of(CaseKind::kPatternRecurring), case_kind_name(kind), scope);
  auto& hits = patterns[pkey];
  hits.push_back(PatternHit{now.mono, now.wall, case_id});
  while (!hits.empty() && now.mono - hits.front().at >= dc.pattern_window) hits.pop_front();
  if (static_cast<int>(hits.size()) < dc.pattern_count) return;

  auto it = open_cases.find(pkey);
  const std::string words = std::string(case_kind_name(kind)) + " happened " +
                            std::to_string(hits.size()) + " times " +
                            (scope == "venue" ? std::string("in the venue") : "at " + scope) +
                            " within " + words::compact(dc.pattern_window) + ".";
  if (it != open_cases.end()) {
    Decision d;
    d.op = Decision::Op::kAddEvidence;
    d.case_id = it->second.id;
    d.kind = CaseKind::kPatternRecurring;
    d.subject = Subject{};
    d.subject.kind = std::string(case_kind_name(kind));
    d.subject.area = subject.area;
    d.severity = it->second.severity;
    d.at = now.wall;
    d.reason = words;
    d.evidence.push_back(Evidence{case_id, "case", now.wall, std::string(case_kind_name(kind))});
    out.decisions.push_back(std::move(d));
    return;
  }
  if (silenced(CaseKind::kPatternRecurring)) return;
  Subject ps;
  ps.kind = std::string(case_kind_name(kind));
  ps.area = subject.area;
  if (kind == CaseKind::kCourseSlow) ps.course = subject.course;
  Decision d = open_case(CaseKind::kPatternRecurring, pkey, ps, Severity::kHigh, now);
  d.reason = words;
  d.started = hits.front().wall;
  d.threshold = dc.pattern_window;
  for (const auto& h : hits) {
    d.evidence.push_back(Evidence{h.case_id, "case", h.wall, std::string(case_kind_name(kind))});
  }
  out.decisions.push_back(std::move(d));
}

void Engine::Impl::release_cases(const std::string& table, const std::string& check) {
  for (auto it = open_cases.begin(); it != open_cases.end();) {
    const bool match = (!table.empty() && it->second.table == table &&
                        it->first[0] != tag_of(CaseKind::kPatternRecurring)) ||
                       (!check.empty() && it->second.check == check);
    if (match) {
      case_keys.erase(it->second.id);
      it = open_cases.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace mend
