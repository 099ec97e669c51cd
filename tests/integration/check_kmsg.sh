#!/usr/bin/env bash
# check's kernel log section (C12): a real segfault leaves "NAME[PID]: segfault at ..." in
# the kernel log; check must show that line and flag it, read the log without consuming
# it (a second reader still sees the line), and say how old it is.
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
# reading did not consume: a second run sees the same line
"$WS" check -d 1 >"$TMP/check.txt" || fail "check (text) failed"
assert_contains "$(cat "$TMP/check.txt")" "$name" "second run's KLOG section"
echo "check_kmsg: all checks passed"
