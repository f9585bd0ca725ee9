#include "core/engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

namespace mend {
namespace {

constexpr Millis kForgetAfter = std::chrono::hours(24);  // breached, unanswered waits
constexpr Millis kHousekeeping = std::chrono::hours(1);
constexpr int kStateVersion = 1;

// A duration for people: "14m", "1h05m", "45s".
std::string human(Millis d) {
  if (d < Millis{0}) d = Millis{0};
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  char buf[32];
  if (secs < 60) {
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(secs));
  } else if (secs < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm", static_cast<long long>(secs / 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(secs / 3600),
                  static_cast<long long>((secs % 3600) / 60));
  }
  return buf;
}

std::string degrees(double c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f C", c);
  return buf;
}

Evidence evidence_of(const Event& e, std::string note = {}) {
  return Evidence{e.id, std::string(event_type_name(e.type)), e.ts, std::move(note)};
}

// Wait and case keys: the kind's number, then the subject. Cheap to build, unique per kind.
std::string make_key(char tag, std::string_view a, std::string_view b = {}) {
  std::string k;
  k.reserve(2 + a.size() + 1 + b.size());
  k.push_back(tag);
  k.push_back(':');
  k.append(a);
  if (!b.empty()) {
    k.push_back('\x1f');
    k.append(b);
  }
  return k;
}

char tag_of(CaseKind k) { return static_cast<char>('a' + static_cast<int>(k)); }

// Waits that are not the case's own key (device silence and device status share one case).
constexpr char kTagSilence = 'S';
constexpr char kTagOfflineStatus = 'O';

}  // namespace

std::string_view decision_op_name(Decision::Op op) {
  switch (op) {
    case Decision::Op::kOpen: return "open";
    case Decision::Op::kAddEvidence: return "add_evidence";
    case Decision::Op::kRaiseSeverity: return "raise_severity";
    case Decision::Op::kClose: return "close";
  }
  return "unknown";
}

DetectionSettings DetectionSettings::from(const Config& c) {
  DetectionSettings s;
  s.detect = c.detect;
  s.devices = c.devices;
  s.areas = c.areas;
  return s;
}

struct Engine::Impl {
  // ---- state -------------------------------------------------------------------------------
  struct Wait {
    CaseKind kind = CaseKind::kTableNoOrder;
    std::string key;       // this wait
    std::string case_key;  // the case it opens or adds to
    Subject subject;
    MonoTime anchor;   // when it started, on the monotonic clock
    WallTime started;  // when it started, as the source said
    Millis threshold{0};
    int stage = 0;  // 0 waiting, 1 breached, 2 raised at 1.5x, 3 raised at 2x
    MonoTime deadline;
    std::uint64_t gen = 0;
    Evidence start;
    std::int64_t party = 0;
    double value = 0;
    std::string detail;  // kind-specific words for the reason (a reading, a channel)
    bool live = false;
  };
  struct HeapEntry {
    MonoTime deadline;
    std::uint64_t gen;  // ties fire in the order they were scheduled
    std::uint32_t slot;
    bool operator>(const HeapEntry& o) const {
      return deadline != o.deadline ? deadline > o.deadline : gen > o.gen;
    }
  };
  struct OpenCase {
    std::string id;
    Severity severity = Severity::kMedium;
    std::string table;  // the table it belongs to, so table.cleared can let it go
    std::string check;  // likewise for check.paid
  };
  struct TableState {
    bool seated = false;
    bool from_sensor = false;
    WallTime seated_at;
    std::string booking;
    std::string customer;
    std::int64_t party = 0;
    double value = 0;
    std::optional<WallTime> last_order;  // newest order.opened ts for this seating
    std::vector<std::string> checks;
    bool bill_requested = false;
  };
  struct CheckState {
    std::string table;
    std::int64_t voids = 0;
    std::vector<Evidence> void_evidence;
    std::vector<std::pair<std::string, WallTime>> served;  // course -> last served ts
    std::vector<std::string> fired;  // courses fired, so their waits are found without a scan
    std::optional<WallTime> paid;
    MonoTime touched;
  };
  struct BookingInfo {
    WallTime at;
    std::int64_t party = 0;
    double value = 0;
    std::string customer;
    std::optional<WallTime> seated;
    MonoTime touched;
  };
  struct PatternHit {
    MonoTime at;
    WallTime wall;
    std::string case_id;
  };

  DetectionSettings settings;
  std::unordered_map<std::string, std::string> table_area;
  std::unordered_map<std::string, const DeviceConfig*> devices;

  std::vector<Wait> slots;
  std::vector<std::uint32_t> free_slots;
  std::unordered_map<std::string, std::uint32_t> waits;  // key -> slot
  std::priority_queue<HeapEntry, std::vector<HeapEntry>, std::greater<>> heap;
  std::uint64_t next_gen = 1;

  std::unordered_map<std::string, OpenCase> open_cases;    // case key -> case
  std::unordered_map<std::string, std::string> case_keys;  // case id -> case key
  std::uint64_t case_seq = 0;

  std::unordered_map<std::string, TableState> tables;
  std::unordered_map<std::string, CheckState> checks;
  std::unordered_map<std::string, BookingInfo> bookings;
  std::unordered_map<std::string, WallTime> answered_enquiries;
  std::unordered_map<std::string, MonoTime> answered_touched;
  std::deque<std::string> walkins;  // walk-in arrival wait keys, oldest first
  std::unordered_map<std::string, std::deque<PatternHit>> patterns;

  std::unordered_set<std::string> seen;
  std::deque<const std::string*> seen_order;

  bool started = false;
  MonoTime last_mono{};
  MonoTime next_housekeeping{};

  explicit Impl(DetectionSettings s) { apply_settings(std::move(s)); }

  void apply_settings(DetectionSettings s) {
    settings = std::move(s);
    table_area.clear();
    for (const auto& a : settings.areas) {
      for (const auto& t : a.tables) table_area[t] = a.name;
    }
    devices.clear();
    for (const auto& d : settings.devices) devices[d.id] = &d;
  }

  // ---- time --------------------------------------------------------------------------------
  // Clamps `now` so the monotonic clock never runs backwards inside the engine.
  Now clamp(Now now) {
    if (now.mono < last_mono) now.mono = last_mono;
    last_mono = now.mono;
    return now;
  }
  static MonoTime anchor_of(WallTime ts, Now now) { return now.mono - (now.wall - ts); }

  // ---- waits -------------------------------------------------------------------------------
  Wait* find_wait(const std::string& key) {
    auto it = waits.find(key);
    return it == waits.end() ? nullptr : &slots[it->second];
  }

  void schedule(std::uint32_t slot, MonoTime deadline) {
    Wait& w = slots[slot];
    w.deadline = deadline;
    w.gen = next_gen++;
    heap.push(HeapEntry{deadline, w.gen, slot});
    // Rescheduling leaves stale entries behind; rebuild once they outnumber the live ones.
    if (heap.size() > 64 && heap.size() > 2 * waits.size() + 64) rebuild_heap();
  }

