#!/usr/bin/env bash
# The amd64 package's maintainer scripts, where systemd is not PID 1 (as on CI): a minimal
# Debian 12 tree made by mmdebstrap, `dpkg -i` of the .deb in it, then what the postinst must
# have done, and what purge must undo. (On a machine whose PID 1 is systemd, `apt install
# ./mend_*.deb` also starts mendd; the image's boot test checks that on arm64.)
#
#   deb_chroot_test.sh MEND_DEB
set -euo pipefail
deb="$(realpath "$1")"
work="$(mktemp -d /tmp/mend-deb-test.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# The same mirror as this machine's apt, read from its sources (no host written here).
mirror="$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources)"
deps="$(dpkg-deb -f "$deb" Depends | sed 's/([^)]*)//g; s/|[^,]*//g; s/ //g')"
cat > "$work/checks.sh" <<'CHECKS'
set -eu
passed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*" >&2; exit 1; }
getent passwd mend > /dev/null || fail "no mend user"
ok "the mend user exists"
[ "$(stat -c '%U %a' /etc/mend/mqtt.password)" = "mend 600" ] || fail "mqtt.password: $(stat -c '%U %a' /etc/mend/mqtt.password)"
grep -q '^mendd:\$7\$101\$' /etc/mosquitto/mend/passwd || fail "no hashed mendd account"
grep -q '^topic readwrite venue/the-anchor/mend/#' /etc/mosquitto/mend/acl || fail "no ACL"
ok "mendd's broker account (password file 600 mend, a hash in the broker's) and the ACL"
grep -q '^allow_anonymous false' /etc/mosquitto/conf.d/mend-accounts.conf || fail "no lock-down"
grep -q '^max_queued_messages' /etc/mosquitto/conf.d/mend.conf || fail "no queue limits"
ok "the broker's lock-down and queue limits in conf.d"
[ -L /etc/systemd/system/multi-user.target.wants/mendd.service ] || fail "mendd.service not enabled"
ok "mendd.service enabled"
mendd --check-config /etc/mend/mend.toml > /dev/null || fail "the installed config does not check"
[ -f /usr/share/mend/ui/index.html ] || fail "no UI"
grep -q '/etc/mend/mend.toml' /var/lib/dpkg/info/mend.conffiles || fail "mend.toml is not a conffile"
ok "the config checks, is a conffile; the UI is installed"
dpkg --purge mend > /dev/null 2>&1 || fail "purge failed"
[ ! -e /etc/mosquitto/mend ] && [ ! -e /etc/mend/mqtt.password ] || fail "purge left the credentials"
ok "purge removes the broker accounts and mendd's password"
echo "$passed passed, 0 failed"
CHECKS
mmdebstrap --quiet --variant=apt --include="$deps" \
  --customize-hook="copy-in $deb /tmp" \
  --customize-hook="copy-in $work/checks.sh /tmp" \
  --customize-hook='chroot "$1" sh -c "dpkg -i /tmp/$(basename '"$deb"')"' \
  --customize-hook='chroot "$1" sh /tmp/checks.sh' \
  bookworm /dev/null "deb $mirror bookworm main"
