#!/usr/bin/env bash
# Foundation benchmarks (issue 2): biolatency and runqlat against Debian's libbpf-tools
# and the empty-program floor, by the kernel's own accounting (bench/bpfcost.sh); the
# workload's wall time with and without each tracer, interleaved over rounds (shown, not
# judged: it swings ~40% on these VMs); exec-to-attached time; peak RSS.
#   bench/foundation.sh [BUILD_DIR]      (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
WS=$PWD/$B/whyslow W=$PWD/$B/workloads FLOOR=$PWD/$B/bench/floor
ROUNDS=${ROUNDS:-3}
for f in "$WS" "$W/dio" "$FLOOR"; do [ -x "$f" ] || { echo "missing $f: make all $B/workloads/dio $B/bench/floor" >&2; exit 1; }; done
img=$(mktemp /tmp/bench-disk.XXXXXX)
dd if=/dev/zero of="$img" bs=1M count=64 conv=fsync status=none
loop=$(losetup -f --show --direct-io=on "$img")
trap 'losetup -d $loop; rm -f $img' EXIT

peer() { [ -x "/usr/sbin/$1" ] && echo "/usr/sbin/$1" || echo "false"; }
pipe_load='taskset -c 0 perf bench sched pipe -l 200000'
dio_load="$W/dio $loop 20000 4096 rw"

echo "### runqlat: cost per event (ns), \`$pipe_load\`"
echo
bench/bpfcost.sh -w "$pipe_load" -t "whyslow=$WS runqlat" -t "libbpf-tools=$(peer runqlat)" \
  -t "floor=$FLOOR tp_btf:sched_switch tp_btf:sched_wakeup tp_btf:sched_wakeup_new"
echo
echo "### biolatency: cost per event (ns), \`$dio_load\`"
echo
bench/bpfcost.sh -w "$dio_load" -t "whyslow=$WS biolatency" -t "libbpf-tools=$(peer biolatency)" \
  -t "whyslow -D=$WS biolatency -D" -t "libbpf-tools -D=$(peer biolatency) -D" \
  -t "floor=$FLOOR tp_btf:block_rq_issue tp_btf:block_rq_complete"
echo

# wall time of a workload under one tracer (or none), in seconds
timed() {
  local tracer=$1 load=$2 t=
  if [ "$tracer" != none ]; then
    $tracer >/dev/null 2>"$img.err" & t=$!
    for _ in $(seq 100); do grep -q Tracing "$img.err" 2>/dev/null && break; sleep 0.05; done
  fi
  local s e; s=$(date +%s%N); bash -c "$load" >/dev/null 2>&1; e=$(date +%s%N)
  [ -n "$t" ] && { kill -INT $t; wait $t 2>/dev/null || true; }
  echo "scale=3; ($e - $s) / 1000000000" | bc
}
median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
echo "### workload wall time, median of $ROUNDS interleaved rounds (s; informative only)"
echo
echo "| workload | none | whyslow | libbpf-tools |"
echo "|---|---:|---:|---:|"
for pair in "runqlat|$pipe_load" "biolatency|$dio_load"; do
  cmd=${pair%%|*} load=${pair#*|}
  : >"$img.none"; : >"$img.ws"; : >"$img.peer"
  for _ in $(seq "$ROUNDS"); do
    timed none "$load" >>"$img.none"
    timed "$WS $cmd" "$load" >>"$img.ws"
    timed "$(peer $cmd)" "$load" >>"$img.peer"
  done
  echo "| $cmd | $(median <"$img.none") | $(median <"$img.ws") | $(median <"$img.peer") |"
done
echo

# exec to attached: from the fork to the "Tracing" line (printed after attach)
attach_ms() {
  local fifo; fifo=$(mktemp -u /tmp/bench-fifo.XXXXXX); mkfifo "$fifo"
  local s; s=$(date +%s%N)
  "$@" >/dev/null 2>"$fifo" & local p=$!
  read -r _ <"$fifo"; local e; e=$(date +%s%N)
  local hwm; sleep 1.2; hwm=$(awk '/VmHWM/{print $2}' /proc/$p/status)
  kill -INT $p; wait $p 2>/dev/null || true; rm -f "$fifo"
  echo "$(( (e - s) / 1000000 )) $hwm"
}
echo "### start-up and memory (median of 5)"
echo
echo "| command | exec to attached (ms) | peak RSS (MB) |"
echo "|---|---:|---:|"
for c in "runqlat" "biolatency" "runqlat -P" "biolatency -D"; do
  : >"$img.ms"; : >"$img.rss"
  for _ in 1 2 3 4 5; do read -r ms kb < <(attach_ms $WS $c 1); echo "$ms" >>"$img.ms"; echo "$kb" >>"$img.rss"; done
  printf '| whyslow %s | %s | %.1f |\n' "$c" "$(median <"$img.ms")" "$(echo "$(median <"$img.rss") / 1024" | bc -l)"
done
for c in runqlat biolatency; do
  [ -x "/usr/sbin/$c" ] || continue
  : >"$img.ms"; : >"$img.rss"
  for _ in 1 2 3 4 5; do read -r ms kb < <(attach_ms /usr/sbin/$c 1); echo "$ms" >>"$img.ms"; echo "$kb" >>"$img.rss"; done
  printf '| libbpf-tools %s | %s | %.1f |\n' "$c" "$(median <"$img.ms")" "$(echo "$(median <"$img.rss") / 1024" | bc -l)"
done
rm -f "$img".*
