#!/usr/bin/env bash
# The broker's lock-down, end to end: mendctl makes mendd's account and a till bridge's, a real
# Mosquitto loads the files mendctl wrote (and reloads them on mendctl's SIGHUP), and what
# each account may do is checked from the outside with MQTT 5 clients, whose PUBACK carries
# the broker's verdict: a refused publish is an answer ("Not authorized"), not a silence.
#
#   broker_acl_test.sh MENDCTL SAMPLE_CONFIG
set -euo pipefail
mendctl="$1"
sample="$2"
venue=the-anchor

work="$(mktemp -d)"
chmod 755 "$work"   # Mosquitto drops to its own user and must reach the account files
broker_pid=""
cleanup() {
  [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- mosquitto.log" >&2
  cat "$work/mosquitto.log" >&2 || true
  exit 1
}
passed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }

# The sample's venue is the-anchor; only mendd's password file moves into the test's folder.
sed -e "s|^password_file = .*|password_file = \"$work/mqtt.password\"|" "$sample" > "$work/mend.toml"
grep -q "^id = \"$venue\"" "$work/mend.toml" || fail "the sample config's venue is not $venue"
common=(--config "$work/mend.toml" --broker-dir "$work/broker" --pid-file "$work/mosquitto.pid")

"$mendctl" broker init "${common[@]}" > "$work/init.out"
grep -q "new password" "$work/init.out" || fail "broker init made no password: $(cat "$work/init.out")"
[ "$(stat -c %a "$work/mqtt.password")" = 600 ] || fail "mendd's password file is not mode 600"
! grep -q "$(cat "$work/mqtt.password")" "$work/broker/passwd" || fail "a password in clear in passwd"
"$mendctl" broker init "${common[@]}" | grep -q kept || fail "a second broker init replaced mendd's password"
ok "broker init: mendd's account, once; only a hash in the broker's file"

# A port below the ephemeral range that nothing listens on.
for _ in $(seq 1 20); do
  port=$((20000 + RANDOM % 10000))
  cat > "$work/mosquitto.conf" <<CONF
persistence false
log_dest stderr
log_type error
log_type warning
log_type notice
per_listener_settings false
allow_anonymous false
password_file $work/broker/passwd
acl_file $work/broker/acl
listener $port 127.0.0.1
CONF
  # Mosquitto drops to its own user, which may not write here: the test keeps the pid file.
  mosquitto -c "$work/mosquitto.conf" 2> "$work/mosquitto.log" & broker_pid=$!
  echo "$broker_pid" > "$work/mosquitto.pid"
  for _ in $(seq 1 50); do
    if ! kill -0 "$broker_pid" 2>/dev/null; then broker_pid=""; break; fi
    grep -q "Opening ipv4 listen socket on port $port" "$work/mosquitto.log" 2>/dev/null && break
    sleep 0.1
  done
  [ -n "$broker_pid" ] && break
  broker_pid=""
done
[ -n "$broker_pid" ] || fail "mosquitto did not start"

mendd_pw="$(cat "$work/mqtt.password")"
# user password topic: prints the client's output; fails when the broker refused the
# connection or (mosquitto_pub still exits 0 then) the PUBACK says the publish failed.
pub() {
  local out
  out="$(mosquitto_pub -h 127.0.0.1 -p "$port" -V 5 -q 1 -u "$1" -P "$2" -t "$3" \
           -m '{"id":"t1"}' 2>&1)" || { echo "$out"; return 1; }
  echo "$out"
  ! grep -q "failed" <<< "$out"
}

out="$(mosquitto_pub -h 127.0.0.1 -p "$port" -V 5 -q 1 -t "venue/$venue/till/order.opened" -m x 2>&1)" &&
  fail "an anonymous client could publish: $out"
ok "anonymous client refused: $out"

"$mendctl" bridge add --name till --kind till --host box.test "${common[@]}" > "$work/add.out" 2> "$work/add.err"
till_pw="$(awk '$1 == "password" {print $2}' "$work/add.out")"
[ ${#till_pw} -ge 32 ] || fail "bridge add printed no password: $(cat "$work/add.out")"
grep -q "publish to    venue/$venue/till/#" "$work/add.out" || fail "bridge add printed no topic: $(cat "$work/add.out")"
grep -q "reloads its accounts" "$work/add.err" || fail "bridge add did not reload Mosquitto: $(cat "$work/add.err")"
! grep -rq "$till_pw" "$work/broker" || fail "the till's password is kept in clear"
ok "bridge add: a 32-character password, printed once with the bridge's settings"

# The reload is asynchronous: wait (generously) until the new account is accepted.
mosquitto_sub -h 127.0.0.1 -p "$port" -V 5 -q 1 -u mendd -P "$mendd_pw" -t "venue/$venue/till/+" \
  -C 1 -W 30 > "$work/received" 2>&1 & sub_pid=$!
deadline=$((SECONDS + 30))
until out="$(pub till "$till_pw" "venue/$venue/till/order.opened")"; do
  [ $SECONDS -lt $deadline ] || fail "the till account never worked after the reload: $out"
  sleep 0.2
done
# The subscriber may not have subscribed yet when the first order went out (a clean session
# is not sent what came before it): the till goes on publishing until it has one.
while kill -0 "$sub_pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
  pub till "$till_pw" "venue/$venue/till/order.opened" > /dev/null || true
  sleep 0.2
done
wait "$sub_pid" || fail "mendd's account did not receive the till's order: $(cat "$work/received")"
grep -q '"id":"t1"' "$work/received" || fail "mendd received something else: $(cat "$work/received")"
ok "the till publishes venue/$venue/till/order.opened and mendd's account receives it"

for topic in "venue/$venue/booking/guest.seated" "venue/$venue/mend/alerts" \
             "venue/other-venue/till/order.opened" "venue/$venue/sensor/fridge-1/temperature"; do
  out="$(pub till "$till_pw" "$topic")" && fail "the till could publish $topic: $out"
  grep -qi "not authori" <<< "$out" || fail "publishing $topic failed for another reason: $out"
  ok "the till may not publish $topic ($out)"
done

out="$(pub till wrong-password "venue/$venue/till/order.opened")" && fail "a wrong password worked"
ok "a wrong password is refused"

out="$(pub mendd "$mendd_pw" "venue/$venue/mend/alerts")" || fail "mendd could not publish its alert: $out"
ok "mendd publishes venue/$venue/mend/alerts"
out="$(pub mendd "$mendd_pw" "venue/$venue/booking/guest.seated")" && fail "mendd could publish a booking"
ok "mendd may not publish a booking"

"$mendctl" bridge remove till "${common[@]}" > /dev/null 2>&1
deadline=$((SECONDS + 30))
while out="$(pub till "$till_pw" "venue/$venue/till/order.opened")"; do
  [ $SECONDS -lt $deadline ] || fail "a removed bridge could still publish"
  sleep 0.2
done
ok "bridge remove: the account is gone ($out)"

"$mendctl" bridge add --name 'Till!' --kind till "${common[@]}" > /dev/null 2>&1 &&
  fail "a bad bridge name was accepted"
"$mendctl" bridge add --name pos --kind stock "${common[@]}" > /dev/null 2>&1 &&
  fail "an unknown kind was accepted"
ok "bad names and kinds are refused"

echo "$passed passed, 0 failed"
