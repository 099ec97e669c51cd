#!/usr/bin/env bash
# check's kernel log section (C12): a real segfault leaves "NAME[PID]: segfault at ..." in
# the kernel log; check must show that line and flag it, read the log without consuming
# it (a second reader still counts it), and say how old it is.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/check_lib.inc"
need_root; need_cmd jq; need_cmd gcc
[ -r /dev/kmsg ] || skip "no /dev/kmsg"
[ "$(cat /proc/sys/debug/exception-trace 2>/dev/null)" = 1 ] ||
  skip "the kernel does not log unhandled segfaults (debug.exception-trace is not 1)"
name=wscheck-segv$$
name=${name:0:15} # the kernel logs comm, which is at most 15 characters
printf 'int main(void) { *(volatile int *)0 = 1; return 0; }\n' >"$TMP/segv.c"
gcc -O0 -o "$TMP/$name" "$TMP/segv.c" || fail "cannot build the crashing program"
"$TMP/$name" 2>/dev/null
sleep 0.2
# the kernel rate-limits these messages: without our line there is nothing to test
dmesg 2>/dev/null | grep -q "$name" ||
  skip "the segfault was not logged (printk rate limit?)"

"$WS" check -d 1 --json >"$TMP/check.json" || fail "check failed"
show_flags
jq -e '.kernel_log.readable' "$TMP/check.json" >/dev/null || fail "kernel log not readable as root"
line=$(jq -c --arg n "$name" '.kernel_log.lines[]|select(.text|contains($n))' "$TMP/check.json")
[ -n "$line" ] || fail "our segfault line is missing: $(jq -c '.kernel_log' "$TMP/check.json")"
note "line: $line"
assert_eq "$(jq -r .kind <<<"$line")" segfault "kind of the line"
assert_between "$(jq -r .age_s <<<"$line")" 0 30 "age of the line (s)"
assert_between "$(jq -r .kernel_log.counts.segfault "$TMP/check.json")" 1 100000 "segfault lines counted"
has_flag kernel_log_segfault || fail "kernel_log_segfault did not fire"
# reading did not consume: a second run counts at least as many segfault lines (other
# tests may add lines meanwhile, and push ours out of the few lines shown), and the text
# names the kind
first=$(jq -r .kernel_log.counts.segfault "$TMP/check.json")
"$WS" check -d 1 --json >"$TMP/check2.json" || fail "second check failed"
assert_between "$(jq -r .kernel_log.counts.segfault "$TMP/check2.json")" "$first" 100000 "segfault lines counted again"
"$WS" check -d 1 >"$TMP/check.txt" || fail "check (text) failed"
assert_contains "$(grep '^KLOG' "$TMP/check.txt")" "segfault" "the text's KLOG line"
echo "check_kmsg: all checks passed"
