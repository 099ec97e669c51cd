#!/usr/bin/env bash
# oomkill's hung tasks (case C12): a reader in a blkio cgroup (v1) that throttles a loop
# device to 512 bytes/s waits for its 16 KiB O_DIRECT read in D state (uninterruptible,
# not killable: the kernel's detector skips TASK_KILLABLE). With
# kernel.hung_task_timeout_secs lowered to 1 s the detector reports it
# (sched:sched_process_hang); oomkill, in text and JSON, must name the reader, and count
# as many hung tasks as kernel.hung_task_detect_count grew by. Then the throttle is
# lifted and the stall ends, a few seconds after it began.
# The detector's reports are kept out of the kernel log (hung_task_warnings 0 during the
# run): check flags hung-task lines for an hour, and a report landing in a doctor sweep
# would be a finding. Every sysctl touched is restored on any exit.
source "$(dirname "$0")/lib.sh"
need_root; need_cmd jq; need_cmd losetup
DIO=$WORKLOADS/dio
[ -x "$DIO" ] || skip "workload $DIO not built"
K=/proc/sys/kernel
[ -e $K/hung_task_timeout_secs ] || skip "no hung-task detector (CONFIG_DETECT_HUNG_TASK)"
[ "$(cat $K/hung_task_panic)" = 0 ] ||
  skip "kernel.hung_task_panic is $(cat $K/hung_task_panic): a hung task would panic this machine"
for s in hung_task_timeout_secs hung_task_check_interval_secs hung_task_warnings; do
  [ -w $K/$s ] || skip "no writable $K/$s"
done
have_count=0
[ -r $K/hung_task_detect_count ] && have_count=1 # newer kernels only
blkio=/sys/fs/cgroup/blkio
[ -w $blkio/blkio.throttle.read_bps_device ] || skip "no cgroup v1 blkio throttling at $blkio"

loop=$(make_loopdev 1)
majmin=$(cat /sys/block/"$loop"/dev)
cg=$blkio/whyslow-hung-$$
mkdir $cg || skip "cannot create a blkio cgroup"
# cleanups run in reverse: sysctls back first (no more reports), then the throttle is
# lifted (the reader's I/O completes and it exits), then its cgroup goes
# (a function: an eval'd loop would reuse _run_cleanups' own loop variable)
rm_cgroup() { local n; for n in $(seq 1 50); do rmdir "$1" && return; sleep 0.1; done; }
on_exit "rm_cgroup $cg"
on_exit "echo '$majmin 0' >$cg/blkio.throttle.read_bps_device"
for s in hung_task_warnings hung_task_check_interval_secs hung_task_timeout_secs; do
  on_exit "echo $(cat $K/$s) >$K/$s"
done
timeout_saved=$(cat $K/hung_task_timeout_secs)
echo 0 >$K/hung_task_warnings # report to the tracepoint only, print nothing
echo 1 >$K/hung_task_check_interval_secs

# the JSON reports of PID $1 in file $2, one a line (jq -e would pass on an empty file)
reports_of() { jq -c --argjson p "$1" 'select(.event == "hung_task" and .pid == $p)' "$2"; }
state() { sed 's/.*) //' /proc/"$1"/stat 2>/dev/null | cut -d' ' -f1; }
# in D state in the block layer's direct I/O (the kernel stack, where it can be read)
waits_for_read() {
  local stack
  [ "$(state "$1")" = D ] || return 1
  stack=$(cat /proc/"$1"/stack 2>/dev/null)
  [ -z "$stack" ] || grep -q 'direct_IO\|submit_bio\|blkdev_read' <<<"$stack"
}
nvcsw() { awk '/^voluntary_ctxt_switches/{print $2}' /proc/"$1"/status; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b - a}'; }

