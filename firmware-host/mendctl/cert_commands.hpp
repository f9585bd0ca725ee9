// mendctl's certificate commands: `cert fingerprint` and `cert export FILE`, for installing
// the box's TLS certificate on tablets and checking that a tablet trusts the right one.
#pragma once

#include <span>
#include <string_view>

namespace mend::mendctl {

// Where mendd keeps its device certificate unless told otherwise (beside the store).
inline constexpr std::string_view kDefaultTlsDir = "/var/lib/mend/tls";

// `cert fingerprint [DIR]`: prints "SHA256 AB:CD:...". Exit 0, 1 on a missing or damaged
// certificate, 2 on a wrong command line.
int cert_fingerprint(std::span<const std::string_view> args);
// `cert export FILE [DIR]`: copies the certificate (PEM, never the key) to FILE, "-" for
// stdout, and prints its fingerprint on stderr.
int cert_export(std::span<const std::string_view> args);

}  // namespace mend::mendctl
