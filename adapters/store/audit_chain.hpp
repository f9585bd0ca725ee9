// The audit log's hash chain. Each row stores the hash of the row before it (prev_hash) and
// its own hash = BLAKE2b-256(prev_hash || canonical text of the row), hex encoded; the first
// row's prev_hash is empty. Editing a row breaks its own hash, deleting one breaks the next
// row's prev_hash, and the store keeps the head (last id and hash) in `meta` to catch a cut
// tail. The hash is unkeyed: it makes tampering detectable, it does not stop someone who
// rewrites the whole chain; that needs the cloud's copy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace mend::audit_chain {

// The row's fields as one unambiguous string (a JSON array), independent of the row id so
// that the chain, not the numbering, fixes the order. `detail` is the stored JSON text.
std::string canonical_text(std::int64_t at_ms, std::string_view actor, std::string_view role,
                           std::string_view action, std::string_view target,
                           std::string_view detail);

// A chain's head as the store keeps it in meta: "<last id> <last hash>"; nullopt when mangled.
std::optional<std::pair<std::int64_t, std::string>> parse_head(std::string_view text);

// Hex BLAKE2b-256 of prev_hash followed by text. Requires sodium_init() to have run.
std::string link_hash(std::string_view prev_hash, std::string_view text);

}  // namespace mend::audit_chain
