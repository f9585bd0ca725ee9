// The declared config schema, shared by the parser (config_schema.cpp, the only file that sees
// toml++) and the printer and cross-key rules (config.cpp). Internal to the core: the rest of
// the program uses config.hpp.
//
// Each key is one row: its path, where it lands (a function from the owning struct to a typed
// pointer, so the key's type is the type of its field and cannot disagree with it), its
// default as written in TOML, a unit, a description and the limits of its value. Adding a key
// is adding a row; nothing else in the parser or the printer names keys.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/config.hpp"

namespace mend::config_schema {

enum class Type : std::uint8_t {
  kString,
  kInt,
  kBool,
  kDuration,     // a TOML string with a unit: "90s", "10m", "1h30m"
  kNumber,       // a TOML float or integer
  kStringList,   // an array of strings
  kDurationMap,  // a table of name = duration ([detect.course])
};
std::string_view type_name(Type type);

// Where a key's value lands. The optional alternatives are per-device overrides: unset means
// the venue-wide key named by Key::fallback applies.
using Slot =
    std::variant<std::string*, int*, bool*, Millis*, double*, std::vector<std::string>*,
                 std::map<std::string, Millis>*, std::optional<double>*, std::optional<Millis>*>;
Type type_of(const Slot& slot);

// Value rules beyond the type. Bounds apply to integers and numbers as they are and to
// durations in milliseconds (and to every duration of a kDurationMap).
struct Limits {
  std::optional<double> min = std::nullopt;
  std::optional<double> max = std::nullopt;
  bool min_exclusive = false;                     // "greater than" rather than "at least"
  bool non_empty = false;                         // strings and list elements
  std::span<const std::string_view> one_of = {};  // strings: the accepted words
  bool (*valid)(std::string_view) = nullptr;      // strings: a format rule ...
  std::string_view valid_text = {};               // ... and what it accepts, for the message
};

template <class Owner>
struct Key {
  std::string_view path;          // dotted, from the owner: "detect.bill_slow", or "low"
  Slot (*slot)(Owner&);           // the field the value goes to
  std::string_view default_text;  // as print_config writes it; a unit test holds it to config.hpp
  std::string_view unit;          // for people: "degrees C"; durations carry their own
  std::string_view description;   // one line
  Limits limits = {};
  bool required = false;
  std::string_view fallback = {};  // optional slots: the key that applies when unset
};

// A [section] or [[section]] heading: printed as a comment above it.
struct Section {
  std::string_view name;
  std::string_view description;
};

// Keys of Config in schema order (also print order), grouped by their first path component.
std::span<const Key<Config>> config_keys();
// Keys of one [[device]] and one [[area]].
std::span<const Key<DeviceConfig>> device_keys();
std::span<const Key<AreaConfig>> area_keys();
std::span<const Key<RuleConfig>> rule_keys();
std::span<const Key<EmployeeConfig>> employee_keys();
// Every section heading, in print order: the tables of config_keys(), then "device", "area".
std::span<const Section> sections();

struct Position {
  int line = 0;
  int column = 0;
  // Which document wrote it (the file, or the cloud's document over it); empty: the caller's.
  std::string_view file;
};
// Where each key that the file set was written, by its error path ("mqtt.port",
// "device[1].low", "area[0].tables[3]"), and each table by its path ("venue", "device[1]").
using Positions = std::map<std::string, Position, std::less<>>;

// Cross-key rules (config.cpp): reconnect_min <= reconnect_max, temperature bands, unique
// device ids and area names, a table in one area only, TLS files that need each other. An error
// names the document that set the key it blames, or `file` for a default.
void check_rules(const Config& config, const Positions& positions, std::string_view file,
                 std::vector<ConfigError>& errors);

// Defaults that come from other keys: mqtt.client_id is "mendd-<venue.id>" when empty.
void apply_derived_defaults(Config& config);

}  // namespace mend::config_schema