  void rebuild_heap() {
    std::vector<HeapEntry> entries;
    entries.reserve(waits.size());
    for (const auto& [key, slot] : waits) {
      entries.push_back(HeapEntry{slots[slot].deadline, slots[slot].gen, slot});
    }
    heap = decltype(heap)(std::greater<>(), std::move(entries));
  }

  std::uint32_t add_wait(Wait w) {
    std::uint32_t slot;
    if (!free_slots.empty()) {
      slot = free_slots.back();
      free_slots.pop_back();
    } else {
      slot = static_cast<std::uint32_t>(slots.size());
      slots.emplace_back();
    }
    w.live = true;
    waits.emplace(w.key, slot);
    slots[slot] = std::move(w);
    return slot;
  }

  void remove_wait(const std::string& key) {
    auto it = waits.find(key);
    if (it == waits.end()) return;
    const std::uint32_t slot = it->second;
    waits.erase(it);
    slots[slot] = Wait{};  // gen 0 marks heap entries for this slot stale
    free_slots.push_back(slot);
  }

  // Starts a wait unless one with the key is already running (the first start counts). A wait
  // whose deadline has already passed (a late event) breaches at once.
  void start_wait(Wait w, Now now, EngineOutput& out) {
    if (waits.count(w.key) != 0) return;
    w.anchor = anchor_of(w.started, now);
    const MonoTime deadline = w.anchor + w.threshold;
    const std::uint32_t slot = add_wait(std::move(w));
    schedule(slot, deadline);
    if (deadline <= now.mono) fire(slot, now, out);
  }

  // The answering event ends the wait. If it had already breached, the case learns when.
  void end_wait(const std::string& key, const Event& answer, std::string_view what, Now now,
                EngineOutput& out) {
    Wait* w = find_wait(key);
    if (w == nullptr) return;
    if (w->stage >= 1) {
      auto it = open_cases.find(w->case_key);
      if (it != open_cases.end()) {
        Decision d = base_decision(Decision::Op::kAddEvidence, *w, it->second.id, now);
        d.severity = it->second.severity;
        d.reason = std::string(what) + " after " + human(answer.ts - w->started);
        d.evidence.push_back(evidence_of(answer, d.reason));
        out.decisions.push_back(std::move(d));
      }
    }
    remove_wait(key);
  }

