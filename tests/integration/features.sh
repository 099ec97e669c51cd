#!/usr/bin/env bash
# features probes by real attach; each answer is checked against an oracle that does not
# use whyslow's code: the PMU types the kernel registers (kprobe, uprobe), perf's own view
# of hardware counters, and the BTF file.
source "$(dirname "$0")/lib.sh"
need_root; need_cmd jq
"$WS" features --json >"$TMP/f.json" 2>"$TMP/f.err" || fail "features failed: $(cat "$TMP/f.err")"
f() { jq -r ".features.$1" "$TMP/f.json"; }
yn() { if "$@" >/dev/null 2>&1; then echo true; else echo false; fi; }
assert_eq "$(f btf)" "$(yn test -r /sys/kernel/btf/vmlinux)" "btf"
assert_eq "$(f raw_tp)" true "raw_tp (every BPF kernel since 4.17)"
assert_eq "$(f tp_btf)" "$(f btf)" "tp_btf follows BTF"
assert_eq "$(f kprobe)" "$(yn test -e /sys/bus/event_source/devices/kprobe)" "kprobe vs the kprobe PMU"
assert_eq "$(f uprobe)" "$(yn test -e /sys/bus/event_source/devices/uprobe)" "uprobe vs the uprobe PMU"
if command -v perf >/dev/null; then
  # perf exits 0 either way; it prints "<not supported>" when the PMU is absent
  counted=$(if perf stat -e instructions:u true 2>&1 | grep -q "not supported"; then echo false; else echo true; fi)
  assert_eq "$(f hw_counters)" "$counted" "hw_counters vs perf stat"
fi
"$WS" features | grep -q "^  tp_btf (typed tracepoints) *yes$" || fail "text output"
echo "features: all checks passed"
