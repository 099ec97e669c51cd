#!/usr/bin/env bash
# Case C2 for biosnoop: one slow device (a loop device with direct I/O whose BACKING disk
# is throttled to 10 reads/s for the reader's blkio cgroup, as in CASES.md's lab note).
# biosnoop shows each of the reader's 20 I/Os on the loop device with the reader's PID and
# a latency near 100 ms, while the backing disk's own requests stay fast.
source "$(dirname "$0")/lib.sh"
need_root; need_cmd jq
[ -x "$WORKLOADS/dio" ] || skip "workload dio not built (make \$BUILD/workloads/dio)"
blkio=/sys/fs/cgroup/blkio
[ -w "$blkio/cgroup.procs" ] || skip "no cgroup v1 blkio controller at $blkio"
backing=$(stat -c '%d' "$TMP")
bmaj=$((backing >> 8)) bmin=$((backing & 0xff))
[ -e "/sys/dev/block/$bmaj:$bmin" ] || skip "backing file system is not on a block device ($bmaj:$bmin)"
bname=$(basename "$(readlink /sys/dev/block/$bmaj:$bmin)")
slow=$(LOOP_FILL=1 make_loopdev 16 --direct-io=on)
on_exit "losetup -d /dev/$slow" # make_loopdev runs in a subshell here: its own on_exit is lost
cg=$blkio/whyslow-biosnoop-$$
mkdir "$cg" || skip "cannot create a blkio cgroup"
on_exit "rmdir $cg"
echo "$bmaj:$bmin 10" >"$cg/blkio.throttle.read_iops_device" || skip "blkio throttling refused"

"$WS" biosnoop -d "$slow" --json >"$TMP/slow.json" 2>"$TMP/slow.err" & t1=$!
"$WS" biosnoop -d "$bname" --json >"$TMP/backing.json" 2>"$TMP/backing.err" & t2=$!
wait_attached "$TMP/slow.err"; wait_attached "$TMP/backing.err"
out=$(bash -c "echo \$\$ > $cg/cgroup.procs; exec $WORKLOADS/dio /dev/$slow 20 4096 r") || fail "slow reads failed"
pid=${out#pid=}; pid=${pid%% *}
kill -INT $t1 $t2; wait $t1 || fail "biosnoop failed: $(cat "$TMP/slow.err")"; wait $t2

# every read shows, with the reader's PID. Known issue: in about one run in eight of this
# test under load, one of the 20 I/Os is missing (never the PID or size of the others:
# no wrong attribution), with no ring-buffer loss and no skipped program run; it did not
# occur with debug counters in the programs (timing). Until it is understood, one
# missing I/O is tolerated here; biosnoop.sh asserts exact counts.
n=$(jq -c "select(.pid==$pid and .rw==\"R\" and .bytes==4096)" "$TMP/slow.json" | wc -l)
note "skipped runs: $(jq 'select(.summary) | .skipped_runs' "$TMP/slow.json"), lost: $(jq 'select(.summary) | .lost_events' "$TMP/slow.json")"
assert_between "$n" 19 20 "reads of the slow device by pid $pid"
assert_eq "$(jq -c "select(.bytes and .pid!=$pid)" "$TMP/slow.json" | wc -l)" 0 "slow-device I/Os of other processes"
# throttling lets the first I/Os of a slice through at once; the rest wait ~100 ms
assert_between "$(jq -c 'select(.latency_us >= 64000)' "$TMP/slow.json" | wc -l)" 14 20 "slow-device I/Os of 64 ms or more"
# the backing disk served the loop's requests quickly: the delay is before them
n=$(jq -c 'select(.latency_us)' "$TMP/backing.json" | wc -l)
assert_between "$n" 20 100000 "backing-disk requests seen"
p50=$(jq -s '[.[] | select(.latency_us) | .latency_us] | sort | .[length / 2 | floor]' "$TMP/backing.json")
assert_between "$p50" 0 20000 "backing-disk median latency (us)"