for mode in tp_btf raw_tp; do
  [ $mode = raw_tp ] && export WHYSLOW_FORCE_RAW_TP=1
  "$WS" oomkill --json >"$TMP/$mode.json" 2>"$TMP/$mode.jlog" & json_tracer=$!
  "$WS" oomkill >"$TMP/$mode.txt" 2>"$TMP/$mode.tlog" & text_tracer=$!
  wait_attached "$TMP/$mode.jlog"
  wait_attached "$TMP/$mode.tlog"
  unset WHYSLOW_FORCE_RAW_TP
  grep -q 'and hung tasks' "$TMP/$mode.jlog" || skip "oomkill: $(cat "$TMP/$mode.jlog")"
  if [ $mode = tp_btf ]; then
    # the doctor sweeps across the stall: with the log silent, only the detector's
    # tracepoint can tell it of the hung task
    "$WS" doctor -d 6 >"$TMP/doctor.txt" 2>"$TMP/doctor.err" & doctor=$!
    on_exit "kill $doctor"
    for i in $(seq 1 100); do grep -q '^Sweeping' "$TMP/doctor.err" && break; sleep 0.05; done
    grep -q '^Sweeping' "$TMP/doctor.err" || fail "doctor did not start its sweep: $(cat "$TMP/doctor.err")"
  fi
  count_before=$((have_count ? $(cat $K/hung_task_detect_count) : 0))

  # The detector is off (0) while the reader starts waiting: block-layer waits
  # (blk_wait_io, blk_io_schedule) wake every hung_task_timeout_secs/2, as read when the
  # wait begins, so that slow I/O never looks hung; with the detector off they wait
  # without a timeout, and the reader does not run again until its I/O completes.
  echo 0 >$K/hung_task_timeout_secs
  echo "$majmin 512" >$cg/blkio.throttle.read_bps_device
  bash -c "echo \$\$ >$cg/cgroup.procs && exec '$DIO' /dev/$loop 1 16384 r" >"$TMP/dio.out" &
  reader=$!
  # waiting for its read, no longer switching (starting up, it may wait briefly for
  # something else, e.g. a page of its program)
  switches=-1
  for i in $(seq 1 50); do
    s=$(nvcsw $reader)
    waits_for_read $reader && [ "$s" = "$switches" ] && break
    switches=$s
    sleep 0.1
  done
  waits_for_read $reader ||
    fail "$mode: the throttled reader is not waiting for its read: state $(state $reader), $(head -3 /proc/$reader/stack 2>/dev/null | tr '\n' ' ')"
  stall_start=$(now)
  echo 1 >$K/hung_task_timeout_secs

  # until oomkill names the reader; it must stay in D state all along, without waking
  for i in $(seq 1 100); do
    [ "$(state $reader)" = D ] || fail "$mode: the reader left D state after $(elapsed "$stall_start") s, unreported"
    [ -n "$(reports_of $reader "$TMP/$mode.json")" ] && break
    sleep 0.1
  done
  seen_after=$(elapsed "$stall_start")
  [ -n "$(reports_of $reader "$TMP/$mode.json")" ] ||
    fail "$mode: no hung_task event for the reader (PID $reader) in $seen_after s: $(cat "$TMP/$mode.json")"
  assert_eq "$(state $reader)" D "$mode: the reader's state when reported"
  assert_eq "$(nvcsw $reader)" "$switches" "$mode: the reader's voluntary switches while hung"

  # the stall ends: the detector back to its setting, the throttle lifted
  echo "$timeout_saved" >$K/hung_task_timeout_secs
  echo "$majmin 0" >$cg/blkio.throttle.read_bps_device
  lifted=$(now)
  wait $reader || fail "$mode: the reader failed: $(cat "$TMP/dio.out")"
  note "$mode: reported after $seen_after s in D state; the reader ended $(elapsed "$lifted") s after the lift, $(elapsed "$stall_start") s after it began waiting"
  assert_between "$(elapsed "$lifted")" 0 3 "$mode: seconds from the lift to the reader's exit"
  assert_contains "$(cat "$TMP/dio.out")" "reads=1 " "$mode: the reader's output"
  sleep 0.3 # events still in the ring buffer
  kill -INT $json_tracer $text_tracer
  wait $json_tracer || fail "$mode: oomkill --json failed: $(cat "$TMP/$mode.jlog")"
  wait $text_tracer || fail "$mode: oomkill failed: $(cat "$TMP/$mode.tlog")"
  count_after=$((have_count ? $(cat $K/hung_task_detect_count) : 0))

  ev=$(reports_of $reader "$TMP/$mode.json" | head -1)
  assert_eq "$(jq -r .tid <<<"$ev")" "$reader" "$mode: hung task's TID"
  assert_eq "$(jq -r .comm <<<"$ev")" dio "$mode: hung task's name"
  assert_eq "$(jq -r .trigger_comm <<<"$ev")" khungtaskd "$mode: reported by"
  assert_eq "$(jq -r .trigger_pid <<<"$ev")" "$(pgrep -x khungtaskd | head -1)" "$mode: reporter's PID"
  hangs=$(jq -c 'select(.event == "hung_task")' "$TMP/$mode.json" | wc -l)
  ours=$(reports_of $reader "$TMP/$mode.json" | wc -l)
  note "$mode: $ours report(s) of the reader, $hangs in all"
  if [ $have_count = 1 ]; then
    assert_eq "$hangs" "$((count_after - count_before))" "$mode: hung tasks reported = rise of hung_task_detect_count"
  fi
  assert_eq "$(jq -r 'select(.summary) | "\(.events) \(.lost_events)"' "$TMP/$mode.json")" \
    "$(jq -c 'select(.event)' "$TMP/$mode.json" | wc -l) 0" "$mode: summary (events, lost)"
  assert_contains "$(cat "$TMP/$mode.txt")" \
    "hung task: PID $reader TID $reader (\"dio\") blocked in D state beyond kernel.hung_task_timeout_secs (reported by khungtaskd)" \
    "$mode: text output"
  assert_eq "$(grep -c 'hung task:' "$TMP/$mode.txt")" "$hangs" "$mode: text and JSON report as many hung tasks"
  if [ $mode = tp_btf ]; then
    wait $doctor || fail "doctor failed: $(cat "$TMP/doctor.err")"
    # (not necessarily ranked first: the machine may be busy with something worse)
    assert_contains "$(grep -A1 '^[0-9]*\. \[warning\] kernel-errors' "$TMP/doctor.txt")" \
      "hung task: PID $reader (dio) blocked in D state" "doctor: the hung task named, from the tracepoint alone"
  fi
  # nothing in the kernel log: a hung-task line there would raise check's kernel_log flag
  assert_eq "$(dmesg 2>/dev/null | grep -c "task dio:$reader blocked for more than")" 0 \
    "$mode: kernel log lines about the reader"
done
echo "oomkill_hung: all checks passed"
