// Everything about the config that does not need the TOML parser: error text, the rules that
// involve more than one key, and print_config, which writes the effective config back as TOML
// from the same schema rows the parser reads (config_schema.cpp).
#include "core/config.hpp"

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdio>
#include <set>
#include <utility>

#include "core/case.hpp"
#include "core/config_schema.hpp"
#include "core/employees.hpp"
#include "core/roles.hpp"

namespace mend {

bool settable_from_cloud(std::string_view section) {
  constexpr std::string_view kSettable[] = {"log",        "detect", "device", "area",    "policy",
                                            "escalation", "guests", "rule",   "employee"};
  return std::find(std::begin(kSettable), std::end(kSettable), section) != std::end(kSettable);
}

std::string ConfigError::to_string() const {
  std::string out = file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  out += ": ";
  if (!key.empty()) out += key + ": ";
  out += message;
  return out;
}

namespace config_schema {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// ---- TOML text --------------------------------------------------------------------------

std::string toml_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (u < 0x20 || u == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(u));
          out += buf;
        } else {
          out += c;  // UTF-8 passes through as it is
        }
    }
  }
  out += '"';
  return out;
}

// A bare key when TOML allows one, else a quoted key.
std::string toml_key(std::string_view k) {
  const bool bare = !k.empty() && std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
  return bare ? std::string(k) : toml_string(k);
}

// Shortest text that reads back as the same double, and always as a TOML float.
std::string toml_number(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string out(buf, r.ptr);
  if (out.find_first_of(".eEni") == std::string::npos) out += ".0";
  return out;
}

std::string toml_duration(Millis d) { return toml_string(format_duration(d)); }

// The value of a slot as TOML; a table of durations as an inline table.
std::string value_text(const Slot& slot) {
  return std::visit(
      Overloaded{
          [](std::string* v) { return toml_string(*v); },
          [](int* v) { return std::to_string(*v); },
          [](bool* v) { return std::string(*v ? "true" : "false"); },
          [](Millis* v) { return toml_duration(*v); },
          [](double* v) { return toml_number(*v); },
          [](std::optional<double>* v) { return toml_number(v->value_or(0)); },
          [](std::optional<Millis>* v) { return toml_duration(v->value_or(Millis{0})); },
          [](std::vector<std::string>* v) {
            std::string out = "[";
            for (std::size_t i = 0; i < v->size(); ++i) {
              out += (i == 0 ? "" : ", ") + toml_string((*v)[i]);
            }
            return out + "]";
          },
          [](std::map<std::string, Millis>* v) {
            std::string out = "{";
            for (const auto& [name, d] : *v) {
              out += (out.size() == 1 ? " " : ", ") + toml_key(name) + " = " + toml_duration(d);
            }
            return out + (v->empty() ? "}" : " }");
          },
      },
      slot);
}

// `name = value` lines for one slot. A table of durations becomes dotted keys, one per line,
// which keep the keys after it in the same [table] (a [table.sub] header would not).
std::string assignment(std::string_view name, const Slot& slot) {
  if (const auto* map = std::get_if<std::map<std::string, Millis>*>(&slot);
      map && !(*map)->empty()) {
    std::string out;
    for (const auto& [entry, d] : **map) {
      out += toml_key(name) + "." + toml_key(entry) + " = " + toml_duration(d) + "\n";
    }
    return out;
  }
  return toml_key(name) + " = " + value_text(slot) + "\n";
}

bool is_set(const Slot& slot) {
  if (const auto* p = std::get_if<std::optional<double>*>(&slot)) return (*p)->has_value();
  if (const auto* p = std::get_if<std::optional<Millis>*>(&slot)) return (*p)->has_value();
  return true;
}

// "# " lines, wrapped at the .clang-format column limit.
std::string comment(std::string_view text) {
  constexpr std::size_t kWidth = 100;
  std::string out;
  std::string line = "#";
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(pos, end - pos);
    if (line.size() > 1 && line.size() + 1 + word.size() > kWidth) {
      out += line + "\n";
      line = "#";
    }
    line += " ";
    line += word;
    pos = end + 1;
  }
  return out + line + "\n";
}

// The second comment line: type, unit, default.
template <class Owner>
std::string facts(const Key<Owner>& key, const Slot& slot) {
  std::string out(type_name(type_of(slot)));
  if (!key.unit.empty()) out += ", " + std::string(key.unit);
  if (key.required) {
    out += ", required";
  } else if (!key.fallback.empty()) {
    out += ", default: " + std::string(key.fallback);
  } else {
    out += ", default " + std::string(key.default_text);
  }
  return out;
}

