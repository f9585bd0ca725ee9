#!/usr/bin/env bash
# Boots the SD-card image in qemu-system-aarch64 (-M virt, the image as a virtio disk, its own
# kernel and initramfs) and checks, from the host, what an installer would see:
#   - first boot runs: the setup code and certificate fingerprint appear on the console
#   - the initramfs checked the root file system (fsck.ext4) before mounting it
#   - mendd is active under systemd, as user mend
#   - /readyz answers over HTTPS with the certificate whose fingerprint the console showed
#   - the setup page's API makes the first admin with the console's code
#   - a bridge account made with `mendctl bridge add` publishes a guest.seated, and a case
#     opens (the boot partition's mend.toml sets table_no_order to 5 s for the test)
#   - the setup notice on the boot partition is deleted once the admin exists
# The disk is a copy of the image, grown by 1 GiB so first boot has a partition to grow. The
# test's own SSH key goes on the boot partition (with `ssh`), which also tests that switch.
# On any failure it prints the console log.
#
#   boot_test.sh IMAGE VMLINUZ INITRD      (scripts/image --test runs it)
set -euo pipefail
image="$1"
kernel="$2"
initrd="$3"
boot_deadline="${MEND_BOOT_DEADLINE:-1500}"   # seconds: TCG emulation on a shared 2-core box
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venue=the-anchor

work="$(mktemp -d /tmp/mend-boot-test.XXXXXX)"
qemu_pid=""
cleanup() {
  [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null
  [ -n "${MEND_KEEP_BOOT_TEST:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
passed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
fail() {
  echo "FAIL: $*" >&2
  echo "--- console (last 150 lines of $work/console.log)" >&2
  tail -n 150 "$work/console.log" >&2 || true
  if [ -n "${ssh_ready:-}" ]; then
    echo "--- journal of mendd, mend-firstboot, mosquitto" >&2
    guest journalctl -b --no-pager -u mendd -u mend-firstboot -u mosquitto -u mend-setup-notice 2>&1 | tail -n 80 >&2 || true
  fi
  exit 1
}

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 10000))
    ! ss -Hltn "sport = :$p" | grep -q . && { echo "$p"; return; }
  done
}

# The NIC has no option ROM (romfile=): the kernel is booted directly, so nothing needs iPXE's
# efi-virtio.rom, which qemu-system-arm only recommends (ipxe-qemu).
# The disk: the image, 1 GiB larger; the test's settings on its FAT partition (at 4 MiB).
cp --sparse=always "$image" "$work/disk.img"
truncate -s +1G "$work/disk.img"
fat="$work/disk.img@@4M"
ssh-keygen -q -t ed25519 -N '' -f "$work/key" -C mend-boot-test
sed -e 's/^table_no_order = .*/table_no_order = "5s"/' "$root/firmware-host/mend.sample.toml" > "$work/mend.toml"
touch "$work/ssh"
cp "$work/key.pub" "$work/authorized_keys"
mcopy -o -i "$fat" "$work/mend.toml" "$work/ssh" "$work/authorized_keys" ::/

https_port="$(free_port)"
mqtt_port="$(free_port)"
ssh_port="$(free_port)"
start=$SECONDS
qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 2 -m 1536 \
  -kernel "$kernel" -initrd "$initrd" \
  -append "root=LABEL=mend-root rootfstype=ext4 rw rootwait console=ttyAMA0 net.ifnames=0" \
  -drive "file=$work/disk.img,format=raw,if=virtio" \
  -netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$https_port-:8443,hostfwd=tcp:127.0.0.1:$mqtt_port-:1883,hostfwd=tcp:127.0.0.1:$ssh_port-:22" \
  -device virtio-net-pci,netdev=net0,romfile= \
  -display none -monitor none -serial "file:$work/console.log" &
qemu_pid=$!

guest() {
  ssh -q -i "$work/key" -p "$ssh_port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o ConnectTimeout=20 -o BatchMode=yes root@127.0.0.1 "$@"
}

# 1. First boot prints the setup code and the fingerprint on the console. Meanwhile /readyz is
#    tried each second, to time when it first answers.
base="https://127.0.0.1:$https_port"
code=""
readyz_seconds=""
until code="$(sed -n 's/.*MEND-SETUP-CODE \([0-9-]*\).*/\1/p' "$work/console.log" 2>/dev/null | tail -n 1)" && [ -n "$code" ]; do
  kill -0 "$qemu_pid" 2>/dev/null || fail "qemu exited"
  [ $((SECONDS - start)) -lt "$boot_deadline" ] || fail "no setup code on the console after $boot_deadline s"
  [ -n "$readyz_seconds" ] || ! curl -sfk --max-time 2 -o /dev/null "$base/readyz" 2>/dev/null ||
    readyz_seconds=$((SECONDS - start))
  sleep 1
done
boot_seconds=$((SECONDS - start))
fingerprint="$(sed -n 's/.*the certificate.s fingerprint: SHA256 \([0-9A-F:]*\).*/\1/p' "$work/console.log" | tail -n 1)"
[ -n "$fingerprint" ] || fail "no certificate fingerprint on the console"
grep -q "mend-firstboot: done" "$work/console.log" || fail "first boot did not say it was done"
ok "first boot done and the setup code on the console after $boot_seconds s"
# The initramfs checks the root before mounting it (fsck.ext4 must be in it: FSTYPE=ext4).
grep -q "mend-root: clean" "$work/console.log" || fail "the initramfs did not check the root file system"
ok "the initramfs checked the root file system"

