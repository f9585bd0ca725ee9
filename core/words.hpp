// Durations, money and readings as people read them: one home, so a case's reason, its
// explanation and its drafts say the same thing the same way. Config values are not words:
// they are written with format_duration (core/time.hpp), which parse_duration reads back.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace mend::words {

// "45s", "14m", "1h05m": the engine's reasons, short enough for a tablet's case list.
// Below a minute in seconds, below an hour in whole minutes; a negative duration is "0s".
std::string compact(Millis d);

// "less than a minute", "14 minutes", "2 hours 5 minutes": explanations, in whole minutes
// (rounded down); hours from 120 minutes on.
std::string duration(Millis d);

// A limit as an explanation shows it after "limit ": whole minutes bare ("10"), 120 minutes
// and more in words ("2 hours"), anything not whole minutes as format_duration ("90s").
std::string limit(Millis t);

// "3 min" for whole minutes, as staff read it on a phone; format_duration otherwise.
std::string minutes_or_compact(Millis d);

// "180", or "7.50" when there are cents; no currency sign (the venue has one currency).
std::string money(double v);

// "1 visit", "6 visits".
std::string plural(std::int64_t n, std::string_view one, std::string_view many);

// What a person typed without the spaces and line breaks around it.
std::string trimmed(std::string_view s);

// "4.5 C": a temperature reading, to one decimal.
std::string celsius(double c);

}  // namespace mend::words
