// mendctl's contribution ledger commands (docs/ledger.md): `ledger verify` walks the hash chain
// in the store file and names the first bad entry; `ledger export` writes every entry as JSON
// lines with its hashes, which anyone can check again with the script in docs/ledger.md. Both
// only read the store (mendd may keep running).
#pragma once

#include <span>
#include <string_view>

namespace mend::mendctl {

int ledger_verify(std::span<const std::string_view> args);
int ledger_export(std::span<const std::string_view> args);

}  // namespace mend::mendctl