# 2. /readyz over HTTPS, from the certificate the console named.
deadline=$((SECONDS + 120))
until curl -sfk --max-time 20 "$base/readyz" > "$work/readyz" 2>/dev/null; do
  [ $SECONDS -lt $deadline ] || fail "/readyz did not answer: $(curl -sk "$base/readyz" 2>&1)"
  sleep 1
done
[ -n "$readyz_seconds" ] || readyz_seconds=$((SECONDS - start))
served="$(echo | openssl s_client -connect "127.0.0.1:$https_port" 2>/dev/null |
  openssl x509 -noout -fingerprint -sha256 | sed 's/.*=//')"
[ "$served" = "$fingerprint" ] || fail "the served certificate ($served) is not the one on the console ($fingerprint)"
ok "/readyz answers ($(cat "$work/readyz")), with the certificate the console named"

# 3. mendd active under systemd, as mend; the root grown; no password anywhere.
deadline=$((SECONDS + 300))
until guest true 2>/dev/null; do
  [ $SECONDS -lt $deadline ] || fail "SSH (turned on from the boot partition) never answered"
  sleep 5
done
ssh_ready=1
[ "$(guest systemctl is-active mendd.service)" = active ] || fail "mendd is not active"
[ "$(guest ps -o user= -C mendd | head -n 1)" = mend ] || fail "mendd does not run as mend"
# When systemd saw mendd active (its READY=1), in seconds since the guest's kernel started.
active_us="$(guest systemctl show -p ActiveEnterTimestampMonotonic --value mendd.service)"
mendd_active="$(awk -v u="$active_us" 'BEGIN { printf "%.1f", u / 1e6 }')"
ok "mendd is active under systemd as user mend (${mendd_active} s after the kernel started)"
size="$(guest lsblk -b -n -o SIZE -d /dev/vda2 2>/dev/null || guest lsblk -b -n -o SIZE /dev/vda2)"
[ "$size" -gt $((1024 * 1024 * 1024)) ] || fail "the root partition was not grown ($size bytes)"
ok "first boot grew the root partition to $((size / 1024 / 1024)) MiB"
guest "awk -F: '\$2 !~ /^[!*]/ {print \$1}' /etc/shadow" > "$work/passwords"
[ ! -s "$work/passwords" ] || fail "accounts with a password: $(cat "$work/passwords")"
ok "no account has a password"
exposure="$(guest systemd-analyze security mendd.service --no-pager | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')"
ok "systemd-analyze security on the box: mendd.service $exposure"

# 4. The setup page's API with the code from the console.
status="$(curl -sk --max-time 30 -o "$work/setup.json" -w '%{http_code}' -c "$work/cookies" \
  -H 'Content-Type: application/json' \
  -d "{\"code\":\"$code\",\"name\":\"Installer\",\"pin\":\"739146\"}" "$base/api/v1/setup")"
[ "$status" = 201 ] || fail "setup answered $status: $(cat "$work/setup.json")"
ok "the setup code makes the first admin"

# 5. A bridge account publishes a guest.seated; a case opens.
guest mendctl bridge add --name frontdesk --kind booking --host 127.0.0.1 > "$work/bridge.out" 2>&1 ||
  fail "bridge add failed: $(cat "$work/bridge.out")"
bridge_pw="$(awk '$1 == "password" {print $2}' "$work/bridge.out")"
deadline=$((SECONDS + 60))
until out="$(mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -V 5 -q 1 -u frontdesk -P "$bridge_pw" \
    -t "venue/$venue/booking/guest.seated" -m '{"id":"boot-test-1","table":"12","party":2}' 2>&1)" &&
    ! grep -q failed <<< "$out"; do
  [ $SECONDS -lt $deadline ] || fail "the bridge could not publish: $out"
  sleep 2
done
ok "the bridge account publishes venue/$venue/booking/guest.seated"
deadline=$((SECONDS + 180))
until curl -sk --max-time 20 -b "$work/cookies" "$base/api/v1/cases" > "$work/cases.json" &&
    grep -q '"table.no_order"' "$work/cases.json"; do
  [ $SECONDS -lt $deadline ] || fail "no table.no_order case: $(cat "$work/cases.json")"
  sleep 3
done
ok "a table.no_order case opened for table 12"

# 6. The setup notice goes once the admin exists (the notice timer runs every minute).
deadline=$((SECONDS + 240))
while guest test -e /boot/firmware/mend-setup.txt; do
  [ $SECONDS -lt $deadline ] || fail "mend-setup.txt is still on the boot partition"
  sleep 10
done
ok "mend-setup.txt deleted once the first admin exists"

echo "from qemu's start: /readyz answered after $readyz_seconds s, setup code on the console after $boot_seconds s;" \
  "mendd active ${mendd_active} s after the kernel started; whole test $((SECONDS - start)) s;" \
  "image $(du -h --apparent-size "$image" | cut -f1) ($(du -h "$image" | cut -f1) used)"
echo "$passed passed, 0 failed"
