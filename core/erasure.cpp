#include "core/erasure.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace mend {
namespace {

constexpr std::size_t kMinNamePart = 3;  // shorter parts ("Al", "Jo") are too common to find

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string lowered(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

// Replaces every case-insensitive occurrence of `word` in `s` by `with`; `whole` only where
// neither neighbour is a letter or digit.
bool replace_all(std::string& s, std::string_view word, std::string_view with, bool whole) {
  if (word.empty() || s.size() < word.size()) return false;
  const std::string w = lowered(word);
  std::string low = lowered(s);
  bool changed = false;
  std::size_t at = 0;
  while ((at = low.find(w, at)) != std::string::npos) {
    const std::size_t end = at + w.size();
    const bool bounded =
        (at == 0 || !is_alnum(low[at - 1])) && (end == low.size() || !is_alnum(low[end]));
    if (whole && !bounded) {
      ++at;
      continue;
    }
    s.replace(at, w.size(), with);
    low.replace(at, w.size(), lowered(with));
    at += with.size();
    changed = true;
  }
  return changed;
}

// The guest's phone number however it is written: "+44 7700 900123", "07700-900123".
bool replace_phone(std::string& s, const std::string& phone) {
  if (phone_key(phone).empty()) return false;
  bool changed = false;
  std::size_t i = 0;
  while (i < s.size()) {
    if (!is_digit(s[i]) && !(s[i] == '+' && i + 1 < s.size() && is_digit(s[i + 1]))) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < s.size() && (is_digit(s[end]) ||
                              std::string_view(" +-().").find(s[end]) != std::string_view::npos)) {
      ++end;
    }
    while (end > i && !is_digit(s[end - 1])) --end;  // a run ends on a digit
    if (same_phone(std::string_view(s).substr(i, end - i), phone)) {
      s.replace(i, end - i, kErasedText);
      i += kErasedText.size();
      changed = true;
    } else {
      i = std::max(end, i + 1);
    }
  }
  return changed;
}

std::vector<std::string> name_parts(const std::string& name) {
  std::vector<std::string> parts;
  std::string part;
  for (char c : name + " ") {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      if (part.size() >= kMinNamePart) parts.push_back(part);
      part.clear();
    } else {
      part.push_back(c);
    }
  }
  return parts;
}

// Whether a "customer" member is the guest's: by id, or by email or phone (an enquiry may
// carry only those).
bool is_guest(const json::Value& customer, const GuestErasure& e) {
  if (const std::string* id = customer.as_string()) return *id == e.id;
  if (!customer.is_object()) return false;
  const auto field = [&](const char* key) {
    const std::string* s = customer.get(key) ? customer.get(key)->as_string() : nullptr;
    return s != nullptr ? *s : std::string();
  };
  return (!e.id.empty() && field("id") == e.id) ||
         (!e.email.empty() && normal_email(field("email")) == e.email) ||
         (!e.phone.empty() && same_phone(field("phone"), e.phone));
}

bool scrub_value(json::Value& v, const GuestErasure& e) {
  if (std::string* s = v.as_string()) {
    if (!e.id.empty() && *s == e.id) {
      *s = e.pseudonym;
      return true;
    }
    return scrub_text(*s, e);
  }
  bool changed = false;
  if (json::Array* a = v.as_array()) {
    for (json::Value& item : *a) changed = scrub_value(item, e) || changed;
    return changed;
  }
  json::Object* o = v.as_object();
  if (o == nullptr) return false;
  if (json::Value* c = o->find("customer"); c != nullptr && is_guest(*c, e)) {
    if (c->is_object()) {
      json::Object only_id;
      only_id.append("id", e.pseudonym);
      *c = json::Value(std::move(only_id));
    } else {
      *c = json::Value(e.pseudonym);
    }
    // The record is the guest's own: their words go whole.
    for (const char* key : {"notes", "text"}) {
      if (json::Value* t = o->find(key); t != nullptr && t->is_string()) {
        *t = json::Value(kErasedText);
      }
    }
    changed = true;
  }
  for (auto& [key, member] : *o) changed = scrub_value(member, e) || changed;
  return changed;
}

}  // namespace

GuestErasure erasure_of(const GuestRecord& r) {
  GuestErasure e;
  e.id = r.id;
  e.ref = r.ref;
  e.pseudonym = "erased-" + r.ref;
  e.name = r.name;
  e.email = normal_email(r.email);
  e.phone = normal_phone(r.phone);
  return e;
}

std::vector<std::string> erasure_terms(const GuestErasure& e) {
  std::vector<std::string> terms;
  for (const std::string* s : {&e.id, &e.email, &e.name}) {
    if (!s->empty()) terms.push_back(lowered(*s));
  }
  // A phone's key: its last digits, which a number written another way often keeps together.
  if (std::string k = phone_key(e.phone); !k.empty()) terms.push_back(std::move(k));
  for (const std::string& part : name_parts(e.name)) terms.push_back(lowered(part));
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  return terms;
}

bool scrub_text(std::string& s, const GuestErasure& e) {
  bool changed = false;
  if (!e.id.empty()) changed = replace_all(s, e.id, e.pseudonym, true) || changed;
  if (!e.email.empty()) changed = replace_all(s, e.email, kErasedText, false) || changed;
  if (!e.phone.empty()) changed = replace_phone(s, e.phone) || changed;
  if (!e.name.empty()) {
    changed = replace_all(s, e.name, kErasedText, true) || changed;
    for (const std::string& part : name_parts(e.name)) {
      changed = replace_all(s, part, kErasedText, true) || changed;
    }
  }
  return changed;
}

bool scrub_json(json::Value& v, const GuestErasure& e) { return scrub_value(v, e); }

}  // namespace mend
