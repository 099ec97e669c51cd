#!/usr/bin/env bash
# check's disk figures against iostat -x over the same window, and its disk readings.
# A loop device with direct I/O over a filled file is read and written from a blkio
# cgroup (v1) that throttles the BACKING disk: the rates are then steady (set by the
# throttle, not by how busy the shared CPUs are) and the loop device's await is known.
#   1. agreement: 200 reads/s of 16 KB and 100 writes/s of 8 KB; every iostat -x column
#      within 5% or one unit
#   2. C2, device latency: one reader at 20 reads/s: r_await ~50 ms with aqu-sz ~1:
#      disk_latency fires, disk_saturated does not, and the reader shows in D state
#   3. C1, saturation: four readers sharing 20 reads/s: aqu-sz ~4: disk_saturated fires
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/check_lib.inc"
need_root; need_cmd jq; need_cmd losetup; need_cmd iostat sysstat
blkio=/sys/fs/cgroup/blkio
[ -e "$blkio/blkio.throttle.read_iops_device" ] || skip "no cgroup v1 blkio throttling at $blkio"
backing=$(stat -c '%d' "$TMP")
bmaj=$((backing >> 8)) bmin=$((backing & 0xff))
[ -e "/sys/dev/block/$bmaj:$bmin" ] || skip "the file system of $TMP is not on a block device"
[ -e "/sys/dev/block/$bmaj:$bmin/partition" ] && {
  whole=$(basename "$(readlink -f "/sys/dev/block/$bmaj:$bmin/..")")
  IFS=: read -r bmaj bmin <"/sys/class/block/$whole/dev"
}
loop=$(LOOP_FILL=1 make_loopdev 32 --direct-io=on)
cg=$blkio/whyslow-check-$$
mkdir "$cg" || skip "cannot create a blkio cgroup"
on_exit "rmdir $cg"
throttle() { # reads/s writes/s
  echo "$bmaj:$bmin $1" >"$cg/blkio.throttle.read_iops_device" || skip "blkio throttling refused"
  echo "$bmaj:$bmin $2" >"$cg/blkio.throttle.write_iops_device" || skip "blkio throttling refused"
}
loads=()
# load MODE BS: dd in the cgroup, reading or writing the loop device with O_DIRECT, until
# stopped; each load is a session of its own, so that stopping it kills the loop and the
# dd it is running at once (no dd of an old phase survives into the next one)
load() {
  local args
  if [ "$1" = r ]; then args="if=/dev/$loop of=/dev/null iflag=direct"
  else args="if=/dev/zero of=/dev/$loop oflag=direct"; fi
  setsid bash -c "echo \$\$ > $cg/cgroup.procs; while :; do dd $args bs=$2 status=none; done" 2>/dev/null &
  loads+=($!)
}
stop_loads() {
  local p
  for p in "${loads[@]}"; do kill -- "-$p" 2>/dev/null; done
  for p in "${loads[@]}"; do wait "$p" 2>/dev/null; done
  loads=()
  sleep 0.2 # let the last I/Os of the killed dd complete
}
on_exit stop_loads # before the cgroup and the loop device go: they must be idle by then
ours() { jq -r --arg d "$loop" --arg k "$1" '.disks[]|select(.name==$d)|.[$k]' "$TMP/check.json"; }
theirs() { jq -r --arg d "$loop" --arg k "$1" '.sysstat.hosts[0].statistics[0].disk[]|select(.disk_device==$d)|.[$k]' "$TMP/sysstat.out"; }

# 1. agreement with iostat -x
throttle 200 100
load r 16k
load w 8k
sleep 1 # let the throttle settle into its rate
side_by_side 2 iostat -x -d -y -o JSON "$loop" 2 1
jq -c --arg d "$loop" '.disks[]|select(.name==$d)' "$TMP/check.json"
[ -n "$(ours r_per_s)" ] || fail "$loop missing from check's disks[]"
for pair in r_per_s:r/s w_per_s:w/s rkb_per_s:rkB/s wkb_per_s:wkB/s rareq_kb:rareq-sz \
            wareq_kb:wareq-sz r_await_ms:r_await w_await_ms:w_await aqu_sz:aqu-sz \
            util_pct:util rrqm_per_s:rrqm/s wrqm_per_s:wrqm/s d_per_s:d/s dkb_per_s:dkB/s \
            d_await_ms:d_await f_per_s:f/s f_await_ms:f_await; do
  agree "$loop ${pair#*:}" "$(ours "${pair%%:*}")" "$(theirs "${pair#*:}")"
done
assert_between "$(ours r_per_s)" 150 210 "$loop r/s under a 200 reads/s throttle"
assert_between "$(ours rareq_kb)" 15.9 16.1 "$loop rareq-sz (KB)"
# partitions are left out, as iostat -x does without -p
jq -e '[.disks[].name|select(test("^(vd|sd|nvme)[a-z0-9]*p?[0-9]+$") and (test("^nvme[0-9]+n[0-9]+$")|not))]|length==0' \
  "$TMP/check.json" >/dev/null || fail "a partition is listed: $(jq -c '[.disks[].name]' "$TMP/check.json")"
stop_loads

# 2. C2: a slow device, not a loaded one
throttle 20 100
load r 64k
sleep 1
"$WS" check -d 2 --json >"$TMP/check.json" || fail "check failed"
show_flags
note "$loop: $(jq -c --arg d "$loop" '.disks[]|select(.name==$d)|{r_per_s,r_await_ms,aqu_sz,rareq_kb}' "$TMP/check.json")"
assert_between "$(ours r_await_ms)" 25 120 "$loop r_await (ms) at 20 reads/s"
assert_between "$(ours aqu_sz)" 0.5 1.5 "$loop aqu-sz with one reader"
has_flag disk_latency "$loop" || fail "disk_latency did not fire for $loop"
has_flag disk_saturated "$loop" && fail "disk_saturated fired for a queue of one"
reason=$(jq -r --arg d "$loop" '.flags[]|select(.id=="disk_latency" and .subject==$d)|.reason' "$TMP/check.json")
assert_contains "$reason" "64 KB I/O" "disk_latency reason (I/O size)"
jq -e '.d_state_count >= 1 and ([.d_state[]|select(.comm=="dd")]|length >= 1)' "$TMP/check.json" >/dev/null ||
  fail "the throttled reader was not seen in D state: $(jq -c '.d_state' "$TMP/check.json")"
has_flag d_state || fail "d_state did not fire"
note "D state: $(jq -c '[.d_state[]|{comm,wchan}]' "$TMP/check.json")"
stop_loads

# 3. C1: the same device, four readers in line
load r 64k; load r 64k; load r 64k; load r 64k
sleep 1
"$WS" check -d 2 --json >"$TMP/check.json" || fail "check failed"
show_flags
note "$loop: $(jq -c --arg d "$loop" '.disks[]|select(.name==$d)|{r_per_s,r_await_ms,aqu_sz}' "$TMP/check.json")"
assert_between "$(ours aqu_sz)" 2.5 5 "$loop aqu-sz with four readers"
has_flag disk_saturated "$loop" || fail "disk_saturated did not fire for $loop"
has_flag disk_latency "$loop" && fail "disk_latency fired for a long queue"
stop_loads
echo "check_disk: all checks passed"
