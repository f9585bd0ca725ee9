#include "core/cloud_config.hpp"

#include <utility>

namespace mend {

CloudConfigRead read_cloud_config(std::string_view payload) {
  CloudConfigRead r;
  if (payload.empty()) {
    r.error = "the document is empty (a cleared retained message): keeping the one applied";
    return r;
  }
  if (payload.size() > kMaxCloudConfigBytes) {
    r.error = "the document is larger than " + std::to_string(kMaxCloudConfigBytes / 1024) +
              " KiB, not a venue's configuration";
    return r;
  }
  auto parsed = json::parse(payload, json::ParseLimits{8, kMaxCloudConfigBytes});
  if (!parsed) {
    r.error =
        "not JSON at byte " + std::to_string(parsed.error.offset) + ": " + parsed.error.message;
    return r;
  }
  const json::Value& v = *parsed.value;
  if (!v.is_object()) {
    r.error = R"(expected an object {"version": <integer>, "config": "<TOML>"})";
    return r;
  }
  const json::Value* version = v.get("version");
  if (version != nullptr && version->as_int() && *version->as_int() >= 1) {
    r.version = *version->as_int();
  } else {
    r.error = "version: expected an integer of 1 or more";
    return r;
  }
  const json::Value* config = v.get("config");
  if (config == nullptr || !config->is_string()) {
    r.error = "config: expected the configuration as a TOML string";
    return r;
  }
  for (const auto& [key, value] : *v.as_object()) {
    if (key != "version" && key != "config") {
      r.error = key + ": unknown key (a document has only version and config)";
      return r;
    }
  }
  r.doc = CloudConfigDoc{*r.version, *config->as_string()};
  return r;
}

std::string cloud_config_text(const CloudConfigDoc& doc) {
  json::Object o;
  o.append("version", doc.version);
  o.append("config", doc.toml);
  return json::dump(json::Value(std::move(o)));
}

CloudConfigStep cloud_config_step(std::int64_t version, std::optional<std::int64_t> applied) {
  if (!applied || version > *applied) return CloudConfigStep::kApply;
  return version == *applied ? CloudConfigStep::kAlreadyApplied : CloudConfigStep::kOlder;
}

std::string cloud_config_name(std::int64_t version) {
  return "cloud config v" + std::to_string(version);
}

json::Value cloud_config_answer(std::optional<std::int64_t> version, bool applied,
                                const std::vector<std::string>& errors, std::string_view at) {
  json::Object o;
  o.append("version", version ? json::Value(*version) : json::Value(nullptr));
  o.append("applied", applied);
  o.append("at", at);
  if (!errors.empty()) {
    json::Array list;
    for (const auto& e : errors) list.emplace_back(e);
    o.append("errors", std::move(list));
  }
  return json::Value(std::move(o));
}

}  // namespace mend
