#!/usr/bin/env bash
# doctor (issue 9): what one sweep costs. Over a `whyslow doctor -d 10` run: the CPU time
# of the doctor process (utime + stime from /proc/PID/stat: loading, the window, the
# report) and the kernel's run_time_ns of every BPF program it attached
# (kernel.bpf_stats_enabled=1, restored afterwards), sampled after everything is attached
# and just before the window ends. Target: under 3% of one CPU on an idle 2-core host.
#   bench/doctor.sh [BUILD_DIR]      (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
WS=$PWD/$B/whyslow
DUR=${DUR:-10}
[ -x "$WS" ] || { echo "missing $WS: make BUILD=$B all" >&2; exit 1; }
command -v bpftool >/dev/null && command -v jq >/dev/null || { echo "needs bpftool and jq" >&2; exit 1; }
TMP=$(mktemp -d)
old=$(sysctl -n kernel.bpf_stats_enabled)
trap 'sysctl -q -w kernel.bpf_stats_enabled=$old; rm -rf "$TMP"' EXIT
sysctl -q -w kernel.bpf_stats_enabled=1
hz=$(getconf CLK_TCK)

# programs of PID from its file descriptors' fdinfo, in one awk (fast: the window is
# short): "prog_id run_cnt run_time_ns" per line
progs() {
  # program fds have run_time_ns; link fds name a prog_id too, without it
  awk 'FNR == 1 { if (id != "" && t != "") print id, c + 0, t; id = c = t = "" }
       /^prog_id:/ { id = $2 } /^run_cnt:/ { c = $2 } /^run_time_ns:/ { t = $2 }
       END { if (id != "" && t != "") print id, c + 0, t }' /proc/$1/fdinfo/* 2>/dev/null |
    sort -u || true
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

load=$(awk '{print $1}' /proc/loadavg)
start=$(date +%s.%N)
"$WS" doctor -d "$DUR" >"$TMP/out" 2>"$TMP/err" & pid=$!
for _ in $(seq 1 200); do grep -q Sweeping "$TMP/err" 2>/dev/null && break; sleep 0.05; done
kill -0 $pid 2>/dev/null || { echo "doctor failed: $(cat "$TMP/err")" >&2; exit 1; }
attached=$(date +%s.%N)
t0=$(date +%s.%N); c0=$(cpu_ticks $pid); progs $pid >"$TMP/p0"
bpftool prog show -j | jq -r '.[] | "\(.id) \(.name)"' >"$TMP/names"
sleep $((DUR - 1))
t1=$(date +%s.%N); c1=$(cpu_ticks $pid); progs $pid >"$TMP/p1"
wait $pid
end=$(date +%s.%N)
span=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b - a}')
awk 'FILENAME == ARGV[1] { name[$1] = $2; next }
     FILENAME == ARGV[2] { c0[$1] = $2; t0[$1] = $3; next }
     ($1 in c0) { printf "%s %d %d\n", ($1 in name) ? name[$1] : "id" $1, $2 - c0[$1], $3 - t0[$1] }' \
  "$TMP/names" "$TMP/p0" "$TMP/p1" | sort -k3,3nr >"$TMP/delta"
bpf_ns=$(awk '{ s += $3 } END { print s + 0 }' "$TMP/delta")
events=$(awk '{ s += $2 } END { print s + 0 }' "$TMP/delta")
user_ms=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" 'BEGIN{ printf "%.0f", (b - a) * 1000 / hz }')
idle=$(awk -v l="$load" -v n="$(nproc)" 'BEGIN{print (l < n / 2) ? "a quiet host" : "a busy host: not idle"}')
echo "One \`whyslow doctor -d $DUR\` on $(nproc) CPUs, kernel $(uname -r), load average $load at the start"
echo "($idle). Window measured: ${span} s,"
echo "from all programs attached to one second before the end; time to attach: $(awk -v a="$start" -v b="$attached" 'BEGIN{printf "%.2f", b - a}') s,"
echo "whole run: $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b - a}') s."
echo
echo "| what | CPU ms in the window | % of one CPU |"
echo "|---|---:|---:|"
awk -v u="$user_ms" -v s="$span" 'BEGIN{ printf "| doctor process (user + system, /proc/PID/stat, 10 ms ticks) | %d | %.2f%% |\n", u, u / (s * 10) }'
awk -v n="$bpf_ns" -v e="$events" -v s="$span" 'BEGIN{ printf "| its BPF programs (run_time_ns, %d runs) | %.1f | %.2f%% |\n", e, n / 1e6, n / 1e7 / s }'
awk -v u="$user_ms" -v n="$bpf_ns" -v s="$span" 'BEGIN{ printf "| **total** | %.1f | **%.2f%%** |\n", u + n / 1e6, (u + n / 1e6) / (s * 10) }'
echo
echo "Programs by kernel time in the window (the top 12):"
echo
echo "| program | runs | ns total | ns/run |"
echo "|---|---:|---:|---:|"
head -12 "$TMP/delta" | awk '{ printf "| %s | %d | %d | %.0f |\n", $1, $2, $3, $2 ? $3 / $2 : 0 }'
