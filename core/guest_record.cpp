#include "core/guest_record.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <utility>

namespace mend {
namespace {

// Restored times this far out (~300,000 years) are corrupt.
constexpr std::int64_t kMaxTimeMs = 10'000'000'000'000'000;

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string lowered(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

// Whole words only: "nut" in "nut allergy" and "nuts", not in "minute".
bool has_word(const std::string& text, std::string_view stem) {
  for (std::size_t at = text.find(stem); at != std::string::npos; at = text.find(stem, at + 1)) {
    const bool starts = at == 0 || std::isalpha(static_cast<unsigned char>(text[at - 1])) == 0;
    if (starts) return true;
  }
  return false;
}

// Stems, matched at a word's start, so "allerg" finds allergy, allergic and allergies.
constexpr std::array kDietary = {"allerg",   "intoleran", "coeliac",    "celiac",      "gluten",
                                 "nut",      "peanut",    "dairy",      "lactose",     "shellfish",
                                 "seafood",  "vegan",     "vegetarian", "halal",       "kosher",
                                 "egg-free", "no pork",   "no alcohol", "pescatarian", "sesame",
                                 "diabet",   "anaphyla",  "epipen"};

struct OccasionWord {
  const char* stem;
  const char* kind;
};
constexpr std::array kOccasions = {
    OccasionWord{"birthday", "birthday"},       OccasionWord{"bday", "birthday"},
    OccasionWord{"anniversary", "anniversary"}, OccasionWord{"engage", "engagement"},
    OccasionWord{"proposal", "engagement"},     OccasionWord{"graduat", "graduation"},
    OccasionWord{"retire", "retirement"},       OccasionWord{"promotion", "celebration"},
    OccasionWord{"celebrat", "celebration"},
};

template <typename Map>
json::Value counts_json(const Map& m) {
  json::Object o;
  for (const auto& [k, n] : m) {
    if constexpr (std::is_same_v<typename Map::key_type, std::string>) {
      o.append(k, n);
    } else {
      o.append(std::to_string(k), n);
    }
  }
  return o;
}

// A strict reader over one JSON object: the first bad field is remembered by name.
class Reader {
 public:
  explicit Reader(const json::Value& v) : v_(v) {}
  const std::string& error() const { return error_; }
  bool ok() const { return error_.empty(); }

  void string(std::string_view key, std::string& out, bool required = false) {
    const json::Value* f = v_.get(key);
    if (f == nullptr || f->is_null()) {
      if (required) bad(key);
      return;
    }
    if (const std::string* s = f->as_string()) {
      out = *s;
    } else {
      bad(key);
    }
  }
  void time(std::string_view key, std::optional<WallTime>& out, bool required = false) {
    const json::Value* f = v_.get(key);
    if (f == nullptr || f->is_null()) {
      if (required) bad(key);
      return;
    }
    const auto ms = f->as_int();
    if (!ms || *ms < -kMaxTimeMs || *ms > kMaxTimeMs) return bad(key);
    out = wall_from_ms(*ms);
  }
  void time(std::string_view key, WallTime& out) {
    std::optional<WallTime> t;
    time(key, t, true);
    if (t) out = *t;
  }
  void times(std::string_view key, std::vector<WallTime>& out) {
    const json::Value* f = v_.get(key);
    if (f == nullptr || f->is_null()) return;
    const json::Array* a = f->as_array();
    if (a == nullptr || a->size() > kRecentVisits) return bad(key);
    for (const json::Value& item : *a) {
      const auto ms = item.as_int();
      if (!ms || *ms < -kMaxTimeMs || *ms > kMaxTimeMs) return bad(key);
      out.push_back(wall_from_ms(*ms));
    }
  }
  void count(std::string_view key, std::int64_t& out) {
    const json::Value* f = v_.get(key);
    if (f == nullptr) return;
    const auto n = f->as_int();
    if (!n || *n < 0) return bad(key);
    out = *n;
  }
  void money(std::string_view key, double& out) {
    const json::Value* f = v_.get(key);
    if (f == nullptr) return;
    const auto d = f->as_double();
    if (!d || !std::isfinite(*d) || *d < 0) return bad(key);
    out = *d;
  }
  void kinds(std::string_view key, std::vector<CaseKind>& out) {
    const json::Array* a = array(key);
    if (a == nullptr) return;
    for (const json::Value& item : *a) {
      const std::string* name = item.as_string();
      const auto kind = name != nullptr ? case_kind_from_name(*name) : std::nullopt;
      if (!kind) return bad(key);
      if (std::find(out.begin(), out.end(), *kind) == out.end()) out.push_back(*kind);
    }
  }
  void strings(std::string_view key, std::vector<std::string>& out) {
    const json::Array* a = array(key);
    if (a == nullptr) return;
    for (const json::Value& item : *a) {
      const std::string* s = item.as_string();
      if (s == nullptr) return bad(key);
      out.push_back(*s);
    }
  }
  template <typename Key>
  void counts(std::string_view key, std::map<Key, std::int64_t>& out) {
    const json::Value* f = v_.get(key);
    if (f == nullptr || f->is_null()) return;
    const json::Object* o = f->as_object();
    if (o == nullptr) return bad(key);
    for (const auto& [k, n] : *o) {
      const auto c = n.as_int();
      if (!c || *c < 0) return bad(key);
      if constexpr (std::is_same_v<Key, std::string>) {
        out[k] = *c;
      } else {
        std::int64_t size = 0;
        for (char ch : k) {
          if (ch < '0' || ch > '9' || size > 100'000) return bad(key);
          size = size * 10 + (ch - '0');
        }
        if (k.empty()) return bad(key);
        out[size] = *c;
      }
    }
  }
  const json::Array* array(std::string_view key) {
    const json::Value* f = v_.get(key);
    if (f == nullptr || f->is_null()) return nullptr;
    const json::Array* a = f->as_array();
    if (a == nullptr) bad(key);
    return a;
  }
  void bad(std::string_view key) {
    if (error_.empty()) error_ = std::string(key);
  }

 private:
  const json::Value& v_;
  std::string error_;
};

template <typename T, typename Read>
std::optional<std::string> read_items(Reader& r, std::string_view key, std::vector<T>& out,
                                      Read read) {
  const json::Array* a = r.array(key);
  if (a == nullptr) return std::nullopt;
  for (const json::Value& item : *a) {
    if (!item.is_object()) return std::string(key);
    Reader ir(item);
    T t;
    read(ir, t);
    if (!ir.ok()) return std::string(key) + "." + ir.error();
    out.push_back(std::move(t));
  }
  return std::nullopt;
}

template <typename Map>
std::string most_common(const Map& m) {
  std::string best;
  std::int64_t n = 0;
  for (const auto& [k, c] : m) {
    if (c > n) {
      best = k;
      n = c;
    }
  }
  return best;
}

}  // namespace

std::string_view health_basis_name(HealthBasis b) {
  return b == HealthBasis::kConsent ? "consent" : "this_booking";
}

std::optional<std::int64_t> usual_party(const GuestRecord& r) {
  std::optional<std::int64_t> best;
  std::int64_t n = 0;
  for (const auto& [size, c] : r.party_sizes) {
    if (c > n) {
      best = size;
      n = c;
    }
  }
  return best;
}

std::string preferred_table(const GuestRecord& r) { return most_common(r.tables); }
std::string preferred_area(const GuestRecord& r) { return most_common(r.areas); }

json::Value guest_record_json(const GuestRecord& r, bool readable_times) {
  const auto time_json = [readable_times](WallTime t) {
    return readable_times ? json::Value(format_rfc3339(t)) : json::Value(to_ms(t));
  };
  const auto opt_time_json = [&](const std::optional<WallTime>& t) {
    return t ? time_json(*t) : json::Value();
  };
  json::Object o;
  o.append("id", r.id);
  o.append("ref", r.ref);
  o.append("name", r.name);
  o.append("email", r.email);
  o.append("phone", r.phone);
  o.append("visits", r.visits);
  o.append("first_visit", opt_time_json(r.first_visit));
  o.append("latest", opt_time_json(r.latest));
  o.append("previous", opt_time_json(r.previous));
  o.append("latest_failures", case_kinds_json(r.latest_failures));
  o.append("previous_failures", case_kinds_json(r.previous_failures));
  o.append("latest_recovery", json::strings(r.latest_recovery));
  o.append("previous_recovery", json::strings(r.previous_recovery));
  json::Array recent;
  for (const WallTime t : r.recent_visits) recent.emplace_back(time_json(t));
  o.append("recent_visits", std::move(recent));
  o.append("lapsed_flagged", opt_time_json(r.lapsed_flagged));
  o.append("booked_value", r.booked_value);
  o.append("spend", r.spend);
  o.append("checks", r.checks);
  o.append("party_sizes", counts_json(r.party_sizes));
  o.append("tables", counts_json(r.tables));
  o.append("areas", counts_json(r.areas));
  json::Array occasions;
  for (const Occasion& x : r.occasions) {
    json::Object e;
    e.append("kind", x.kind);
    e.append("booking", x.booking);
    e.append("on", time_json(x.on));
    e.append("source", x.source);
    occasions.emplace_back(std::move(e));
  }
  o.append("occasions", std::move(occasions));
  json::Array tags;
  for (const std::string& t : r.tags) tags.emplace_back(t);
  o.append("tags", std::move(tags));
  o.append("preferences", json::strings(r.preferences));
  json::Array dietary;
  for (const DietaryNote& d : r.dietary) {
    json::Object e;
    e.append("text", d.text);
    e.append("basis", health_basis_name(d.basis));
    e.append("booking", d.booking);
    e.append("source", d.source);
    e.append("at", time_json(d.at));
    dietary.emplace_back(std::move(e));
  }
  o.append("dietary", std::move(dietary));
  if (r.health_consent) {
    json::Object c;
    c.append("recorded_by", r.health_consent->recorded_by);
    c.append("at", time_json(r.health_consent->at));
    o.append("health_consent", std::move(c));
  } else {
    o.append("health_consent", json::Value());
  }
  json::Array notes;
  for (const GuestNote& n : r.notes) {
    json::Object e;
    e.append("id", n.id);
    e.append("text", n.text);
    e.append("author", n.author);
    e.append("at", time_json(n.at));
    notes.emplace_back(std::move(e));
  }
  o.append("notes", std::move(notes));
  o.append("next_note", r.next_note);
  o.append("last_seen", time_json(r.last_seen));
  return o;
}

std::optional<std::string> guest_record_from_json(const json::Value& v, GuestRecord& out) {
  if (!v.is_object()) return std::string("the record is not an object");
  GuestRecord r;
  Reader rd(v);
  rd.string("id", r.id, true);
  if (rd.ok() && r.id.empty()) rd.bad("id");
  rd.string("ref", r.ref);
  rd.string("name", r.name);
  rd.string("email", r.email);
  rd.string("phone", r.phone);
  rd.count("visits", r.visits);
  rd.time("first_visit", r.first_visit);
  rd.time("latest", r.latest);
  rd.time("previous", r.previous);
  rd.kinds("latest_failures", r.latest_failures);
  rd.kinds("previous_failures", r.previous_failures);
  rd.strings("latest_recovery", r.latest_recovery);  // absent from rows written before them
  rd.strings("previous_recovery", r.previous_recovery);
  rd.times("recent_visits", r.recent_visits);  // absent from rows written before win-back
  rd.time("lapsed_flagged", r.lapsed_flagged);
  rd.money("booked_value", r.booked_value);
  rd.money("spend", r.spend);
  rd.count("checks", r.checks);
  rd.counts("party_sizes", r.party_sizes);
  rd.counts("tables", r.tables);
  rd.counts("areas", r.areas);
  std::vector<std::string> tags;
  rd.strings("tags", tags);
  r.tags = std::set<std::string>(tags.begin(), tags.end());
  rd.strings("preferences", r.preferences);
  rd.count("next_note", r.next_note);
  rd.time("last_seen", r.last_seen);
  if (!rd.ok()) return "field '" + rd.error() + "'";

  std::optional<std::string> bad =
      read_items(rd, "occasions", r.occasions, [](Reader& ir, Occasion& x) {
        ir.string("kind", x.kind, true);
        ir.string("booking", x.booking);
        ir.time("on", x.on);
        ir.string("source", x.source);
      });
  if (!bad) {
    bad = read_items(rd, "dietary", r.dietary, [](Reader& ir, DietaryNote& d) {
      std::string basis;
      ir.string("text", d.text, true);
      ir.string("basis", basis, true);
      if (basis == "consent") {
        d.basis = HealthBasis::kConsent;
      } else if (basis == "this_booking") {
        d.basis = HealthBasis::kThisBooking;
      } else {
        ir.bad("basis");
      }
      ir.string("booking", d.booking);
      ir.string("source", d.source);
      ir.time("at", d.at);
    });
  }
  if (!bad) {
    bad = read_items(rd, "notes", r.notes, [](Reader& ir, GuestNote& n) {
      ir.count("id", n.id);
      ir.string("text", n.text, true);
      ir.string("author", n.author);
      ir.time("at", n.at);
    });
  }
  if (bad) return "field '" + *bad + "'";
  if (const json::Value* c = v.get("health_consent"); c != nullptr && !c->is_null()) {
    if (!c->is_object()) return std::string("field 'health_consent'");
    Reader cr(*c);
    HealthConsent hc;
    cr.string("recorded_by", hc.recorded_by);
    cr.time("at", hc.at);
    if (!cr.ok()) return "field 'health_consent." + cr.error() + "'";
    r.health_consent = std::move(hc);
  }
  out = std::move(r);
  return std::nullopt;
}

BookingNoteFacts read_booking_notes(std::string_view notes) {
  BookingNoteFacts facts;
  std::size_t start = 0;
  while (start <= notes.size()) {
    std::size_t end = notes.find_first_of(";,.\n", start);
    if (end == std::string_view::npos) end = notes.size();
    const std::string_view clause = trimmed(notes.substr(start, end - start));
    start = end + 1;
    if (clause.empty()) continue;
    const std::string low = lowered(clause);
    const bool dietary = std::any_of(kDietary.begin(), kDietary.end(),
                                     [&](const char* stem) { return has_word(low, stem); });
    if (dietary) facts.dietary.emplace_back(clause);
    for (const OccasionWord& w : kOccasions) {
      if (has_word(low, w.stem) && std::find(facts.occasions.begin(), facts.occasions.end(),
                                             w.kind) == facts.occasions.end()) {
        facts.occasions.emplace_back(w.kind);
      }
    }
  }
  return facts;
}

std::string normal_email(std::string_view email) {
  std::string e = lowered(trimmed(email));
  const std::size_t at = e.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= e.size()) return {};
  return e;
}

std::string phone_key(std::string_view phone) {
  constexpr std::size_t kTail = 9;
  std::string d;
  for (char c : phone) {
    if (c >= '0' && c <= '9') d.push_back(c);
  }
  if (d.size() < 6) return {};
  return d.size() > kTail ? d.substr(d.size() - kTail) : d;
}

bool same_phone(std::string_view a, std::string_view b) {
  const std::string k = phone_key(a);
  return !k.empty() && k == phone_key(b);
}

std::string normal_phone(std::string_view phone) {
  std::string out;
  for (char c : trimmed(phone)) {
    // Digits, and a leading + for an international number.
    if ((c >= '0' && c <= '9') || (c == '+' && out.empty())) out.push_back(c);
  }
  // Fewer than 6 digits is an extension or a typo, not a way to tell guests apart.
  const auto digits = std::count_if(out.begin(), out.end(), [](char c) { return c != '+'; });
  return digits >= 6 ? out : std::string();
}

}  // namespace mend