  Decision base_decision(Decision::Op op, const Wait& w, std::string case_id, Now now) const {
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

  // Fires a due wait: breach (open or add evidence), raise severity, or forget.
  void fire(std::uint32_t slot, Now now, EngineOutput& out) {
    Wait& w = slots[slot];
    const Millis elapsed = now.mono - w.anchor;
    const Millis t = w.threshold;
    if (w.stage >= 3) {  // long past 2x and still unanswered: stop tracking, the case stays
      remove_wait(w.key);
      return;
    }
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
    schedule(slot, next);
  }

  void breach(Wait& w, int stage, Now now, EngineOutput& out) {
    const Millis elapsed = now.mono - w.anchor;
    const Severity s = severity_for(w, stage);
    auto it = open_cases.find(w.case_key);
    if (it != open_cases.end()) {
      // A repeat breach for a subject with an open case: more evidence, maybe more severity.
      Decision d = base_decision(Decision::Op::kAddEvidence, w, it->second.id, now);
      d.reason = "Again: " + reason_for(w, elapsed);
      d.evidence.push_back(w.start);
      if (s > it->second.severity) it->second.severity = s;
      d.severity = it->second.severity;
      out.decisions.push_back(std::move(d));
      return;
    }
    Decision d = open_case(w.kind, w.case_key, w.subject, s, now);
    d.started = w.started;
    d.threshold = w.threshold;
    d.party = w.party;
    d.value = w.value;
    d.reason = reason_for(w, elapsed);
    d.evidence.push_back(w.start);
    emit_open(std::move(d), now, out);
  }

  // Registers a new open case and returns its Open decision, to be completed and emitted.
  Decision open_case(CaseKind kind, const std::string& case_key, const Subject& subject, Severity s,
                     Now now) {
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

  void emit_open(Decision d, Now now, EngineOutput& out) {
    const CaseKind kind = d.kind;
    const Subject subject = d.subject;
    const std::string case_id = d.case_id;
    out.decisions.push_back(std::move(d));
    if (kind != CaseKind::kPatternRecurring) note_pattern(kind, subject, case_id, now, out);
  }

  // ---- severity and words ------------------------------------------------------------------
  Severity severity_for(const Wait& w, int stage) const {
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

  std::string reason_for(const Wait& w, Millis elapsed) const {
    const std::string waited = human(elapsed);
    const std::string limit = " (limit " + human(w.threshold) + ").";
    const Subject& s = w.subject;
    switch (w.kind) {
      case CaseKind::kTableNoOrder:
        return "Table " + s.table + " was seated " + waited + " ago and has not ordered" + limit;
      case CaseKind::kCourseSlow:
        return "The " + s.course + " for check " + s.check +
               (s.table.empty() ? std::string() : " (table " + s.table + ")") + " was fired " +
               waited + " ago and has not been served" + limit;
      case CaseKind::kBillSlow:
        return (s.table.empty() ? "Check " + s.check : "Table " + s.table) +
               " asked for the bill " + waited + " ago and has not paid" + limit;
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

  // ---- patterns ----------------------------------------------------------------------------
  std::string scope_of(CaseKind kind, const Subject& s) const {
    switch (kind) {
      case CaseKind::kCourseSlow: return "station:" + s.course;
      case CaseKind::kArrivalUnseated: return "door";
      case CaseKind::kEnquiryUnanswered: return "enquiries";
      case CaseKind::kReviewNegative: return "reviews";
      default: return s.area.empty() ? "venue" : "area:" + s.area;
    }
  }

  void note_pattern(CaseKind kind, const Subject& subject, const std::string& case_id, Now now,
                    EngineOutput& out) {
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
                              " within " + human(dc.pattern_window) + ".";
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

  // ---- subjects ----------------------------------------------------------------------------
  std::string area_of_table(const std::string& table) const {
    auto it = table_area.find(table);
    return it == table_area.end() ? std::string() : it->second;
  }

  Subject table_subject(const std::string& table) const {
    Subject s;
    s.table = table;
    s.area = area_of_table(table);
    auto it = tables.find(table);
    if (it != tables.end()) {
      s.booking = it->second.booking;
      s.customer = it->second.customer;
    }
    return s;
  }

  // Drops the open-case links of a subject whose life ended, so the next party at the table or
  // the next check starts cases of its own. The cases themselves stay open for the staff.
  void release_cases(const std::string& table, const std::string& check) {
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

  std::string check_table(const std::string& check, const std::string& given) const {
    if (!given.empty()) return given;
    auto it = checks.find(check);
    return it == checks.end() ? std::string() : it->second.table;
  }

  CheckState& touch_check(const std::string& check, const std::string& table, Now now) {
    CheckState& c = checks[check];
    if (!table.empty() && c.table != table) {
      c.table = table;
      auto& ts = tables[table];
      if (std::find(ts.checks.begin(), ts.checks.end(), check) == ts.checks.end()) {
        ts.checks.push_back(check);
      }
    }
    c.touched = now.mono;
    return c;
  }

  // ---- events ------------------------------------------------------------------------------
  void seat(const std::string& table, const Event& e, const std::string& booking,
            std::optional<std::int64_t> party, const std::optional<Customer>& customer,
            bool from_sensor, Now now, EngineOutput& out) {
    TableState& t = tables[table];
    if (t.seated) {
      // Seated again without a table.cleared in between: the old seating is over.
      clear_table(table, e, now, out, /*keep_order=*/true);
    }
    TableState& ts = tables[table];
    ts.seated = true;
    ts.from_sensor = from_sensor;
    ts.seated_at = e.ts;
    ts.booking = booking;
    ts.customer = customer ? customer->id : std::string();
    ts.party = party.value_or(0);
    ts.value = 0;
    ts.bill_requested = false;
    if (!booking.empty()) {
      BookingInfo& b = bookings[booking];
      if (ts.party == 0) ts.party = b.party;
      ts.value = b.value;
      if (ts.customer.empty()) ts.customer = b.customer;
      b.seated = e.ts;
      b.touched = now.mono;
      end_wait(make_key(tag_of(CaseKind::kArrivalUnseated), booking), e, "Seated", now, out);
    } else if (!from_sensor) {
      seat_walkin(ts.party, e, now, out);
    }
    if (ts.last_order && *ts.last_order >= e.ts) return;  // the order came in first
    ts.last_order.reset();

    Wait w;
    w.kind = CaseKind::kTableNoOrder;
    w.key = make_key(tag_of(w.kind), table);
    w.case_key = w.key;
    w.subject = table_subject(table);
    w.started = e.ts;
    w.threshold = settings.detect.table_no_order;
    w.start = evidence_of(e);
    w.party = ts.party;
    w.value = ts.value;
    start_wait(std::move(w), now, out);
  }

  // A walk-in seated: it answers the oldest walk-in arrival of the same party size (or the
  // oldest at all when the seating does not say the party).
  void seat_walkin(std::int64_t party, const Event& e, Now now, EngineOutput& out) {
    for (auto it = walkins.begin(); it != walkins.end(); ++it) {
      Wait* w = find_wait(*it);
      if (w == nullptr) continue;
      if (party == 0 || w->party == 0 || w->party == party) {
        const std::string key = *it;
        walkins.erase(it);
        end_wait(key, e, "Seated", now, out);
        return;
      }
    }
  }

  void clear_table(const std::string& table, const Event& e, Now now, EngineOutput& out,
                   bool keep_order) {
    auto it = tables.find(table);
    const std::vector<std::string> table_checks =
        it != tables.end() ? it->second.checks : std::vector<std::string>{};
    const std::optional<WallTime> last_order =
        it != tables.end() ? it->second.last_order : std::nullopt;
    end_wait(make_key(tag_of(CaseKind::kTableNoOrder), table), e, "Table cleared", now, out);
    end_wait(make_key(tag_of(CaseKind::kCallUnanswered), table), e, "Table cleared", now, out);
    for (const auto& check : table_checks) {
      end_check_waits(check, e, "Table cleared", now, out);
      checks.erase(check);
      release_cases({}, check);
    }
    release_cases(table, {});
    tables.erase(table);
    if (keep_order && last_order) tables[table].last_order = last_order;
  }

  void end_check_waits(const std::string& check, const Event& e, std::string_view what, Now now,
                       EngineOutput& out) {
    end_wait(make_key(tag_of(CaseKind::kBillSlow), check), e, what, now, out);
    auto it = checks.find(check);
    if (it == checks.end()) return;
    const std::vector<std::string> fired = it->second.fired;  // end_wait may touch checks
    for (const auto& course : fired) {
      end_wait(make_key(tag_of(CaseKind::kCourseSlow), check, course), e, what, now, out);
    }
  }

  void on_order_opened(const Event& e, const OrderOpened& b, Now now, EngineOutput& out) {
    TableState& t = tables[b.table];
    if (!t.last_order || e.ts > *t.last_order) t.last_order = e.ts;
    touch_check(b.check, b.table, now);
    end_wait(make_key(tag_of(CaseKind::kTableNoOrder), b.table), e, "Order taken", now, out);
  }

  void on_items_fired(const Event& e, const ItemsFired& b, Now now, EngineOutput& out) {
    const std::string table = check_table(b.check, b.table);
    CheckState& c = touch_check(b.check, table, now);
    for (const auto& [course, ts] : c.served) {
      if (course == b.course && ts >= e.ts) return;  // served before we heard it was fired
    }
    if (std::find(c.fired.begin(), c.fired.end(), b.course) == c.fired.end()) {
      c.fired.push_back(b.course);
    }
    const auto& courses = settings.detect.course;
    auto it = courses.find(b.course);
    Wait w;
    w.kind = CaseKind::kCourseSlow;
    w.key = make_key(tag_of(w.kind), b.check, b.course);
    w.case_key = w.key;
    w.subject = table.empty() ? Subject{} : table_subject(table);
    w.subject.check = b.check;
    w.subject.course = b.course;
    w.started = e.ts;
    w.threshold = it != courses.end() ? it->second : settings.detect.course_default;
    w.start = evidence_of(e);
    fill_party(w, table);
    start_wait(std::move(w), now, out);
  }

  void fill_party(Wait& w, const std::string& table) const {
    auto it = tables.find(table);
    if (it == tables.end()) return;
    w.party = it->second.party;
    w.value = it->second.value;
  }

  void on_items_served(const Event& e, const ItemsServed& b, Now now, EngineOutput& out) {
    CheckState& c = touch_check(b.check, b.table, now);
    bool found = false;
    for (auto& [course, ts] : c.served) {
      if (course == b.course) {
        ts = std::max(ts, e.ts);
        found = true;
      }
    }
    if (!found) c.served.emplace_back(b.course, e.ts);
    end_wait(make_key(tag_of(CaseKind::kCourseSlow), b.check, b.course), e, "Served", now, out);
  }

  void on_check_requested(const Event& e, const CheckRequested& b, Now now, EngineOutput& out) {
    const std::string table = check_table(b.check, b.table);
    CheckState& c = touch_check(b.check, table, now);
    if (c.paid && *c.paid >= e.ts) return;
    if (!table.empty()) tables[table].bill_requested = true;
    Wait w;
    w.kind = CaseKind::kBillSlow;
    w.key = make_key(tag_of(w.kind), b.check);
    w.case_key = w.key;
    w.subject = table.empty() ? Subject{} : table_subject(table);
    w.subject.check = b.check;
    w.started = e.ts;
    w.threshold = settings.detect.bill_slow;
    w.start = evidence_of(e);
    fill_party(w, table);
    start_wait(std::move(w), now, out);
  }

  void on_check_paid(const Event& e, const CheckPaid& b, Now now, EngineOutput& out) {
    const std::string table = check_table(b.check, b.table);
    CheckState& c = touch_check(b.check, table, now);
    c.paid = e.ts;
    end_check_waits(b.check, e, "Paid", now, out);
    release_cases({}, b.check);
  }

  void on_item_voided(const Event& e, const ItemVoided& b, Now now, EngineOutput& out) {
    const std::string table = check_table(b.check, b.table);
    CheckState& c = touch_check(b.check, table, now);
    ++c.voids;
    c.void_evidence.push_back(evidence_of(e, b.item + (b.reason.empty() ? "" : ": " + b.reason)));
    const int limit = settings.detect.voids_count;
    if (c.voids < limit) return;
    const std::string key = make_key(tag_of(CaseKind::kVoidsRepeated), b.check);
    const std::string words =
        "Check " + b.check + (table.empty() ? std::string() : " (table " + table + ")") + " has " +
        std::to_string(c.voids) + " voided items (limit " + std::to_string(limit) + ").";
    const Severity s = c.voids >= std::int64_t{2} * limit ? Severity::kMedium : Severity::kLow;
    auto it = open_cases.find(key);
    if (it != open_cases.end()) {
      Decision d;
      d.op = Decision::Op::kAddEvidence;
      d.case_id = it->second.id;
      d.kind = CaseKind::kVoidsRepeated;
      d.subject = table.empty() ? Subject{} : table_subject(table);
      d.subject.check = b.check;
      if (s > it->second.severity) it->second.severity = s;
      d.severity = it->second.severity;
      d.at = now.wall;
      d.reason = words;
      d.evidence.push_back(c.void_evidence.back());
      out.decisions.push_back(std::move(d));
      return;
    }
    Subject subject = table.empty() ? Subject{} : table_subject(table);
    subject.check = b.check;
    Decision d = open_case(CaseKind::kVoidsRepeated, key, subject, s, now);
    d.reason = words;
    d.started = c.void_evidence.front().ts;
    d.evidence = c.void_evidence;
    emit_open(std::move(d), now, out);
  }

  void on_booking_changed(const Event& e, const BookingChanged& b, Now now) {
    BookingInfo& info = bookings[b.booking];
    info.at = b.at;
    info.party = b.party;
    info.value = b.value.value_or(info.value);
    if (b.customer && !b.customer->id.empty()) info.customer = b.customer->id;
    info.touched = now.mono;
    (void)e;
  }

  void on_guest_arrived(const Event& e, const GuestArrived& b, Now now, EngineOutput& out) {
    Wait w;
    w.kind = CaseKind::kArrivalUnseated;
    w.started = e.ts;
    w.threshold = settings.detect.arrival_unseated;
    w.start = evidence_of(e);
    w.party = b.party.value_or(0);
    if (!b.booking.empty()) {
      BookingInfo& info = bookings[b.booking];
      info.touched = now.mono;
      if (info.seated && *info.seated >= e.ts) return;  // seated before we heard of the arrival
      if (w.party == 0) w.party = info.party;
      w.value = info.value;
      w.key = make_key(tag_of(w.kind), b.booking);
      w.subject.booking = b.booking;
      w.subject.customer = info.customer;
    } else {
      w.key = make_key(tag_of(w.kind), "walk-in", e.id);
      w.subject.walk_in = e.id;
      walkins.push_back(w.key);
    }
    if (b.customer && !b.customer->id.empty()) w.subject.customer = b.customer->id;
    w.case_key = w.key;
    start_wait(std::move(w), now, out);
  }

  void on_enquiry_received(const Event& e, const EnquiryReceived& b, Now now, EngineOutput& out) {
    auto answered = answered_enquiries.find(b.enquiry);
    if (answered != answered_enquiries.end() && answered->second >= e.ts) return;
    Wait w;
    w.kind = CaseKind::kEnquiryUnanswered;
    w.key = make_key(tag_of(w.kind), b.enquiry);
    w.case_key = w.key;
    w.subject.enquiry = b.enquiry;
    if (b.customer) w.subject.customer = b.customer->id;
    w.started = e.ts;
    w.threshold = settings.detect.enquiry_unanswered;
    w.start = evidence_of(e);
    w.value = b.value.value_or(0);
    w.detail = " (" + b.channel + (b.topic.empty() ? std::string() : ", " + b.topic) + ")";
    start_wait(std::move(w), now, out);
  }

  void on_enquiry_answered(const Event& e, const EnquiryAnswered& b, Now now, EngineOutput& out) {
    answered_enquiries[b.enquiry] = e.ts;
    answered_touched[b.enquiry] = now.mono;
    const std::string key = make_key(tag_of(CaseKind::kEnquiryUnanswered), b.enquiry);
    end_wait(key, e, "Answered", now, out);
    auto it = open_cases.find(key);
    if (it != open_cases.end()) {
      case_keys.erase(it->second.id);
      open_cases.erase(it);
    }
  }

  // ---- devices -----------------------------------------------------------------------------
  std::string device_words(const std::string& device) const {
    auto it = devices.find(device);
    if (it == devices.end()) return {};
    const DeviceConfig& d = *it->second;
    if (d.location.empty()) return " (" + d.kind + ")";
    return " (" + d.kind + ", " + d.location + ")";
  }
  std::string device_area(const std::string& device) const {
    auto it = devices.find(device);
    return it == devices.end() ? std::string() : it->second->area;
  }
  Millis silence_of(const std::string& device) const {
    auto it = devices.find(device);
    if (it == devices.end()) return Millis{0};  // unregistered: we do not know its rhythm
    return it->second->silence.value_or(settings.detect.device_silence);
  }

  // Any message from a device: it is alive. Restarts its silence watch and ends an offline
  // case it had.
  void device_seen(const std::string& device, const Event& e, Now now, EngineOutput& out) {
    arm_silence(device, now, &e);
    device_back(device, e, now, out);
  }

  // `last` is the message that proves the device alive; none when the watch starts with mendd.
  void arm_silence(const std::string& device, Now now, const Event* last) {
    const Millis limit = silence_of(device);
    if (limit <= Millis{0}) return;
    const std::string key = make_key(kTagSilence, device);
    const Evidence start = last != nullptr
                               ? evidence_of(*last, "last message")
                               : Evidence{"", "mendd.started", now.wall, "no message since start"};
    if (Wait* w = find_wait(key); w != nullptr && w->stage == 0) {
      w->anchor = now.mono;
      w->started = now.wall;
      w->start = start;
      schedule(waits[key], now.mono + limit);
      return;
    }
    remove_wait(key);
    Wait w;
    w.kind = CaseKind::kDeviceOffline;
    w.key = key;
    w.case_key = make_key(tag_of(CaseKind::kDeviceOffline), device);
    w.subject.device = device;
    w.subject.area = device_area(device);
    w.started = now.wall;
    w.threshold = limit;
    w.start = start;
    w.detail = device_words(device) + " has sent nothing since";
    const std::uint32_t slot = add_wait(std::move(w));
    slots[slot].anchor = now.mono;
    schedule(slot, now.mono + limit);
  }

  void device_back(const std::string& device, const Event& e, Now now, EngineOutput& out) {
    const std::string case_key = make_key(tag_of(CaseKind::kDeviceOffline), device);
    const std::string status_key = make_key(kTagOfflineStatus, device);
    remove_wait(status_key);
    auto it = open_cases.find(case_key);
    if (it == open_cases.end()) return;
    Decision d;
    d.op = Decision::Op::kClose;
    d.case_id = it->second.id;
    d.kind = CaseKind::kDeviceOffline;
    d.subject.device = device;
    d.subject.area = device_area(device);
    d.severity = it->second.severity;
    d.at = now.wall;
    d.reason = "Device " + device + " is back online.";
    d.evidence.push_back(evidence_of(e, d.reason));
    out.decisions.push_back(std::move(d));
    case_keys.erase(it->second.id);
    open_cases.erase(it);
  }

  void on_status(const Event& e, const DeviceStatus& b, Now now, EngineOutput& out) {
    if (b.online) {
      device_seen(b.device, e, now, out);
      return;
    }
    const std::string key = make_key(kTagOfflineStatus, b.device);
    if (find_wait(key) != nullptr) return;  // already offline: a retained status again
    Wait w;
    w.kind = CaseKind::kDeviceOffline;
    w.key = key;
    w.case_key = make_key(tag_of(CaseKind::kDeviceOffline), b.device);
    w.subject.device = b.device;
    w.subject.area = device_area(b.device);
    // The status is the broker's last will, published when the broker noticed: it has no ts
    // of its own, so the wait counts from when we heard it.
    w.started = e.ts;
    w.threshold = settings.detect.device_offline;
    w.start = evidence_of(e);
    w.detail = device_words(b.device) + " reported offline";
    start_wait(std::move(w), now, out);
  }

  void on_temperature(const Event& e, const Temperature& b, Now now, EngineOutput& out) {
    device_seen(b.device, e, now, out);
    double low = settings.detect.temperature_low;
    double high = settings.detect.temperature_high;
    Millis limit = settings.detect.temperature_for;
    auto dev = devices.find(b.device);
    if (dev != devices.end()) {
      low = dev->second->low.value_or(low);
      high = dev->second->high.value_or(high);
      limit = dev->second->out_of_range_for.value_or(limit);
    }
    const double c = b.celsius();
    const std::string key = make_key(tag_of(CaseKind::kTemperatureOutOfRange), b.device);
    const std::string band = degrees(low) + " to " + degrees(high);
    if (c >= low && c <= high) {
      end_wait(key, e, "Back in range at " + degrees(c), now, out);
      return;
    }
    if (Wait* w = find_wait(key)) {
      w->detail = device_words(b.device) + " has read " + degrees(c) + ", outside " + band + ",";
      return;
    }
    Wait w;
    w.kind = CaseKind::kTemperatureOutOfRange;
    w.key = key;
    w.case_key = key;
    w.subject.device = b.device;
    w.subject.area = device_area(b.device);
    w.started = e.ts;
    w.threshold = limit;
    w.start = evidence_of(e, degrees(c));
    w.detail = device_words(b.device) + " has read " + degrees(c) + ", outside " + band + ",";
    start_wait(std::move(w), now, out);
  }

  void on_call_button(const Event& e, const CallButton& b, Now now, EngineOutput& out) {
    device_seen(b.device, e, now, out);
    const std::string key = make_key(tag_of(CaseKind::kCallUnanswered), b.table);
    if (!b.pressed) {
      end_wait(key, e, "Answered", now, out);
      return;
    }
    Wait w;
    w.kind = CaseKind::kCallUnanswered;
    w.key = key;
    w.case_key = key;
    w.subject = table_subject(b.table);
    w.subject.device = b.device;
    w.started = e.ts;
    w.threshold = settings.detect.call_unanswered;
    w.start = evidence_of(e);
    fill_party(w, b.table);
    start_wait(std::move(w), now, out);
  }

  void on_occupancy(const Event& e, const Occupancy& b, Now now, EngineOutput& out) {
    device_seen(b.device, e, now, out);
    auto it = tables.find(b.table);
    const bool seated = it != tables.end() && it->second.seated;
    if (b.occupied && !seated) {
      seat(b.table, e, {}, std::nullopt, std::nullopt, /*from_sensor=*/true, now, out);
    } else if (!b.occupied && seated && it->second.from_sensor) {
      clear_table(b.table, e, now, out, /*keep_order=*/false);
    }
  }

  void on_review(const Event& e, const ReviewReceived& b, Now now, EngineOutput& out) {
    if (b.rating > settings.detect.review_max_rating) return;
    const std::string key = make_key(tag_of(CaseKind::kReviewNegative), b.review);
    if (open_cases.count(key) != 0) return;
    Subject s;
    s.review = b.review;
    s.booking = b.booking;
    if (b.customer) s.customer = b.customer->id;
    const Severity sev = b.rating <= 1 ? Severity::kHigh : Severity::kMedium;
    Decision d = open_case(CaseKind::kReviewNegative, key, s, sev, now);
    std::string text = b.text.size() > 160 ? b.text.substr(0, 157) + "..." : b.text;
    d.reason = "A " + std::to_string(b.rating) + "-star review on " + b.source +
               (text.empty() ? std::string(".") : ": \"" + text + "\"");
    d.started = e.ts;
    d.evidence.push_back(evidence_of(e));
    if (!b.booking.empty()) {
      auto bi = bookings.find(b.booking);
      if (bi != bookings.end()) {
        d.party = bi->second.party;
        d.value = bi->second.value;
      }
    }
    emit_open(std::move(d), now, out);
  }

  // ---- housekeeping ------------------------------------------------------------------------
  // Forgets what can no longer matter, so a box that runs for months stays small: checks and
  // bookings untouched for a day, answered enquiries, old pattern hits.
  void housekeeping(Now now) {
    const auto stale = [&](MonoTime touched) { return now.mono - touched > kForgetAfter; };
    for (auto it = checks.begin(); it != checks.end();) {
      it = stale(it->second.touched) ? checks.erase(it) : std::next(it);
    }
    for (auto it = bookings.begin(); it != bookings.end();) {
      const bool past = now.wall - it->second.at > kForgetAfter;
      it = (past && stale(it->second.touched)) ? bookings.erase(it) : std::next(it);
    }
    for (auto it = answered_touched.begin(); it != answered_touched.end();) {
      if (stale(it->second)) {
        answered_enquiries.erase(it->first);
        it = answered_touched.erase(it);
      } else {
        ++it;
      }
    }
    for (auto it = patterns.begin(); it != patterns.end();) {
      auto& hits = it->second;
      while (!hits.empty() && now.mono - hits.front().at >= settings.detect.pattern_window) {
        hits.pop_front();
      }
      it = hits.empty() ? patterns.erase(it) : std::next(it);
    }
    std::erase_if(walkins, [&](const std::string& k) { return waits.count(k) == 0; });
    next_housekeeping = now.mono + kHousekeeping;
  }

  void start(Now now) {
    if (started) return;
    started = true;
    next_housekeeping = now.mono + kHousekeeping;
    for (const auto& d : settings.devices) {
      if (find_wait(make_key(kTagSilence, d.id)) == nullptr) arm_silence(d.id, now, nullptr);
    }
  }

  // ---- dedup -------------------------------------------------------------------------------
  bool remember(const std::string& id) {
    auto [it, inserted] = seen.insert(id);
    if (!inserted) return false;
    seen_order.push_back(&*it);
    while (seen_order.size() > settings.dedup_capacity) {
      seen.erase(*seen_order.front());
      seen_order.pop_front();
    }
    return true;
  }

  std::optional<MonoTime> next_deadline() {
    while (!heap.empty()) {
      const HeapEntry& top = heap.top();
      if (slots[top.slot].live && slots[top.slot].gen == top.gen) break;
      heap.pop();
    }
    // Housekeeping is not a deadline: it rides on calls that come anyway, since state only
    // grows when events arrive.
    if (heap.empty()) return std::nullopt;
    return heap.top().deadline;
  }

  void run_due(Now now, EngineOutput& out) {
    while (!heap.empty()) {
      const HeapEntry top = heap.top();
      if (!slots[top.slot].live || slots[top.slot].gen != top.gen) {
        heap.pop();
        continue;
      }
      if (top.deadline > now.mono) break;
      heap.pop();
      fire(top.slot, now, out);
    }
    if (started && now.mono >= next_housekeeping) housekeeping(now);
  }
};

// ---- Engine --------------------------------------------------------------------------------

Engine::Engine(DetectionSettings settings) : impl_(std::make_unique<Impl>(std::move(settings))) {}
Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

EngineOutput Engine::on_event(const Event& e, Now now) {
  Impl& m = *impl_;
  now = m.clamp(now);
  m.start(now);
  EngineOutput out;
  if (!m.remember(e.id)) {
    out.duplicate = true;
    out.next_deadline = m.next_deadline();
    return out;
  }
  // Whatever is due before this event is decided first, so decisions come out in time order.
  m.run_due(now, out);
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, OrderOpened>) {
          m.on_order_opened(e, b, now, out);
        } else if constexpr (std::is_same_v<T, ItemsFired>) {
          m.on_items_fired(e, b, now, out);
        } else if constexpr (std::is_same_v<T, ItemsServed>) {
          m.on_items_served(e, b, now, out);
        } else if constexpr (std::is_same_v<T, CheckRequested>) {
          m.on_check_requested(e, b, now, out);
        } else if constexpr (std::is_same_v<T, CheckPaid>) {
          m.on_check_paid(e, b, now, out);
        } else if constexpr (std::is_same_v<T, ItemVoided>) {
          m.on_item_voided(e, b, now, out);
        } else if constexpr (std::is_same_v<T, BookingChanged>) {
          m.on_booking_changed(e, b, now);
        } else if constexpr (std::is_same_v<T, BookingCancelled>) {
          m.end_wait(make_key(tag_of(CaseKind::kArrivalUnseated), b.booking), e, "Cancelled", now,
                     out);
          m.bookings.erase(b.booking);
        } else if constexpr (std::is_same_v<T, GuestArrived>) {
          m.on_guest_arrived(e, b, now, out);
        } else if constexpr (std::is_same_v<T, GuestSeated>) {
          m.seat(b.table, e, b.booking, b.party, b.customer, false, now, out);
        } else if constexpr (std::is_same_v<T, TableCleared>) {
          m.clear_table(b.table, e, now, out, /*keep_order=*/false);
        } else if constexpr (std::is_same_v<T, EnquiryReceived>) {
          m.on_enquiry_received(e, b, now, out);
        } else if constexpr (std::is_same_v<T, EnquiryAnswered>) {
          m.on_enquiry_answered(e, b, now, out);
        } else if constexpr (std::is_same_v<T, Temperature>) {
          m.on_temperature(e, b, now, out);
        } else if constexpr (std::is_same_v<T, CallButton>) {
          m.on_call_button(e, b, now, out);
        } else if constexpr (std::is_same_v<T, Occupancy>) {
          m.on_occupancy(e, b, now, out);
        } else if constexpr (std::is_same_v<T, Queue>) {
          m.device_seen(b.device, e, now, out);
        } else if constexpr (std::is_same_v<T, DeviceStatus>) {
          m.on_status(e, b, now, out);
        } else if constexpr (std::is_same_v<T, ReviewReceived>) {
          m.on_review(e, b, now, out);
        } else {
          // voucher.redeemed and survey.answered inform recovery policy, not detection.
        }
      },
      e.body);
  out.next_deadline = m.next_deadline();
  return out;
}

EngineOutput Engine::on_tick(Now now) {
  Impl& m = *impl_;
  now = m.clamp(now);
  m.start(now);
  EngineOutput out;
  m.run_due(now, out);
  out.next_deadline = m.next_deadline();
  return out;
}

void Engine::on_case_closed(std::string_view case_id) {
  Impl& m = *impl_;
  auto it = m.case_keys.find(std::string(case_id));
  if (it == m.case_keys.end()) return;
  m.open_cases.erase(it->second);
  m.case_keys.erase(it);
}

std::optional<MonoTime> Engine::next_deadline() const { return impl_->next_deadline(); }

void Engine::update_settings(DetectionSettings settings) {
  impl_->apply_settings(std::move(settings));
}

std::size_t Engine::pending_waits() const { return impl_->waits.size(); }

std::vector<TableView> Engine::tables() const {
  const Impl& m = *impl_;
  // One pass over the waits, not one per table: a floor request stays O(waits + tables).
  std::unordered_map<std::string, std::vector<TableTimer>> timers;
  for (const auto& [wait_key, slot] : m.waits) {
    const Impl::Wait& w = m.slots[slot];
    if (w.subject.table.empty()) continue;
    if (w.kind != CaseKind::kTableNoOrder && w.kind != CaseKind::kCourseSlow &&
        w.kind != CaseKind::kBillSlow) {
      continue;
    }
    timers[w.subject.table].push_back(
        TableTimer{w.kind, w.subject.course, w.started, w.threshold, w.stage > 0});
  }
  std::vector<TableView> out;
  out.reserve(m.tables.size());
  for (const auto& [name, t] : m.tables) {
    if (!t.seated) continue;
    TableView v;
    v.table = name;
    v.area = m.area_of_table(name);
    v.seated = t.seated;
    v.seated_at = t.seated_at;
    v.booking = t.booking;
    v.party = t.party;
    v.checks = t.checks;
    v.ordered = t.last_order.has_value();
    v.bill_requested = t.bill_requested;
    for (const auto& check : t.checks) {
      auto c = m.checks.find(check);
      if (c == m.checks.end()) continue;
      for (const auto& course : c->second.fired) {
        if (m.waits.count(make_key(tag_of(CaseKind::kCourseSlow), check, course)) != 0) {
          v.courses_waiting.push_back(course);
        }
      }
    }
    std::sort(v.courses_waiting.begin(), v.courses_waiting.end());
    if (auto it = timers.find(name); it != timers.end()) {
      v.timers = std::move(it->second);
      std::sort(v.timers.begin(), v.timers.end(), [](const TableTimer& a, const TableTimer& b) {
        return a.started != b.started ? a.started < b.started : a.course < b.course;
      });
    }
    out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end(),
            [](const TableView& a, const TableView& b) { return a.table < b.table; });
  return out;
}

// ---- export / restore ------------------------------------------------------------------------

namespace {

json::Value time_json(WallTime t) { return json::Value(to_ms(t)); }

json::Value evidence_json(const Evidence& e) {
  json::Object o;
  o.append("event", e.event);
  o.append("type", e.type);
  o.append("ts", to_ms(e.ts));
  o.append("note", e.note);
  return o;
}

std::string str_of(const json::Value* v) {
  const std::string* s = v != nullptr ? v->as_string() : nullptr;
  return s != nullptr ? *s : std::string();
}
std::int64_t int_of(const json::Value* v) {
  auto i = v != nullptr ? v->as_int() : std::nullopt;
  return i.value_or(0);
}
double num_of(const json::Value* v) {
  auto d = v != nullptr ? v->as_double() : std::nullopt;
  return d.value_or(0.0);
}
Evidence evidence_from(const json::Value* v) {
  if (v == nullptr) return {};
  return Evidence{str_of(v->get("event")), str_of(v->get("type")),
                  wall_from_ms(int_of(v->get("ts"))), str_of(v->get("note"))};
}

json::Value subject_json(const Subject& s) { return subject_to_json(s); }
Subject subject_from(const json::Value* v) {
  Subject s;
  if (v == nullptr) return s;
  s.table = str_of(v->get("table"));
  s.check = str_of(v->get("check"));
  s.course = str_of(v->get("course"));
  s.booking = str_of(v->get("booking"));
  s.customer = str_of(v->get("customer"));
  s.device = str_of(v->get("device"));
  s.enquiry = str_of(v->get("enquiry"));
  s.walk_in = str_of(v->get("walk_in"));
  s.review = str_of(v->get("review"));
  s.area = str_of(v->get("area"));
  s.kind = str_of(v->get("kind"));
  return s;
}

json::Array strings_json(const std::vector<std::string>& v) {
  json::Array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

}  // namespace

// Monotonic instants are written relative to the export's own monotonic time, so a restore
// only has to add the new `now` (and any downtime) to place them again.
EngineState Engine::export_state(Now now) const {
  const Impl& m = *impl_;
  const auto rel = [&](MonoTime t) { return (t - now.mono).count(); };
  json::Object root;
  root.append("version", kStateVersion);
  root.append("exported_wall", to_ms(now.wall));
  root.append("exported_mono", to_ms(now.mono));
  root.append("case_seq", static_cast<std::int64_t>(m.case_seq));

  json::Array waits;
  waits.reserve(m.waits.size());
  for (const auto& [key, slot] : m.waits) {
    const auto& w = m.slots[slot];
    json::Object o;
    o.append("kind", case_kind_name(w.kind));
    o.append("key", w.key);
    o.append("case_key", w.case_key);
    o.append("subject", subject_json(w.subject));
    o.append("anchor", rel(w.anchor));
    o.append("started", time_json(w.started));
    o.append("threshold", w.threshold.count());
    o.append("stage", w.stage);
    o.append("deadline", rel(w.deadline));
    o.append("start", evidence_json(w.start));
    o.append("party", w.party);
    o.append("value", w.value);
    o.append("detail", w.detail);
    waits.emplace_back(std::move(o));
  }
  root.append("waits", std::move(waits));

  json::Array cases;
  for (const auto& [key, c] : m.open_cases) {
    json::Object o;
    o.append("key", key);
    o.append("id", c.id);
    o.append("severity", severity_name(c.severity));
    o.append("table", c.table);
    o.append("check", c.check);
    cases.emplace_back(std::move(o));
  }
  root.append("cases", std::move(cases));

  json::Array tables;
  for (const auto& [name, t] : m.tables) {
    json::Object o;
    o.append("table", name);
    o.append("seated", t.seated);
    o.append("from_sensor", t.from_sensor);
    o.append("seated_at", time_json(t.seated_at));
    o.append("booking", t.booking);
    o.append("customer", t.customer);
    o.append("party", t.party);
    o.append("value", t.value);
    if (t.last_order) o.append("last_order", time_json(*t.last_order));
    o.append("checks", strings_json(t.checks));
    o.append("bill_requested", t.bill_requested);
    tables.emplace_back(std::move(o));
  }
  root.append("tables", std::move(tables));

  json::Array checks;
  for (const auto& [name, c] : m.checks) {
    json::Object o;
    o.append("check", name);
    o.append("table", c.table);
    o.append("voids", c.voids);
    json::Array ev;
    for (const auto& e : c.void_evidence) ev.push_back(evidence_json(e));
    o.append("void_evidence", std::move(ev));
    json::Array served;
    for (const auto& [course, ts] : c.served) {
      json::Object so;
      so.append("course", course);
      so.append("ts", to_ms(ts));
      served.emplace_back(std::move(so));
    }
    o.append("served", std::move(served));
    o.append("fired", strings_json(c.fired));
    if (c.paid) o.append("paid", time_json(*c.paid));
    o.append("touched", rel(c.touched));
    checks.emplace_back(std::move(o));
  }
  root.append("checks", std::move(checks));

  json::Array bookings;
  for (const auto& [name, b] : m.bookings) {
    json::Object o;
    o.append("booking", name);
    o.append("at", time_json(b.at));
    o.append("party", b.party);
    o.append("value", b.value);
    o.append("customer", b.customer);
    if (b.seated) o.append("seated", time_json(*b.seated));
    o.append("touched", rel(b.touched));
    bookings.emplace_back(std::move(o));
  }
  root.append("bookings", std::move(bookings));

  json::Array answered;
  for (const auto& [name, ts] : m.answered_enquiries) {
    json::Object o;
    o.append("enquiry", name);
    o.append("ts", to_ms(ts));
    auto it = m.answered_touched.find(name);
    o.append("touched", it == m.answered_touched.end() ? 0 : rel(it->second));
    answered.emplace_back(std::move(o));
  }
  root.append("answered_enquiries", std::move(answered));
  root.append("walkins", strings_json({m.walkins.begin(), m.walkins.end()}));

  json::Array patterns;
  for (const auto& [key, hits] : m.patterns) {
    json::Object o;
    o.append("key", key);
    json::Array h;
    for (const auto& hit : hits) {
      json::Object ho;
      ho.append("at", rel(hit.at));
      ho.append("wall", to_ms(hit.wall));
      ho.append("case", hit.case_id);
      h.emplace_back(std::move(ho));
    }
    o.append("hits", std::move(h));
    patterns.emplace_back(std::move(o));
  }
  root.append("patterns", std::move(patterns));
  root.append("started", m.started);
  root.append("next_housekeeping", rel(m.next_housekeeping));
  return EngineState{json::Value(std::move(root))};
}

std::optional<std::string> Engine::restore(const EngineState& state, Now now, bool same_boot) {
  const json::Value& root = state.data;
  if (!root.is_object()) return std::string("engine state is not an object");
  if (int_of(root.get("version")) != kStateVersion) {
    return "engine state version " + std::to_string(int_of(root.get("version"))) +
           " is not the supported version " + std::to_string(kStateVersion);
  }
  // Where the export's monotonic "now" sits on today's clock: exactly where it was within one
  // boot; after a reboot, as long ago as the wall clock says (never in the future).
  MonoTime base = mono_from_ms(int_of(root.get("exported_mono")));
  if (!same_boot || base > now.mono) {
    Millis downtime = now.wall - wall_from_ms(int_of(root.get("exported_wall")));
    if (downtime < Millis{0}) downtime = Millis{0};
    base = now.mono - downtime;
  }
  const auto abs = [&](const json::Value* v) { return base + Millis{int_of(v)}; };

  auto fresh = std::make_unique<Impl>(impl_->settings);
  Impl& m = *fresh;
  m.case_seq = static_cast<std::uint64_t>(int_of(root.get("case_seq")));
  m.last_mono = now.mono;
  m.started = root.get("started") != nullptr && root.get("started")->as_bool().value_or(false);
  m.next_housekeeping = abs(root.get("next_housekeeping"));

  if (const json::Value* waits = root.get("waits"); waits != nullptr && waits->is_array()) {
    for (const auto& o : *waits->as_array()) {
      auto kind = case_kind_from_name(str_of(o.get("kind")));
      if (!kind) return "engine state has a wait of unknown kind '" + str_of(o.get("kind")) + "'";
      Impl::Wait w;
      w.kind = *kind;
      w.key = str_of(o.get("key"));
      w.case_key = str_of(o.get("case_key"));
      w.subject = subject_from(o.get("subject"));
      w.anchor = abs(o.get("anchor"));
      w.started = wall_from_ms(int_of(o.get("started")));
      w.threshold = Millis{int_of(o.get("threshold"))};
      w.stage = static_cast<int>(int_of(o.get("stage")));
      w.start = evidence_from(o.get("start"));
      w.party = int_of(o.get("party"));
      w.value = num_of(o.get("value"));
      w.detail = str_of(o.get("detail"));
      const MonoTime deadline = abs(o.get("deadline"));
      if (w.key.empty() || m.waits.count(w.key) != 0) return std::string("bad wait key in state");
      const std::uint32_t slot = m.add_wait(std::move(w));
      m.schedule(slot, deadline);
    }
  }
  if (const json::Value* cases = root.get("cases"); cases != nullptr && cases->is_array()) {
    for (const auto& o : *cases->as_array()) {
      Impl::OpenCase c{str_of(o.get("id")),
                       severity_from_name(str_of(o.get("severity"))).value_or(Severity::kMedium),
                       str_of(o.get("table")), str_of(o.get("check"))};
      const std::string key = str_of(o.get("key"));
      m.case_keys[c.id] = key;
      m.open_cases[key] = std::move(c);
    }
  }
  if (const json::Value* tables = root.get("tables"); tables != nullptr && tables->is_array()) {
    for (const auto& o : *tables->as_array()) {
      Impl::TableState t;
      t.seated = o.get("seated") != nullptr && o.get("seated")->as_bool().value_or(false);
      t.from_sensor =
          o.get("from_sensor") != nullptr && o.get("from_sensor")->as_bool().value_or(false);
      t.seated_at = wall_from_ms(int_of(o.get("seated_at")));
      t.booking = str_of(o.get("booking"));
      t.customer = str_of(o.get("customer"));
      t.party = int_of(o.get("party"));
      t.value = num_of(o.get("value"));
      if (o.get("last_order") != nullptr) t.last_order = wall_from_ms(int_of(o.get("last_order")));
      if (const json::Value* c = o.get("checks"); c != nullptr && c->is_array()) {
        for (const auto& s : *c->as_array()) t.checks.push_back(str_of(&s));
      }
      t.bill_requested =
          o.get("bill_requested") != nullptr && o.get("bill_requested")->as_bool().value_or(false);
      m.tables[str_of(o.get("table"))] = std::move(t);
    }
  }
  if (const json::Value* checks = root.get("checks"); checks != nullptr && checks->is_array()) {
    for (const auto& o : *checks->as_array()) {
      Impl::CheckState c;
      c.table = str_of(o.get("table"));
      c.voids = int_of(o.get("voids"));
      if (const json::Value* ev = o.get("void_evidence"); ev != nullptr && ev->is_array()) {
        for (const auto& e : *ev->as_array()) c.void_evidence.push_back(evidence_from(&e));
      }
      if (const json::Value* sv = o.get("served"); sv != nullptr && sv->is_array()) {
        for (const auto& s : *sv->as_array()) {
          c.served.emplace_back(str_of(s.get("course")), wall_from_ms(int_of(s.get("ts"))));
        }
      }
      if (const json::Value* f = o.get("fired"); f != nullptr && f->is_array()) {
        for (const auto& course : *f->as_array()) c.fired.push_back(str_of(&course));
      }
      if (o.get("paid") != nullptr) c.paid = wall_from_ms(int_of(o.get("paid")));
      c.touched = abs(o.get("touched"));
      m.checks[str_of(o.get("check"))] = std::move(c);
    }
  }
  if (const json::Value* bookings = root.get("bookings");
      bookings != nullptr && bookings->is_array()) {
    for (const auto& o : *bookings->as_array()) {
      Impl::BookingInfo b;
      b.at = wall_from_ms(int_of(o.get("at")));
      b.party = int_of(o.get("party"));
      b.value = num_of(o.get("value"));
      b.customer = str_of(o.get("customer"));
      if (o.get("seated") != nullptr) b.seated = wall_from_ms(int_of(o.get("seated")));
      b.touched = abs(o.get("touched"));
      m.bookings[str_of(o.get("booking"))] = std::move(b);
    }
  }
  if (const json::Value* ans = root.get("answered_enquiries"); ans != nullptr && ans->is_array()) {
    for (const auto& o : *ans->as_array()) {
      const std::string name = str_of(o.get("enquiry"));
      m.answered_enquiries[name] = wall_from_ms(int_of(o.get("ts")));
      m.answered_touched[name] = abs(o.get("touched"));
    }
  }
  if (const json::Value* wk = root.get("walkins"); wk != nullptr && wk->is_array()) {
    for (const auto& s : *wk->as_array()) m.walkins.push_back(str_of(&s));
  }
  if (const json::Value* pats = root.get("patterns"); pats != nullptr && pats->is_array()) {
    for (const auto& o : *pats->as_array()) {
      auto& hits = m.patterns[str_of(o.get("key"))];
      if (const json::Value* h = o.get("hits"); h != nullptr && h->is_array()) {
        for (const auto& hit : *h->as_array()) {
          hits.push_back(Impl::PatternHit{abs(hit.get("at")), wall_from_ms(int_of(hit.get("wall"))),
                                          str_of(hit.get("case"))});
        }
      }
    }
  }
  // Devices registered since the export still need their silence watch.
  if (m.started) {
    for (const auto& d : m.settings.devices) {
      if (m.find_wait(make_key(kTagSilence, d.id)) == nullptr) m.arm_silence(d.id, now, nullptr);
    }
  }
  impl_ = std::move(fresh);
  return std::nullopt;
}

}  // namespace mend
