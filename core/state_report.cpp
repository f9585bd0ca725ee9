#include "core/state_report.hpp"

namespace mend {

StateReport::Line StateReport::observe(std::string_view state, MonoTime now) {
  Line line;
  if (!started_) {
    started_ = true;
    entered_ = now;
    last_line_ = now;
  }
  if (state != state_) {
    line.say = Say::kChanged;
    line.previous = state_;
    line.attempts = since_line_;
    line.lasted = now - entered_;
    state_ = std::string(state);
    entered_ = now;
    last_line_ = now;
    since_line_ = 1;
    return line;
  }
  ++since_line_;
  if (state_ != quiet_ && now - last_line_ >= remind_every_) {
    line.say = Say::kReminder;
    line.attempts = since_line_;
    line.lasted = now - entered_;
    last_line_ = now;
    since_line_ = 0;
  }
  return line;
}

}  // namespace mend
