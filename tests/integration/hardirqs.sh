#!/usr/bin/env bash
# hardirqs: direct I/O to a file makes the virtio block device interrupt; the tracer sees
# its handler by name with as many runs as /proc/interrupts counts over a window inside
# the tracer's (a lower bound, to 1%), per CPU (-C) as in total, with histograms that
# agree with the counts; the raw_tp fallback; bad input.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd jq
stop_tracer() { kill -INT "$1" 2>/dev/null; wait "$1" 2>/dev/null || true; }

out=$($WS hardirqs -c 4096 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for a CPU that does not exist"
out=$($WS hardirqs -Z 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for an unknown option"

# the block device holding $TMP, and its interrupt lines (virtioN-req.M or nvme/ahci)
irq_total() { # name pattern: sum over CPUs of the lines whose name matches
  awk -v pat="$1" -v n="$(nproc)" '$NF ~ pat { s = 0; for (i = 2; i <= n + 1; i++) s += $i; t += s } END { print t + 0 }' /proc/interrupts
}
pat='virtio[0-9]+-req'
[ "$(irq_total "$pat")" -gt 0 ] || skip "no virtio block interrupts on this machine"

run_once() { # label env
  local log=$TMP/hi$1.json err=$TMP/hi$1.err before after
  env $2 $WS hardirqs -C -d --json 60 1 >"$log" 2>"$err" &
  local pid=$!
  wait_attached "$err"
  before=$(irq_total "$pat")
  dd if=/dev/zero of="$TMP/io" bs=4k count=2000 oflag=direct,dsync status=none || fail "dd failed"
  after=$(irq_total "$pat")
  stop_tracer $pid
  local count hcount
  count=$(jq --arg p "$pat" '[.handlers[] | select(.name | test($p)) | .count] | add // 0' "$log")
  hcount=$(jq --arg p "$pat" '[.handlers[] | select(.name | test($p)) | .duration.total] | add // 0' "$log")
  note "$1: $(jq -r --arg p "$pat" '[.handlers[] | select(.name | test($p)) | "\(.name)@cpu\(.cpu)=\(.count)"] | join(" ")' "$log"); /proc/interrupts delta $((after - before))"
  [ "$((after - before))" -ge 100 ] || fail "$1: direct I/O raised few interrupts ($((after - before)))"
  # /proc/interrupts counts in the flow handler, the tracepoints around the action: up to
  # 0.3% fewer handler runs than counted interrupts were seen (no BPF recursion misses;
  # not explained yet), hence 1% of slack below
  assert_between "$count" "$(( (after - before) * 99 / 100 - 2 ))" "$(( (after - before) * 10 + 20000 ))" "$1: virtio block handler runs (>= /proc/interrupts delta - 1%)"
  assert_eq "$hcount" "$count" "$1: runs in the histograms vs counts"
}
run_once btf ""
run_once raw "WHYSLOW_FORCE_RAW_TP=1"
exit 0
