#!/usr/bin/env bash
# check stays quiet where nothing is wrong, and works without root.
#   1. an idle loop device (it did I/O once, so it is listed) and a namespace without
#      traffic: no reading names either, and their figures are zero
#   2. as an unprivileged user: exit 0, every section present, the kernel log skipped with
#      a note when dmesg_restrict hides it
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/netlib.sh"
source "$(dirname "$0")/check_lib.inc"
need_root; need_cmd jq; need_cmd losetup

loop=$(LOOP_FILL=1 make_loopdev 8 --direct-io=on)
dd if="/dev/$loop" of=/dev/null bs=4k count=16 iflag=direct status=none || fail "priming read failed"
make_netpair
in_a "$WS" check -d 2 --json >"$TMP/check.json" || fail "check failed"
show_flags
d=$(jq -c --arg d "$loop" '.disks[]|select(.name==$d)' "$TMP/check.json")
[ -n "$d" ] || fail "$loop (used once) is not listed"
jq -e '.r_per_s == 0 and .w_per_s == 0 and .util_pct == 0 and .aqu_sz == 0' <<<"$d" >/dev/null ||
  fail "idle $loop has activity: $d"
jq -e --arg d "$loop" '[.flags[]|select(.subject==$d)]|length == 0' "$TMP/check.json" >/dev/null ||
  fail "a reading names the idle $loop"
for id in tcp_retrans tcp_listen_drops nic_drops nic_ring_overflow softnet_backlog; do
  has_flag "$id" && fail "$id fired in a namespace without traffic"
done
# a link just brought up sends a few IPv6 neighbour and router solicitations, no more
jq -e --arg n "$VETH_A" '.nics[]|select(.name==$n)|.rxpck_per_s < 5 and .txpck_per_s < 5' \
  "$TMP/check.json" >/dev/null || fail "$VETH_A shows traffic: $(jq -c '.nics' "$TMP/check.json")"
jq -e '.tcp.active_per_s == 0 and .tcp.retrans_per_s == 0' "$TMP/check.json" >/dev/null ||
  fail "TCP activity in an empty namespace: $(jq -c .tcp "$TMP/check.json")"
# never-used devices are left out (iostat leaves them out too), but -a lists them; a loop
# device keeps its counters across detach and attach, so only one still at zero will do
fresh=$(make_loopdev 8)
if awk '{ for (i = 1; i <= NF; i++) if ($i != 0) exit 1 }' "/sys/block/$fresh/stat"; then
  "$WS" check -d 1 --json >"$TMP/check.json" || fail "check failed"
  jq -e --arg d "$fresh" '[.disks[]|select(.name==$d)]|length == 0' "$TMP/check.json" >/dev/null ||
    fail "unused $fresh is listed"
  "$WS" check -d 1 -a --json >"$TMP/check.json" || fail "check -a failed"
  jq -e --arg d "$fresh" '[.disks[]|select(.name==$d)]|length == 1' "$TMP/check.json" >/dev/null ||
    fail "check -a does not list unused $fresh"
else
  note "$fresh did I/O before (an earlier test's): the never-used check is skipped"
fi

# 2. without root
need_cmd setpriv util-linux
user=nobody
id "$user" >/dev/null 2>&1 || skip "no user $user"
# a copy the user can reach: a checkout under /root is private to root
cp "$WS" "$TMP/whyslow-user" && chmod 755 "$TMP" "$TMP/whyslow-user"
setpriv --reuid="$user" --regid=nogroup --clear-groups test -x "$TMP/whyslow-user" ||
  skip "$TMP/whyslow-user is not executable by $user"
setpriv --reuid="$user" --regid=nogroup --clear-groups "$TMP/whyslow-user" check -d 1 --json \
  >"$TMP/user.json" 2>"$TMP/user.err" || fail "check as $user failed: $(cat "$TMP/user.err")"
jq -e '.root == false and (.cpus|length) > 1 and (.disks|length) > 0 and .memory.total_kb > 0' \
  "$TMP/user.json" >/dev/null || fail "sections missing as $user: $(head -c 400 "$TMP/user.json")"
if [ "$(cat /proc/sys/kernel/dmesg_restrict)" = 1 ]; then
  jq -e '.kernel_log.readable == false and ([.notes[]|select(test("kernel log skipped"))]|length == 1)' \
    "$TMP/user.json" >/dev/null || fail "the skipped kernel log is not noted: $(jq -c '.kernel_log, .notes' "$TMP/user.json")"
fi
setpriv --reuid="$user" --regid=nogroup --clear-groups "$WS" check -d 1 >"$TMP/user.txt" 2>&1 ||
  fail "check (text) as $user failed"
assert_contains "$(cat "$TMP/user.txt")" "not root" "text output as $user"
echo "check_quiet: all checks passed"