// A slot that only has a value when the entry sets it: the value that applies instead.
std::string fallback_value(const Config& config, std::string_view fallback) {
  Config copy = config;
  for (const auto& k : config_keys()) {
    if (k.path == fallback) {
      return value_text(k.slot(copy));
    }
  }
  return "?";
}

template <class Elem>
void print_entries(std::string& out, const Config& config, std::string_view name,
                   std::vector<Elem> entries, std::span<const Key<Elem>> keys) {
  std::string_view description;
  for (const auto& s : sections()) {
    if (s.name == name) description = s.description;
  }
  if (entries.empty()) {
    out += "\n" + comment(description) + "# (none)\n";
    return;
  }
  for (auto& entry : entries) {
    out += "\n" + comment(description) + "[[" + std::string(name) + "]]\n";
    for (const auto& k : keys) {
      const Slot slot = k.slot(entry);
      out += comment(k.description) + comment(facts(k, slot));
      if (is_set(slot)) {
        out += assignment(k.path, slot);
      } else {
        out += "# " + std::string(k.path) + " is not set: " + std::string(k.fallback) + " = " +
               fallback_value(config, k.fallback) + " applies\n";
      }
    }
  }
}

}  // namespace

std::string_view type_name(Type type) {
  switch (type) {
    case Type::kString: return "string";
    case Type::kInt: return "integer";
    case Type::kBool: return "boolean";
    case Type::kDuration: return "duration";
    case Type::kNumber: return "number";
    case Type::kStringList: return "list of strings";
    case Type::kDurationMap: return "table of durations";
  }
  return "?";
}

Type type_of(const Slot& slot) {
  return std::visit(Overloaded{
                        [](std::string*) { return Type::kString; },
                        [](int*) { return Type::kInt; },
                        [](bool*) { return Type::kBool; },
                        [](Millis*) { return Type::kDuration; },
                        [](double*) { return Type::kNumber; },
                        [](std::vector<std::string>*) { return Type::kStringList; },
                        [](std::map<std::string, Millis>*) { return Type::kDurationMap; },
                        [](std::optional<double>*) { return Type::kNumber; },
                        [](std::optional<Millis>*) { return Type::kDuration; },
                    },
                    slot);
}

void apply_derived_defaults(Config& config) {
  if (config.mqtt.client_id.empty() && !config.venue.id.empty()) {
    config.mqtt.client_id = "mendd-" + config.venue.id;
  }
  if (config.cloud.client_id.empty() && !config.cloud.group.empty() && !config.venue.id.empty()) {
    config.cloud.client_id = "mend-" + config.cloud.group + "-" + config.venue.id;
  }
}

