#!/usr/bin/env bash
# CPU and scheduler benchmarks (issue 5): cost per event by the kernel's own accounting
# (bench/bpfcost.sh) of whyslow's runqslower, offcputime, cpudist, schedlat, jitter,
# profile and runqlen against Debian's libbpf-tools where they load and the empty-program
# floor, under `perf bench sched pipe` (switch-heavy) and a CPU-bound workload; then the
# whole cost of profile at 99 Hz (BPF time plus its own user and system time,
# symbolization included) as a share of one CPU.
#   bench/cpu.sh [BUILD_DIR]      (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
WS=$PWD/$B/whyslow W=$PWD/$B/workloads FLOOR=$PWD/$B/bench/floor
for f in "$WS" "$W/cpuburn" "$W/sched" "$FLOOR"; do
  [ -x "$f" ] || { echo "missing $f: make all $B/workloads/cpuburn $B/workloads/sched $B/bench/floor" >&2; exit 1; }
done
peer() { [ -x "/usr/sbin/$1" ] && echo "/usr/sbin/$1" || echo "false"; }
pipe_load='taskset -c 0 perf bench sched pipe -l 200000'
burn_load="taskset -c 1 $W/cpuburn 5"
sched_floor="$FLOOR tp_btf:sched_switch tp_btf:sched_wakeup tp_btf:sched_wakeup_new"

echo "### runqslower (threshold 10 ms), \`$pipe_load\`"; echo
bench/bpfcost.sh -w "$pipe_load" -t "whyslow=$WS runqslower" -t "libbpf-tools=$(peer runqslower)" -t "floor=$sched_floor"
echo; echo "### cpudist, \`$pipe_load\`"; echo
bench/bpfcost.sh -w "$pipe_load" -t "whyslow=$WS cpudist" -t "libbpf-tools=$(peer cpudist)" -t "floor=$FLOOR tp_btf:sched_switch"
echo; echo "### offcputime, \`$pipe_load\`"; echo
bench/bpfcost.sh -w "$pipe_load" -t "whyslow=$WS offcputime" -t "libbpf-tools=$(peer offcputime)" -t "floor=$FLOOR tp_btf:sched_switch"
echo; echo "### schedlat and jitter (no peer: perf sched records every event to a file), \`$pipe_load\`"; echo
bench/bpfcost.sh -w "$pipe_load" -t "whyslow schedlat=$WS schedlat" -t "whyslow jitter=$WS jitter -c 1" -t "floor=$sched_floor"
echo; echo "### profile (-F 99) and runqlen (-F 99), CPU-bound \`$burn_load\`"; echo
bench/bpfcost.sh -w "$burn_load" -t "whyslow profile=$WS profile -F 99" -t "whyslow runqlen=$WS runqlen -F 99" \
  -t "libbpf-tools runqlen=$(peer runqlen)"
echo

# profile's whole cost: the CPU time of the process (reading the maps, symbolizing,
# folding, printing) over a 20 s system-wide run at 99 Hz with both CPUs busy; the BPF
# side adds 2 CPUs x 99 samples/s x the ns/sample of the table above
echo "### profile -F 99 -f: user-space cost over 20 s, both CPUs busy"; echo
"$W/cpuburn" 21 & b1=$!; "$W/cpuburn" 21 & b2=$!
/usr/bin/time -f "%U %S" -o /tmp/bench-profile.time "$WS" profile -F 99 -f --duration 20 >/tmp/bench-profile.folded 2>/dev/null
wait $b1 $b2 || true
read -r u s </tmp/bench-profile.time
printf '| user %s s + system %s s | %.2f%% of one CPU | %s folded lines |\n' "$u" "$s" "$(echo "($u + $s) * 100 / 20" | bc -l)" "$(wc -l </tmp/bench-profile.folded)"
rm -f /tmp/bench-profile.*
