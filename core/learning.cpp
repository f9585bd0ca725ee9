#include "core/learning.hpp"

#include <algorithm>

namespace mend {
namespace {

constexpr std::int64_t kStateVersion = 1;

std::string text_of(const json::Value& o, std::string_view key) {
  const json::Value* v = o.get(key);
  return v != nullptr && v->as_string() != nullptr ? *v->as_string() : std::string();
}

std::optional<WallTime> time_of(const json::Value& o, std::string_view key) {
  return parse_rfc3339(text_of(o, key));
}

}  // namespace

const SuggestionRecord* SuggestionBook::find(std::string_view suggestion_id) const {
  const auto it = std::find_if(records_.begin(), records_.end(),
                               [&](const SuggestionRecord& r) { return r.id == suggestion_id; });
  return it == records_.end() ? nullptr : &*it;
}

const SuggestionRecord* SuggestionBook::task(std::int64_t number) const {
  const auto it = std::find_if(records_.begin(), records_.end(),
                               [&](const SuggestionRecord& r) { return r.task == number; });
  return it == records_.end() ? nullptr : &*it;
}

std::optional<std::string> SuggestionBook::decide(const Suggestion& s, bool accept,
                                                  std::string note, const Actor& by,
                                                  std::string by_name, WallTime at) {
  if (const SuggestionRecord* r = find(s.id)) {
    return std::string("this suggestion was ") + (r->accepted ? "accepted" : "dismissed") + " by " +
           r->by.id + " at " + format_rfc3339(r->at);
  }
  if (records_.size() >= kMaxSuggestionRecords) {
    // Room is made from the oldest that need nothing more: dismissed, or their task done.
    const auto spent = std::find_if(records_.begin(), records_.end(), [](const auto& r) {
      return !r.accepted || r.done_at.has_value();
    });
    if (spent == records_.end()) {
      return "there are " + std::to_string(records_.size()) +
             " open tasks from suggestions: finish some first";
    }
    records_.erase(spent);
  }
  SuggestionRecord r;
  r.task = next_++;
  r.id = s.id;
  r.accepted = accept;
  r.text = s.text;
  r.rule = s.rule;
  r.employee = s.employee;
  r.owner = s.owner;
  r.evidence = s.evidence;
  r.note = std::move(note);
  r.by = by;
  r.by_name = std::move(by_name);
  r.at = at;
  records_.push_back(std::move(r));
  return std::nullopt;
}

std::optional<std::string> SuggestionBook::finish(std::int64_t number, const Actor& by,
                                                  WallTime at) {
  const auto it = std::find_if(records_.begin(), records_.end(),
                               [&](const SuggestionRecord& r) { return r.task == number; });
  if (it == records_.end() || !it->accepted)
    return std::string("no task ") + std::to_string(number);
  if (it->done_at) {
    return "task " + std::to_string(number) + " was done by " + it->done_by->id + " at " +
           format_rfc3339(*it->done_at);
  }
  it->done_by = by;
  it->done_at = at;
  return std::nullopt;
}

json::Value suggestion_record_to_json(const SuggestionRecord& r) {
  json::Object o;
  o.append("task", r.task);
  o.append("suggestion", r.id);
  o.append("decision", r.accepted ? "accepted" : "dismissed");
  o.append("text", r.text);
  o.append("rule", r.rule);
  o.append("employee", employee_name(r.employee));
  o.append("owner", r.owner);
  o.append("evidence", json::strings(r.evidence));
  o.append("note", r.note);
  o.append("by", actor_to_json(r.by));
  o.append("by_name", r.by_name);
  o.append("at", format_rfc3339(r.at));
  o.append("done_by", r.done_by ? actor_to_json(*r.done_by) : json::Value(nullptr));
  o.append("done_at", r.done_at ? json::Value(format_rfc3339(*r.done_at)) : json::Value(nullptr));
  return o;
}

json::Value SuggestionBook::export_state() const {
  json::Object root;
  root.append("version", kStateVersion);
  root.append("next", next_);
  json::Array list;
  for (const auto& r : records_) list.emplace_back(suggestion_record_to_json(r));
  root.append("records", std::move(list));
  return root;
}

std::optional<std::string> SuggestionBook::restore(const json::Value& v) {
  const json::Value* version = v.get("version");
  if (version == nullptr || version->as_int() != kStateVersion) {
    return std::string("not version ") + std::to_string(kStateVersion) + " of the suggestions";
  }
  const json::Value* next = v.get("next");
  const json::Value* list = v.get("records");
  if (next == nullptr || !next->as_int() || list == nullptr || !list->is_array()) {
    return std::string("no \"next\" number or \"records\" list");
  }
  std::vector<SuggestionRecord> records;
  for (const json::Value& o : *list->as_array()) {
    SuggestionRecord r;
    const json::Value* task = o.get("task");
    const auto at = time_of(o, "at");
    const auto employee = employee_from_name(text_of(o, "employee"));
    const auto by = actor_of(o.get("by"));
    const std::string decision = text_of(o, "decision");
    if (task == nullptr || !task->as_int() || !at || !employee || !by ||
        (decision != "accepted" && decision != "dismissed")) {
      return std::string("a record without its task, time, employee, author or decision");
    }
    r.task = *task->as_int();
    r.id = text_of(o, "suggestion");
    r.accepted = decision == "accepted";
    r.text = text_of(o, "text");
    r.rule = text_of(o, "rule");
    r.employee = *employee;
    r.owner = text_of(o, "owner");
    if (const json::Value* ev = o.get("evidence"); ev != nullptr && ev->is_array()) {
      for (const json::Value& e : *ev->as_array()) {
        if (e.as_string() != nullptr) r.evidence.push_back(*e.as_string());
      }
    }
    r.note = text_of(o, "note");
    r.by = *by;
    r.by_name = text_of(o, "by_name");
    r.at = *at;
    r.done_by = actor_of(o.get("done_by"));
    r.done_at = time_of(o, "done_at");
    records.push_back(std::move(r));
  }
  records_ = std::move(records);
  next_ = *next->as_int();
  return std::nullopt;
}

}  // namespace mend
