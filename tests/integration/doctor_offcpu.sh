#!/usr/bin/env bash
# doctor's off-CPU section against a known D-state stall: O_DIRECT reads of a loop device
# (direct I/O) whose backing disk a blkio cgroup (v1) throttles to 20 reads/s, as in
# lab/c2-slow-disk. The reader spends nearly all its run in uninterruptible sleep waiting
# for its reads; the test times the run. The doctor's JSON must name the reader among the
# worst stalled with D time close to that run, and its top D-state kernel stack must wait
# for I/O. Checked on the tp_btf path and on the raw_tp fallback; -p leaves others out.
source "$(dirname "$0")/lib.sh"
need_root; need_cmd jq; need_cmd losetup; need_cmd bpftool
[ -x "$WORKLOADS/dio" ] || skip "workload $WORKLOADS/dio missing"
blkio=/sys/fs/cgroup/blkio
[ -d "$blkio" ] || skip "no cgroup v1 blkio controller at $blkio"
backing=$(stat -c '%d' "$TMP")
bmaj=$((backing >> 8)) bmin=$((backing & 0xff))
[ -e "/sys/dev/block/$bmaj:$bmin" ] || skip "$TMP is not on a block device"
dev=/dev/$(LOOP_FILL=1 make_loopdev 16 --direct-io=on)
cg=$blkio/whyslow-it-offcpu-$$
mkdir "$cg" || skip "cannot make a blkio cgroup"
# a killed reader in D state leaves the cgroup a moment later
rmcg() { local n; for n in $(seq 50); do rmdir "$1" 2>/dev/null && return 0; sleep 0.1; done; }
on_exit "rmcg $cg"
echo "$bmaj:$bmin 20" >"$cg/blkio.throttle.read_iops_device" || skip "blkio throttling refused"
READS=40 # 2 s at 20 reads/s

# Starts the doctor in the background and waits until its sweep's sched_switch program is
# attached (the sweep loads last; --json prints nothing before the report).
start_doctor() {
  local out=$1; shift
  "$@" >"$out" 2>"$out.err" & DOCTOR=$!
  local i
  for i in $(seq 1 100); do
    bpf_prog_names $DOCTOR 2>/dev/null | grep -q '^switch_\(btf\|raw\)$' && { sleep 0.3; return 0; }
    kill -0 $DOCTOR 2>/dev/null || fail "doctor exited: $(cat "$out.err")"
    sleep 0.1
  done
  fail "doctor did not attach its sweep within 10 s: $(cat "$out.err")"
}

# The reader, in the throttled cgroup; prints its PID; $TMP/$1.us gets its run in us.
throttled_reads() {
  local t0 t1
  t0=$(date +%s%N)
  bash -c "echo \$\$ > $cg/cgroup.procs; exec '$WORKLOADS/dio' $dev $READS 4096 r" >"$TMP/$1.dio" ||
    fail "$1: dio failed"
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000)) >"$TMP/$1.us"
  sed -n 's/^pid=\([0-9]*\) .*/\1/p' "$TMP/$1.dio"
}

check_path() {
  local label=$1; shift
  local json=$TMP/$label.json reader run_us d_ms
  start_doctor "$json" "$@" "$WS" doctor --json -d 5
  reader=$(throttled_reads "$label")
  wait $DOCTOR || fail "$label: doctor failed: $(cat "$json.err")"
  run_us=$(cat "$TMP/$label.us")
  local entry
  entry=$(jq -c --argjson p "$reader" '[.summary.offcpu.worst_d[] | select(.pid == $p)] | first // empty' "$json")
  [ -n "$entry" ] || fail "$label: reader $reader not among the worst stalled: $(jq -c '.summary.offcpu.worst_d | map({pid, comm, d_ms})' "$json")"
  note "$label: $entry"
  assert_eq "$(jq -r .comm <<<"$entry")" dio "$label: the reader's name"
  d_ms=$(jq -r .d_ms <<<"$entry")
  # the run is the reads plus exec and start-up, all but a few ms waiting on the throttle
  assert_between "$(awk -v d="$d_ms" -v r="$run_us" 'BEGIN{printf "%.3f", d * 1000 / r}')" 0.8 1.02 \
    "$label: D time ($d_ms ms) over the run measured ($run_us us)"
  assert_between "$(jq -r .d_waits <<<"$entry")" $((READS - 3)) $((READS + 10)) "$label: D-state waits (about one per read: a read the throttle lets through at once may finish before its reader sleeps)"
  # the waits are for I/O, in the block layer's direct I/O path
  # (io_schedule_timeout on 6.18: wait_for_completion_io_timeout in submit_bio_wait)
  jq -e '.top_d_stack_frames | map(select(startswith("io_schedule"))) | length > 0' <<<"$entry" >/dev/null ||
    fail "$label: no io_schedule frame in the top D stack: $(jq -c .top_d_stack_frames <<<"$entry")"
  jq -e '.top_d_stack_frames | map(select(test("blkdev_(direct_IO|read_iter)"))) | length > 0' <<<"$entry" >/dev/null ||
    fail "$label: no block-device read frame in the top D stack: $(jq -c .top_d_stack_frames <<<"$entry")"
  assert_contains "$(jq -r .top_d_stack <<<"$entry")" "^io_schedule" "$label: compact stack"
  # totals: all threads together hold at least the reader's time
  assert_between "$(jq -r .summary.offcpu.d_ms "$json")" "$d_ms" 1e9 "$label: D time of all threads"
}

check_path tp_btf env
check_path raw_tp env WHYSLOW_FORCE_RAW_TP=1

# -p: only the focused process's threads are timed; the text names the stall
# the focused process: a shell that waits for a child every 0.1 s (sleeps of its own)
bash -c 'while :; do sleep 0.1; done' & other=$!
start_doctor "$TMP/p.json" "$WS" doctor --json -d 3 -p $other
reader=$(throttled_reads p)
wait $DOCTOR || fail "doctor -p failed: $(cat "$TMP/p.json.err")"
assert_eq "$(jq --argjson p "$reader" '[.summary.offcpu.worst_d[], .summary.offcpu.worst_offcpu[] | select(.pid == $p)] | length' "$TMP/p.json")" 0 "-p $other: entries of the reader"
assert_eq "$(jq -c '[.summary.offcpu.worst_offcpu[].pid] | unique' "$TMP/p.json")" "[$other]" "-p $other: the processes timed"
kill $other
start_doctor "$TMP/text.txt" "$WS" doctor -d 3
reader=$(throttled_reads text)
wait $DOCTOR || fail "doctor (text) failed: $(cat "$TMP/text.txt.err")"
assert_contains "$(cat "$TMP/text.txt")" "^off-CPU (D = uninterruptible" "text section"
assert_contains "$(cat "$TMP/text.txt")" "^ *$reader *$reader dio .* io_schedule[a-z_]* < " "text names the reader with its stack"
echo "doctor_offcpu: all checks passed"
