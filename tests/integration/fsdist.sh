#!/usr/bin/env bash
# fsdist and fsslower on ext4 and tmpfs: a process's known reads are counted exactly under
# its file system; a known slow fsync (writes of the loop device throttled to 5 IOPS)
# lands in the >= 64 ms buckets and shows in fsslower with its file name, while the fast
# reads do not at the default 10 ms threshold (-m 0 shows them all); aliases (ext4dist,
# ext4slower); a file system the kernel lacks, a PID that exits, and raw_tp fallback.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd mkfs.ext4 e2fsprogs
[ -x "$WORKLOADS/fsio" ] || skip "workload fsio not built (make \$BUILD/workloads/fsio)"
TH=/sys/fs/cgroup/blkio/blkio.throttle.write_iops_device
[ -w $TH ] || skip "needs the cgroup v1 blkio controller (for a slow fsync)"

out=$("$WS" fsdist -t nosuchfs 1 1 2>&1); rc=$?
assert_eq "$rc" 1 "exit status for an unknown file system"
assert_contains "$out" "file system type 'nosuchfs' is not known to this kernel"
out=$("$WS" ext4dist -t tmpfs 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for ext4dist -t tmpfs"
out=$("$WS" fsslower -m -1 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for a negative threshold"

dev=$(make_loopdev 64)
on_exit "losetup -d /dev/$dev" # make_loopdev runs in a subshell here: its own on_exit is lost
mkfs.ext4 -q -F /dev/$dev || fail "mkfs.ext4 failed"
mkdir -p $TMP/ext4 $TMP/tmpfs
mount /dev/$dev $TMP/ext4 || fail "mount failed"; on_exit "umount $TMP/ext4"
mount -t tmpfs -o size=16m tmpfs $TMP/tmpfs || fail "tmpfs mount failed"; on_exit "umount $TMP/tmpfs"
for d in ext4 tmpfs; do dd if=/dev/urandom of=$TMP/$d/data bs=64k count=16 status=none conv=fsync; done
# root-group throttle of this loop device only: an fsync of fsio's four separate blocks
# then waits ~200 ms per write after the first
mm=$(cat /sys/block/$dev/dev)
echo "$mm 5" > $TH; on_exit "echo '$mm 0' > $TH"

# Runs fsio ARGS as one process traced by TRACER... -p PID (which stops when it exits);
# fsio reports to a tmpfs file, so that ext4 sees only its test I/O;
# the tracer's stdout goes to $TMP/out.json.
CALLS=0
traced_fsio() {
  CALLS=$((CALLS + 1))
  local fifo=$TMP/go.$CALLS out=$TMP/tmpfs/fsio.$CALLS.out n
  mkfifo $fifo
  "$WORKLOADS/fsio" $FSIO <>$fifo >$out & local w=$!
  for n in $(seq 1 100); do grep -q ready $out && break; sleep 0.05; done
  kill -0 $w 2>/dev/null || { wait $w; fail "fsio $FSIO ended early (status $?): $(cat $out)"; }
  : >$TMP/err # emptied before the tracer starts: wait_attached must not see an old line
  env ${ENVV:-} "$WS" "$@" -p $w --json >$TMP/out.json 2>$TMP/err & local tracer=$!
  for n in $(seq 1 100); do grep -q 'Tracing\|Usage\|usage\|whyslow' $TMP/err 2>/dev/null && break; sleep 0.05; done
  kill -0 $tracer 2>/dev/null || grep -q Tracing $TMP/err || { wait $w; fail "$1 did not start: $(cat $TMP/err) (fsio status $?: $(cat $out))"; }
  wait_attached $TMP/err
  echo go > $fifo
  wait $w || fail "fsio failed"
  for n in $(seq 1 50); do kill -0 $tracer 2>/dev/null || break; sleep 0.1; done
  wait $tracer || fail "$1 failed: $(cat $TMP/err)"
  assert_contains "$(cat $TMP/err)" "process $w exited"
}
count() { jq "[.histograms[]? | select(.fs_operation==\"$1\") | .latency.total] | add // 0" $TMP/out.json; }
slow() { jq "[.histograms[]? | select(.fs_operation==\"$1\") | .latency.buckets[] | select(.le >= 65535) | .count] | add // 0" $TMP/out.json; }

for ENVV in "" WHYSLOW_FORCE_RAW_TP=1; do
  FSIO="$TMP/ext4/data 100 4096 fsync" traced_fsio fsdist
  assert_eq "$(count 'ext4 read')" 100 "$ENVV fsdist: ext4 reads"
  assert_eq "$(count 'ext4 open')" 1 "$ENVV fsdist: ext4 opens"
  assert_eq "$(count 'ext4 fsync')" 1 "$ENVV fsdist: ext4 fsyncs"
  assert_eq "$(slow 'ext4 fsync')" 1 "$ENVV fsdist: ext4 fsyncs of 64 ms or more"
  assert_eq "$(slow 'ext4 read')" 0 "$ENVV fsdist: ext4 reads of 64 ms or more"
  FSIO="$TMP/tmpfs/data 70 8192" traced_fsio fsdist -t tmpfs
  assert_eq "$(count 'tmpfs read')" 70 "$ENVV fsdist -t tmpfs: tmpfs reads"
  assert_eq "$(jq '[.histograms[]? | select(.fs_operation | startswith("tmpfs") | not)] | length' $TMP/out.json)" 0 "$ENVV fsdist -t tmpfs: other file systems"
done

# the alias traces ext4 only
FSIO="$TMP/tmpfs/data 30 4096" traced_fsio ext4dist
assert_eq "$(jq '.histograms | length' $TMP/out.json)" 0 "ext4dist histograms for tmpfs reads"

# fsslower: the slow fsync with its file name and latency; with -m 0 every call shows,
# so the 100 fast reads are there too (each well under the fsync's ~600 ms)
for ENVV in "" WHYSLOW_FORCE_RAW_TP=1; do
  FSIO="$TMP/ext4/data 100 4096 fsync" traced_fsio ext4slower -m 0
  ev=$(jq -c 'select(.op=="fsync") | [.op, .fs, .file, .latency_ms >= 64]' $TMP/out.json)
  assert_eq "$ev" '["fsync","ext4","data",true]' "$ENVV ext4slower fsync event (all: $(jq -c 'select(.op=="fsync")' $TMP/out.json))"
  assert_eq "$(jq -c 'select(.op=="read" and .file=="data" and .ret==4096)' $TMP/out.json | wc -l)" 100 "$ENVV ext4slower -m 0 reads"
  assert_eq "$(jq 'select(.summary) | .lost_events' $TMP/out.json)" 0 "$ENVV lost events"
  # the default threshold (10 ms, bcc's): the slow fsync shows, the fast reads do not,
  # nor anything else under 10 ms
  FSIO="$TMP/ext4/data 100 4096 fsync" traced_fsio ext4slower
  assert_eq "$(jq -c 'select(.op=="fsync") | [.op, .file]' $TMP/out.json)" '["fsync","data"]' "$ENVV ext4slower (default -m) fsync event"
  assert_eq "$(jq -c 'select(.op=="read")' $TMP/out.json | wc -l)" 0 "$ENVV ext4slower (default -m) read events"
  assert_eq "$(jq -c 'select(.op and .latency_ms < 10)' $TMP/out.json | wc -l)" 0 "$ENVV ext4slower (default -m) events under 10 ms"
  FSIO="$TMP/tmpfs/data 20 8192" traced_fsio fsslower -t tmpfs
  assert_eq "$(jq -c 'select(.op)' $TMP/out.json | wc -l)" 0 "$ENVV fsslower (default -m): tmpfs events"
  assert_eq "$(jq 'select(.summary) | .lost_events' $TMP/out.json)" 0 "$ENVV fsslower (default -m): summary line"
  # -m 0: every call, each read with its size and offset
  FSIO="$TMP/tmpfs/data 20 8192" traced_fsio fsslower -m 0 -t tmpfs --heatmap $TMP/hm.svg
  assert_eq "$(jq -c 'select(.op=="read" and .ret==8192 and .file=="data")' $TMP/out.json | wc -l)" 20 "$ENVV fsslower -m 0: tmpfs reads"
  assert_eq "$(jq -c 'select(.op=="read") | .offset' $TMP/out.json | tail -1)" $((19 * 8192)) "$ENVV offset of the last read"
  # --heatmap draws every event printed (the reads, the open, fsio's report write)
  n=$(jq -c 'select(.op)' $TMP/out.json | wc -l)
  assert_contains "$(grep -o 'id="subtitle">[0-9]* points' $TMP/hm.svg)" ">$n points" "$ENVV fsslower heat map"
done
