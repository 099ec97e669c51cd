#!/usr/bin/env bash
# Case C2's lab: a slow device. A loop device with direct I/O over a file on the root
# disk, read from a blkio cgroup (v1) that throttles the BACKING disk to 10 reads/s: each
# loop request then takes ~100 ms and lands in biolatency's 64-127 ms bucket, while a
# second, unthrottled loop device stays fast.
source "$(dirname "$0")/lib.sh"
need_root; need_cmd jq; need_cmd losetup
blkio=/sys/fs/cgroup/blkio
[ -w "$blkio/blkio.throttle.read_iops_device" ] || [ -d "$blkio" ] || skip "no cgroup v1 blkio controller at $blkio"
backing=$(stat -c '%d' "$TMP") # st_dev of the file system holding the images
bmaj=$((backing >> 8)) bmin=$((backing & 0xff))
[ -e "/sys/dev/block/$bmaj:$bmin" ] || skip "backing file system is not on a block device ($bmaj:$bmin)"
slow=$(LOOP_FILL=1 make_loopdev 16 --direct-io=on)
fast=$(make_loopdev 16 --direct-io=on)
cg=$blkio/whyslow-test-$$
mkdir "$cg" || skip "cannot create a blkio cgroup"
on_exit "rmdir $cg"
echo "$bmaj:$bmin 10" >"$cg/blkio.throttle.read_iops_device" || skip "blkio throttling refused"

"$WS" biolatency -m -D --json >"$TMP/slow.json" 2>"$TMP/slow.err" & t=$!
wait_attached "$TMP/slow.err"
# 20 reads of the slow device from inside the cgroup, 200 of the fast one from outside
bash -c "echo \$\$ > $cg/cgroup.procs; exec $WORKLOADS/dio /dev/$slow 20 4096 r" >/dev/null || fail "slow reads failed"
"$WORKLOADS/dio" "/dev/$fast" 200 4096 r >/dev/null
kill -INT $t; wait $t || fail "biolatency failed: $(cat "$TMP/slow.err")"
jq -c '.histograms[]|{disk, total:.latency.total, p50:.latency.p50, max:.latency.max}' "$TMP/slow.json"

slow_total=$(jq --arg d "$slow" '[.histograms[]|select(.disk==$d)|.latency.total]|add' "$TMP/slow.json")
fast_total=$(jq --arg d "$fast" '[.histograms[]|select(.disk==$d)|.latency.total]|add' "$TMP/slow.json")
unfinished=$(jq '.unfinished_ios // 0' "$TMP/slow.json")
# every I/O is timed or reported: on a loaded 6.18 host a few completions reach no BPF
# program at all (see biolatency.sh), and biolatency then reports them as unfinished
assert_between "$slow_total" 1 20 "slow device I/Os timed"
assert_between "$fast_total" 1 200 "fast device I/Os timed"
assert_between "$((slow_total + fast_total + unfinished))" 220 100000 "timed + unfinished I/Os (of 220, plus the root disk's)"
# the slow device: ~100 ms each (1000 ms / 10 iops) with a queue of one. Throttling lets
# the first I/Os of a slice through at once, and on a loaded host some wait longer
slow_band=$(jq --arg d "$slow" '[.histograms[]|select(.disk==$d)|.latency.buckets[]|select(.le==127 or .le==255)|.count]|add // 0' "$TMP/slow.json")
slow_p50=$(jq --arg d "$slow" '[.histograms[]|select(.disk==$d)|.latency.p50]|add' "$TMP/slow.json")
assert_between "$((slow_band * 100 / slow_total))" 75 100 "share of slow-device I/Os at 64-255 ms (%)"
assert_between "$slow_p50" 64 127 "slow device median (ms)"
# the fast one, same backing disk but not throttled, stays under a few ms
fast_max=$(jq --arg d "$fast" '[.histograms[]|select(.disk==$d)|.latency.max]|max' "$TMP/slow.json")
assert_between "$fast_max" 0 31 "fast device max latency bucket bound (ms)"
echo "biolatency_slow: all checks passed"
