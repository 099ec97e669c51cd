#!/usr/bin/env bash
# check's CPU figures against mpstat -P ALL over the same window, memory against free, the
# run-queue reading under a known overload, the 120-column screen and the usage errors.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/check_lib.inc"
need_root; need_cmd jq; need_cmd mpstat sysstat; need_cmd free procps

# 1. agreement with mpstat, with one CPU kept busy (the others' load comes as it comes:
#    both tools read the same /proc/stat ticks over the same window)
timeout 4 taskset -c 0 bash -c 'while :; do :; done' & burner=$!
on_exit "kill $burner 2>/dev/null"
sleep 0.3
side_by_side 2 mpstat -P ALL -o JSON 2 1
ncpus=$(jq '.load.ncpus' "$TMP/check.json")
assert_eq "$ncpus" "$(grep -c '^cpu[0-9]' /proc/stat)" "online CPUs"
for cpu in all $(seq 0 $((ncpus - 1))); do
  for pair in usr_pct:usr nice_pct:nice sys_pct:sys iowait_pct:iowait irq_pct:irq soft_pct:soft \
              steal_pct:steal guest_pct:guest gnice_pct:gnice idle_pct:idle; do
    ours=$(jq -r --arg c "$cpu" --arg k "${pair%%:*}" '.cpus[]|select((.cpu|tostring)==$c)|.[$k]' "$TMP/check.json")
    theirs=$(jq -r --arg c "$cpu" --arg k "${pair#*:}" '.sysstat.hosts[0].statistics[0]["cpu-load"][]|select(.cpu==$c)|.[$k]' "$TMP/sysstat.out")
    agree "cpu $cpu %${pair#*:}" "$ours" "$theirs"
  done
done
busy0=$(jq '.cpus[]|select(.cpu==0)|100 - .idle_pct' "$TMP/check.json")
assert_between "$busy0" 90 100 "CPU 0 busy (%) with a spinning shell pinned to it"
wait $burner 2>/dev/null

# 2. memory against free(1) at the same moment (procps 4: used = total - available)
"$WS" check -d 1 --json >"$TMP/check.json" & c=$!
sleep 0.9; free -k >"$TMP/free.out"; wait $c || fail "check failed"
read -r _ ftotal fused ffree fshared fcache favail < <(grep '^Mem:' "$TMP/free.out")
mem() { jq -r ".memory.$1" "$TMP/check.json"; }
assert_eq "$(mem total_kb)" "$ftotal" "MemTotal (kB)"
agree "memory used kB" "$(mem used_kb)" "$fused" 65536
agree "memory free kB" "$(mem free_kb)" "$ffree" 65536
agree "memory buff/cache kB" "$(( $(mem buffers_kb) + $(mem cache_kb) ))" "$fcache" 65536
agree "memory available kB" "$(mem available_kb)" "$favail" 65536
agree "memory shared kB" "$(mem shared_kb)" "$fshared" 65536

# 3. C13: six spinning tasks on this machine's CPUs: the run queue exceeds the CPU count
for i in 1 2 3 4 5 6; do
  timeout 3 nice -n 19 bash -c 'while :; do :; done' & on_exit "kill $! 2>/dev/null"
done
sleep 0.5
"$WS" check -d 1 --json >"$TMP/check.json" || fail "check failed"
show_flags
assert_between "$(jq '.load.runnable_avg' "$TMP/check.json")" "$ncpus" 100 "runnable tasks on average"
has_flag runqueue || fail "runqueue did not fire with six spinners on $ncpus CPUs"
reason=$(jq -r '.flags[]|select(.id=="runqueue")|.dig' "$TMP/check.json")
assert_eq "$reason" runqlat "runqueue's next command"
wait

# 4. the text screen: every section, 120 columns at most, about one screen
"$WS" check -d 1 >"$TMP/check.txt" || fail "check (text) failed"
cat "$TMP/check.txt"
for section in LOAD VMSTAT MEM CPU DISK NIC softnet TCP ETCP KLOG READINGS; do
  grep -q "^$section\|^$section " "$TMP/check.txt" || fail "text output lacks the $section section"
done
wide=$(awk 'length($0) > 120' "$TMP/check.txt")
[ -z "$wide" ] || fail "lines wider than 120 columns: $wide"
assert_between "$(wc -l <"$TMP/check.txt")" 12 50 "lines on the screen"

# 5. usage errors and --help
"$WS" check -d 0 >/dev/null 2>"$TMP/err"; assert_eq "$?" 2 "exit status for -d 0"
assert_contains "$(cat "$TMP/err")" "whyslow check:" "usage error message"
"$WS" check -d 2 1 1 >/dev/null 2>&1; assert_eq "$?" 2 "exit status for -d with an interval"
"$WS" check --help >"$TMP/help" || fail "check --help failed"
assert_contains "$(cat "$TMP/help")" "iostat" "check --help"
# the interval form: two reports of one second, one JSON object per line
"$WS" check --json 1 2 >"$TMP/two.json" || fail "check 1 2 failed"
assert_eq "$(wc -l <"$TMP/two.json")" 2 "JSON lines for check 1 2"
jq -e -s 'all(.[]; .window_ms >= 900 and .window_ms <= 1300)' "$TMP/two.json" >/dev/null ||
  fail "windows of check 1 2: $(jq -c '.window_ms' "$TMP/two.json")"
echo "check_cpu: all checks passed"
