#!/usr/bin/env bash
# The unit's hardening, as systemd itself rates it: `systemd-analyze security --offline=true`
# must give mendd.service an exposure of 2.0 or less (it was 5.8 MEDIUM before the hardening),
# and the unit must not wait for network-online.target (mendd reconnects by itself; waiting
# cost two minutes at boot on a box without network).
#
#   unit_security_test.sh UNIT_FILE
set -euo pipefail
unit="$1"
limit=2.0

report="$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1)" || {
  echo "$report" >&2
  echo "FAIL: systemd-analyze could not rate $unit" >&2
  exit 1
}
exposure="$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<< "$report")"
[ -n "$exposure" ] || { echo "$report" >&2; echo "FAIL: no exposure level in the report" >&2; exit 1; }
if awk -v e="$exposure" -v l="$limit" 'BEGIN { exit !(e <= l) }'; then
  echo "ok: exposure $exposure <= $limit"
else
  grep "✗" <<< "$report" >&2 || true
  echo "FAIL: $unit exposure $exposure > $limit" >&2
  exit 1
fi

if grep -Eq '^(After|Wants|Requires)=.*network-online\.target' "$unit"; then
  echo "FAIL: $unit waits for network-online.target" >&2
  exit 1
fi
echo "ok: no network-online.target"
echo "2 passed, 0 failed"
