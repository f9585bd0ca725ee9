// Which attempts of a repeating operation deserve a log line. A store commit that fails every
// tick on a full disk must not write a line per attempt (thousands a minute, onto the very disk
// that is full): it says so once when the state changes, then reminds every `remind_every`
// with how many attempts failed since, and once more when it recovers. The initial state
// ("ok") gets no reminders.
//
// A state is a short text: "ok", or the error (such as "database or disk is full"). Two
// different errors in a row are a change too.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace mend {

class StateReport {
 public:
  enum class Say {
    kNothing,   // the same state as the last line, and no reminder is due
    kChanged,   // a new state: log it
    kReminder,  // still the same state: remind, with the count since the last line
  };
  struct Line {
    Say say = Say::kNothing;
    std::string previous;        // kChanged: the state before
    std::uint64_t attempts = 0;  // attempts in the state reported on since its last line
    Millis lasted{0};            // how long the state before has lasted (kChanged), or this one
  };

  // `initial` is the state nothing is said about (usually "ok").
  StateReport(std::string initial, Millis remind_every)
      : quiet_(initial), state_(std::move(initial)), remind_every_(remind_every) {}

  // One attempt ended in `state` at `now`.
  Line observe(std::string_view state, MonoTime now);

  const std::string& state() const { return state_; }

 private:
  std::string quiet_;  // the initial state: no reminders about it
  std::string state_;
  Millis remind_every_;
  bool started_ = false;  // no attempt seen yet: the first one has no "since"
  MonoTime entered_{};    // when state_ began
  MonoTime last_line_{};  // when a line about state_ was last said
  std::uint64_t since_line_ = 0;
};

}  // namespace mend
