// What managers did with the learning view's suggestions: each accepted or dismissed once, by
// whom and when; an accepted one becomes a task for its owner, open until someone marks it
// done. The recovery service keeps the book (saved as "learning") and audits every change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/case.hpp"
#include "core/employees.hpp"
#include "core/insights.hpp"
#include "core/json.hpp"
#include "core/time.hpp"

namespace mend {

struct SuggestionRecord {
  std::int64_t task = 0;  // its number, the task's name in the API
  std::string id;         // the suggestion's (Suggestion::id)
  bool accepted = false;  // otherwise dismissed
  // The suggestion as the manager saw it: its words are what the owner is asked to do.
  std::string text;
  std::string rule;
  EmployeeId employee = EmployeeId::kAnalyst;
  std::string owner;
  std::vector<std::string> evidence;
  std::string note;
  Actor by;
  std::string by_name;  // the person's name as they signed in, for people reading it
  WallTime at;
  // An accepted suggestion's task.
  std::optional<Actor> done_by;
  std::optional<WallTime> done_at;
  bool operator==(const SuggestionRecord&) const = default;
};

// The book keeps at most this many; the oldest dismissed or finished make room.
inline constexpr std::size_t kMaxSuggestionRecords = 500;

class SuggestionBook {
 public:
  const SuggestionRecord* find(std::string_view suggestion_id) const;
  const SuggestionRecord* task(std::int64_t number) const;
  const std::vector<SuggestionRecord>& all() const { return records_; }  // oldest first

  // Records a decision; refuses (the reason) one already decided, or a full book.
  std::optional<std::string> decide(const Suggestion& s, bool accept, std::string note,
                                    const Actor& by, std::string by_name, WallTime at);
  // Marks an accepted suggestion's task done; refuses an unknown, dismissed or finished one.
  std::optional<std::string> finish(std::int64_t number, const Actor& by, WallTime at);

  json::Value export_state() const;
  std::optional<std::string> restore(const json::Value& v);

 private:
  std::vector<SuggestionRecord> records_;
  std::int64_t next_ = 1;
};

json::Value suggestion_record_to_json(const SuggestionRecord& r);

}  // namespace mend
