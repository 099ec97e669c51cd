#!/usr/bin/env bash
# oomkill (case C12): a process allocating 256 MB inside a 32 MB cgroup-v1 memory cgroup
# is OOM-killed; oomkill names it (and itself as the trigger) with its memory figures.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd jq

HOG=$WORKLOADS/sys_hog
[ -x "$HOG" ] || skip "workload $HOG not built"
MEMCG=/sys/fs/cgroup/memory
[ -w $MEMCG/cgroup.procs ] || skip "no cgroup v1 memory controller at $MEMCG"
CG=$MEMCG/whyslow-oomkill-$$
mkdir $CG || skip "cannot create a memory cgroup"
on_exit "rmdir $CG"
echo 32M >$CG/memory.limit_in_bytes
[ -e $CG/memory.memsw.limit_in_bytes ] && echo 32M >$CG/memory.memsw.limit_in_bytes

for mode in tp_btf raw_tp; do
  [ $mode = raw_tp ] && export WHYSLOW_FORCE_RAW_TP=1
  "$WS" oomkill -d 4 --json >"$TMP/o.json" 2>"$TMP/log" &
  tracer=$!
  wait_attached "$TMP/log"
  bash -c "echo \$\$ >$CG/cgroup.procs && exec '$HOG' 256" >/dev/null &
  hog=$!
  wait $hog; rc=$?
  assert_eq "$rc" 137 "$mode: the hog was killed by SIGKILL"
  wait $tracer || fail "oomkill failed: $(cat "$TMP/log")"
  unset WHYSLOW_FORCE_RAW_TP
  ev=$(jq -c --arg p $hog 'select(.event == "oom_kill" and .pid == ($p|tonumber))' "$TMP/o.json")
  assert_eq "$(jq -r .comm <<<"$ev")" sys_hog "$mode: victim named"
  assert_eq "$(jq -r .trigger_pid <<<"$ev")" "$hog" "$mode: the hog's own allocation triggered it"
  assert_between "$(jq -r .anon_rss_kb <<<"$ev")" 16000 34000 "$mode: victim's anon RSS (kB) at a 32 MB limit"
  assert_between "$(jq -r .total_vm_kb <<<"$ev")" 16000 400000 "$mode: victim's total VM (kB)"
  assert_eq "$(jq -c 'select(.event == "oom_kill")' "$TMP/o.json" | wc -l)" 1 "$mode: one kill in the run"
  # the summary counts every event printed: a hung task elsewhere on the machine (e.g.
  # oomkill_hung.sh's, when both run at once) is one too
  assert_eq "$(jq -r 'select(.summary) | "\(.events) \(.lost_events)"' "$TMP/o.json")" \
    "$(jq -c 'select(.event)' "$TMP/o.json" | wc -l) 0" "$mode: summary (events, lost)"
  # the kernel's own report of the kill carries the same counters
  klog=$(dmesg 2>/dev/null | grep "Killed process $hog (" | tail -1)
  if [ -n "$klog" ]; then
    assert_eq "$(jq -r '"total-vm:\(.total_vm_kb)kB, anon-rss:\(.anon_rss_kb)kB"' <<<"$ev")" \
      "$(grep -o 'total-vm:[0-9]*kB, anon-rss:[0-9]*kB' <<<"$klog")" "$mode: figures as in the kernel log"
  fi
done
"$WS" oomkill -d 0 >/dev/null 2>&1; assert_eq $? 2 "bad duration"
"$WS" oomkill -x >/dev/null 2>&1; assert_eq $? 2 "unknown option"
echo PASS
