#!/usr/bin/env bash
# check (issue 3): the CPU time (task-clock of the commands and all their children, by
# perf stat) of one `whyslow check` over a 2-second window, against the commands it
# replaces run over the same 2 seconds. Two sets: the classic 60-second checklist
# (uptime, dmesg | tail, vmstat 2 2, mpstat -P ALL 2 1, pidstat 2 1, iostat -xz 2 1,
# free -m, sar -n DEV,EDEV 2 1, sar -n TCP,ETCP 2 1, top -b -n 2 -d 2), and that list plus
# what else check shows: softirq rates per CPU (mpstat -I SCPU 2 1), driver counters and
# ring sizes (ethtool -S and -g of every interface but lo, at both ends of the window),
# softnet_stat and PSI (read at both ends), D-state tasks with their wchan (ps).
# Target: ten times less.
# Medians of ROUNDS rounds, interleaved so that the machine's other load hits both alike;
# the checklist needs a shell to run its commands side by side, whose own cost (measured
# as `bash -c :`) is taken off.
#   bench/check.sh [BUILD_DIR]      (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
WS=$PWD/$B/whyslow
ROUNDS=${ROUNDS:-5}
[ -x "$WS" ] || { echo "missing $WS: make BUILD=$B all" >&2; exit 1; }
for c in vmstat mpstat pidstat iostat sar top free dmesg uptime; do
  command -v $c >/dev/null || { echo "missing $c: scripts/deps.sh installs sysstat and procps" >&2; exit 1; }
done

tools='vmstat 2 2 & mpstat -P ALL 2 1 & pidstat 2 1 & iostat -xz 2 1 &
sar -n DEV,EDEV 2 1 & sar -n TCP,ETCP 2 1 & top -b -n 2 -d 2 &'
checklist="uptime; dmesg | tail; free -m
$tools wait"
nics=$(ls /sys/class/net | grep -vx lo | tr '\n' ' ')
ends="cat /proc/net/softnet_stat /proc/pressure/cpu /proc/pressure/memory /proc/pressure/io
for n in $nics; do ethtool -S \$n; ethtool -g \$n; done"
full="$ends
uptime; dmesg | tail; free -m
$tools mpstat -I SCPU 2 1 & ps -eLo stat,pid,wchan:32,comm | grep '^D' & wait
$ends"
ours="exec $WS check -d 2"

# cpu_ms 'COMMAND LINE': CPU milliseconds of everything it ran (perf's task-clock counts the
# children too; without perf, bash's `times`, which rounds to milliseconds)
cpu_ms() {
  if command -v perf >/dev/null; then
    LC_ALL=C perf stat -x, -e task-clock -o /dev/stdout -- bash -c "{ $1 ; } >/dev/null 2>&1; true" |
      awk -F, '/task-clock/ { printf "%.1f\n", $1 }'
  else
    LC_ALL=C bash -c "{ $1 ; } >/dev/null 2>&1; times" | tail -1 |
      awk '{ n = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); n += a[1] * 60000 + a[2] * 1000 } printf "%.1f\n", n }'
  fi
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

T=/tmp/bench-check.$$
: >"$T.ours"; : >"$T.peers"; : >"$T.full"; : >"$T.shell"
trap 'rm -f "$T".*' EXIT
for _ in $(seq "$ROUNDS"); do
  cpu_ms ":" >>"$T.shell"
  cpu_ms "$ours" >>"$T.ours"
  cpu_ms "$checklist" >>"$T.peers"
  cpu_ms "$full" >>"$T.full"
done
sh=$(median <"$T.shell")
less_shell() { median <"$1" | awk -v s="$sh" '{ printf "%.1f", $1 - s }'; }
o=$(less_shell "$T.ours") p=$(less_shell "$T.peers") f=$(less_shell "$T.full")
echo "CPU time over one 2-second window, median of $ROUNDS rounds ($(nproc) CPUs, $(uname -r), $(awk '{print $1}' /proc/loadavg) load):"
echo
echo "| what | CPU ms, shell's $sh ms taken off | all rounds, with the shell |"
echo "|---|---|---|"
echo "| whyslow check -d 2 | $o | $(paste -sd' ' "$T.ours") |"
echo "| the 60-second checklist: uptime, dmesg, free, vmstat, mpstat, pidstat, iostat -xz, sar -n DEV,EDEV / TCP,ETCP, top | $p | $(paste -sd' ' "$T.peers") |"
echo "| the same plus mpstat -I SCPU, ethtool -S/-g ($(echo $nics)), softnet_stat, PSI, ps for D-state wchan | $f | $(paste -sd' ' "$T.full") |"
echo
awk -v o="$o" -v p="$p" -v f="$f" 'BEGIN { if (o > 0) printf "Ratio: the checklist costs %.1fx the CPU of check, %.1fx with everything check shows (target: 10x).\n", p / o, f / o; else print "Ratio: check used less than the resolution." }'
