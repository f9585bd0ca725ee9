// The venue group's configuration from the cloud: a retained, versioned document on
// mend/v1/<group>/<venue>/config, {"version": 7, "config": "<TOML>"}. Its TOML goes over the
// box's own file (parse_config with a cloud document: same schema, only the sections
// settable_from_cloud allows). This file decides what a document is and what to do with it;
// mendd applies it through the reload path and answers on the config_status class.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"

namespace mend {

// A document larger than this is not a venue's configuration.
inline constexpr std::size_t kMaxCloudConfigBytes = std::size_t{256} * 1024;

struct CloudConfigDoc {
  std::int64_t version = 0;  // >= 1; higher is newer
  std::string toml;
};

struct CloudConfigRead {
  std::optional<CloudConfigDoc> doc;
  std::optional<std::int64_t> version;  // when one could be read, for the answer
  std::string error;                    // why there is no doc
};

// An empty payload (a retained document cleared) is an error too: the box keeps what it has.
CloudConfigRead read_cloud_config(std::string_view payload);

// The document as kept on the box (the same shape it came in).
std::string cloud_config_text(const CloudConfigDoc& doc);

enum class CloudConfigStep {
  kApply,
  kAlreadyApplied,  // the same version again: a retained document comes on every reconnect
  kOlder,           // older than the one applied: refused, never rolled back silently
};
CloudConfigStep cloud_config_step(std::int64_t version, std::optional<std::int64_t> applied);

// How the document is named in errors and the log: "cloud config v7".
std::string cloud_config_name(std::int64_t version);

// The answer on mend/v1/<group>/<venue>/config_status:
// {"version":7,"applied":true,"at":"..."} or {"version":7,"applied":false,"errors":[...]}.
json::Value cloud_config_answer(std::optional<std::int64_t> version, bool applied,
                                const std::vector<std::string>& errors, std::string_view at);

}  // namespace mend