void check_rules(const Config& config, const Positions& positions, std::string_view file,
                 std::vector<ConfigError>& errors) {
  const auto set = [&](std::string_view key) { return positions.contains(key); };
  const auto line_of = [&](std::string_view key) {
    const auto it = positions.find(key);
    return it == positions.end() ? 0 : it->second.line;
  };
  const auto add = [&](std::string_view key, std::string message) {
    const auto it = positions.find(key);
    const Position at = it == positions.end() ? Position{} : it->second;
    errors.push_back(ConfigError{std::string(at.file.empty() ? file : at.file), at.line, at.column,
                                 std::string(key), std::move(message)});
  };
  const auto degrees = [](double v) { return toml_number(v); };

  // Where two keys disagree, blame the one the file wrote: a default is not the mistake.
  const MqttConfig& mqtt = config.mqtt;
  if (mqtt.reconnect_min > mqtt.reconnect_max) {
    if (set("mqtt.reconnect_min")) {
      add("mqtt.reconnect_min", format_duration(mqtt.reconnect_min) +
                                    " is longer than mqtt.reconnect_max (" +
                                    format_duration(mqtt.reconnect_max) + ")");
    } else {
      add("mqtt.reconnect_max", format_duration(mqtt.reconnect_max) +
                                    " is shorter than mqtt.reconnect_min (" +
                                    format_duration(mqtt.reconnect_min) + ")");
    }
  }
  if (!mqtt.tls) {
    const std::pair<std::string_view, const std::string*> tls_files[] = {
        {"mqtt.ca_file", &mqtt.ca_file},
        {"mqtt.cert_file", &mqtt.cert_file},
        {"mqtt.key_file", &mqtt.key_file}};
    for (const auto& [key, value] : tls_files) {
      if (!value->empty()) add(key, "is set but mqtt.tls is false: set tls = true or remove it");
    }
  }
  if (mqtt.cert_file.empty() != mqtt.key_file.empty()) {
    add(mqtt.cert_file.empty() ? "mqtt.key_file" : "mqtt.cert_file",
        "mqtt.cert_file and mqtt.key_file go together: set both or neither");
  }

  const CloudConfig& cloud = config.cloud;
  if (cloud.enabled) {
    const std::pair<std::string_view, const std::string*> needed[] = {
        {"cloud.url", &cloud.url},
        {"cloud.ca_file", &cloud.ca_file},
        {"cloud.cert_file", &cloud.cert_file},
        {"cloud.key_file", &cloud.key_file},
        {"cloud.group", &cloud.group}};
    for (const auto& [key, value] : needed) {
      if (value->empty())
        add(set(key) ? key : "cloud.enabled", std::string(key) +
                                                  " is needed when the cloud "
                                                  "link is enabled");
    }
  }
  if (!cloud.url.empty() && !cloud.url.starts_with("ssl://") &&
      !cloud.url.starts_with("mqtts://")) {
    add("cloud.url", "must start with ssl:// or mqtts://: the cloud link speaks only TLS");
  }
  if (cloud.reconnect_min > cloud.reconnect_max) {
    add(set("cloud.reconnect_min") ? "cloud.reconnect_min" : "cloud.reconnect_max",
        "cloud.reconnect_min (" + format_duration(cloud.reconnect_min) +
            ") is longer than cloud.reconnect_max (" + format_duration(cloud.reconnect_max) + ")");
  }

  const DetectConfig& detect = config.detect;
  if (!(detect.temperature_low < detect.temperature_high)) {
    if (set("detect.temperature_low")) {
      add("detect.temperature_low", degrees(detect.temperature_low) +
                                        " must be below detect.temperature_high (" +
                                        degrees(detect.temperature_high) + ")");
    } else {
      add("detect.temperature_high", degrees(detect.temperature_high) +
                                         " must be above detect.temperature_low (" +
                                         degrees(detect.temperature_low) + ")");
    }
  }

  std::map<std::string, std::size_t> device_ids;
  for (std::size_t i = 0; i < config.devices.size(); ++i) {
    const DeviceConfig& d = config.devices[i];
    const std::string at = "device[" + std::to_string(i) + "]";
    if (!d.id.empty()) {
      const auto [it, fresh] = device_ids.emplace(d.id, i);
      if (!fresh) {
        const std::string first = "device[" + std::to_string(it->second) + "]";
        add(at + ".id", "duplicate device id \"" + d.id + "\": " + first + " (line " +
                            std::to_string(line_of(first + ".id")) + ") has it already");
      }
    }
    // The band this device is judged by mixes its own ends with the venue-wide ones.
    if (d.low || d.high) {
      const double low = d.low.value_or(detect.temperature_low);
      const double high = d.high.value_or(detect.temperature_high);
      if (!(low < high)) {
        add(at + (d.low ? ".low" : ".high"), "the band's low end (" + degrees(low) +
                                                 (d.low ? "" : ", detect.temperature_low") +
                                                 ") must be below its high end (" + degrees(high) +
                                                 (d.high ? "" : ", detect.temperature_high") + ")");
      }
    }
  }

  std::map<std::string, std::size_t> employee_ids;
  for (std::size_t i = 0; i < config.employees.size(); ++i) {
    const EmployeeConfig& e = config.employees[i];
    const std::string at = "employee[" + std::to_string(i) + "]";
    if (!e.id.empty()) {
      const auto [it, fresh] = employee_ids.emplace(e.id, i);
      if (!fresh) {
        const std::string first = "employee[" + std::to_string(it->second) + "]";
        add(at + ".id", "duplicate employee \"" + e.id + "\": " + first + " (line " +
                            std::to_string(line_of(first + ".id")) + ") has it already");
      }
    }
    // The box's own health is what tells anyone that nothing else can be saved.
    if (e.id == employee_name(EmployeeId::kCaretaker) && !e.enabled) {
      add(at + ".enabled",
          "the caretaker watches the box's own disk and cloud link: it cannot be off");
    }
  }

  std::map<std::string, std::size_t> area_names;
  std::map<std::string, std::pair<std::size_t, std::size_t>> table_area;  // area, index
  for (std::size_t i = 0; i < config.areas.size(); ++i) {
    const AreaConfig& a = config.areas[i];
    const std::string at = "area[" + std::to_string(i) + "]";
    if (!a.name.empty()) {
      const auto [it, fresh] = area_names.emplace(a.name, i);
      if (!fresh) {
        const std::string first = "area[" + std::to_string(it->second) + "]";
        add(at + ".name", "duplicate area name \"" + a.name + "\": " + first + " (line " +
                              std::to_string(line_of(first + ".name")) + ") has it already");
      }
    }
    for (std::size_t j = 0; j < a.tables.size(); ++j) {
      const std::string& table = a.tables[j];
      const auto [it, fresh] = table_area.emplace(table, std::pair{i, j});
      if (fresh) continue;
      const auto [first_area, first_index] = it->second;
      const std::string first =
          "area[" + std::to_string(first_area) + "].tables[" + std::to_string(first_index) + "]";
      std::string message = "table \"" + table + "\" is already in ";
      message += first_area == i ? "this area" : "area \"" + config.areas[first_area].name + "\"";
      message += " (line " + std::to_string(line_of(first)) + "): a table belongs to one area";
      add(at + ".tables[" + std::to_string(j) + "]", std::move(message));
    }
  }

  // ---- recovery -----------------------------------------------------------------------------
  const auto element = [](std::string_view key, std::size_t i) {
    return std::string(key) + "[" + std::to_string(i) + "]";
  };
  const PolicySettings& policy = config.policy;
  for (std::size_t i = 0; i < policy.shift_starts.size(); ++i) {
    if (!parse_time_of_day(policy.shift_starts[i])) {
      add(element("policy.shift_starts", i),
          "expected a time of day such as \"06:00\", got \"" + policy.shift_starts[i] + "\"");
    }
  }
  if (policy.staff_limit > policy.manager_limit) {
    add(set("policy.staff_limit") ? "policy.staff_limit" : "policy.manager_limit",
        "a staff member may not approve more than a manager (staff_limit " +
            toml_number(policy.staff_limit) + " > manager_limit " +
            toml_number(policy.manager_limit) + ")");
  }
  const EscalationSettings& esc = config.escalation;
  Millis previous{-1};
  for (std::size_t i = 0; i < esc.ladder.size(); ++i) {
    const auto step = parse_ladder_step(esc.ladder[i]);
    if (!step) {
      add(element("escalation.ladder", i),
          "expected role@time such as \"manager@3m\", got \"" + esc.ladder[i] + "\"");
      continue;
    }
    if (!parse_person_role(step->first)) {
      add(element("escalation.ladder", i),
          "the role must be one of " + person_role_list() + ", got \"" + step->first + "\"");
    }
    if (step->second <= previous) {
      add(element("escalation.ladder", i), "each stage must come later than the one before (" +
                                               format_duration(step->second) + " is not after " +
                                               format_duration(previous) + ")");
    }
    previous = step->second;
  }
  for (std::size_t i = 0; i < esc.quiet.size(); ++i) {
    const auto rule = parse_role_word(esc.quiet[i]);
    if (!rule || !parse_person_role(rule->first) || !severity_from_name(rule->second)) {
      std::string severities;
      for (const auto name : kSeverityNames) {
        severities += (severities.empty() ? "" : ", ") + std::string(name);
      }
      add(element("escalation.quiet", i),
          "expected role:severity such as \"manager:medium\" (roles " + person_role_list() +
              "; severities " + severities + "), got \"" + esc.quiet[i] + "\"");
    }
  }
}

}  // namespace config_schema

std::optional<std::pair<std::string, Millis>> parse_ladder_step(std::string_view text) {
  const auto at = text.find('@');
  if (at == std::string_view::npos || at == 0) return std::nullopt;
  auto after = parse_duration(text.substr(at + 1));
  if (!after || after->count() < 0) return std::nullopt;
  return std::pair{std::string(text.substr(0, at)), *after};
}

std::optional<std::pair<std::string, std::string>> parse_role_word(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return std::nullopt;
  }
  return std::pair{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

std::optional<int> parse_time_of_day(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!digit(text[0]) || !digit(text[1]) || !digit(text[3]) || !digit(text[4])) {
    return std::nullopt;
  }
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

std::string print_config(const Config& config) {
  using namespace config_schema;
  std::string out =
      "# mendd: the effective configuration, every key with its value, defaults included.\n"
      "# Durations are strings with a unit: ms, s, m, h, d (\"90s\", \"10m\", \"1h30m\").\n";
  // The schema's slots point into a Config they may write to; printing reads a copy.
  Config copy = config;
  std::string_view section;
  for (const auto& k : config_keys()) {
    const std::size_t dot = k.path.find('.');
    const std::string_view table = k.path.substr(0, dot);
    if (table != section) {
      section = table;
      for (const auto& s : sections()) {
        if (s.name == table) out += "\n" + comment(s.description);
      }
      out += "[" + std::string(table) + "]\n";
    }
    const Slot slot = k.slot(copy);
    out += "\n" + comment(k.description) + comment(facts(k, slot)) +
           assignment(k.path.substr(dot + 1), slot);
  }
  print_entries(out, config, "device", config.devices, device_keys());
  print_entries(out, config, "area", config.areas, area_keys());
  print_entries(out, config, "rule", config.rules, rule_keys());
  print_entries(out, config, "employee", config.employees, employee_keys());
  return out;
}

}  // namespace mend
