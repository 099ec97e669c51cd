#!/usr/bin/env bash
# Benchmarks of the net and irq commands (issue 6), figures in bench/RESULTS.md:
#   1. ns per event (kernel bpf_stats) of softirqs vs libbpf-tools softirqs vs the floor,
#      under a loopback bulk transfer;
#   2. ns per event of skbdrop and tcpretrans vs the floor (and bpftrace's tcpdrop.bt),
#      under a transfer over a veth pair that drops 10% of packets;
#   3. case C9: CPU cost of tcptop (process + in-kernel BPF time) vs iftop (libpcap)
#      while a loopback bulk transfer runs at full speed.
# Traffic stays on this machine (loopback and two network namespaces, removed on exit).
#   bench/net.sh [BUILD_DIR]     (default build; needs root, make all workloads bench/floor)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
WS=$PWD/$B/whyslow NP=$PWD/$B/workloads/netpair FLOOR=$PWD/$B/bench/floor
for f in "$WS" "$NP" "$FLOOR"; do [ -x "$f" ] || { echo "net.sh: $f missing: make BUILD=$B all $B/workloads/netpair $B/bench/floor" >&2; exit 1; }; done
[ "$(id -u)" -eq 0 ] || { echo "net.sh: needs root" >&2; exit 1; }

NS_A=wsbench-a-$$ NS_B=wsbench-b-$$
cleanup() {
  for ns in "$NS_A" "$NS_B"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  jobs -p | xargs -r kill 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$NS_A"; ip netns add "$NS_B"
ip link add wsba$$ netns "$NS_A" type veth peer name wsbb$$ netns "$NS_B"
ip -n "$NS_A" addr add 10.232.0.1/24 dev wsba$$; ip -n "$NS_B" addr add 10.232.0.2/24 dev wsbb$$
for ns in "$NS_A" "$NS_B"; do ip -n "$ns" link set lo up; done
ip -n "$NS_A" link set wsba$$ up; ip -n "$NS_B" link set wsbb$$ up
ip netns exec "$NS_B" iptables -A INPUT -p tcp --dport 5400 -m statistic --mode random --probability 0.1 -j DROP

# a loopback transfer of $1 bytes (server and client on the host)
loopback_transfer() {
  "$NP" server 5401 0 1 >/dev/null & local server=$!
  sleep 0.2
  "$NP" client 127.0.0.1 5401 "$1" 1 >/dev/null; wait $server
}
export -f loopback_transfer; export NP NS_A NS_B

echo "### softirqs (loopback transfer of 2 GB)"
bench/bpfcost.sh -w 'loopback_transfer 2000000000' \
  -t "floor=$FLOOR tp_btf:softirq_entry tp_btf:softirq_exit" \
  -t "whyslow-softirqs=$WS softirqs 3600" \
  -t "libbpf-tools-softirqs=/usr/sbin/softirqs 3600"
echo
echo "### skbdrop and tcpretrans (100 MB over veth with 10% drops at the receiver)"
bench/bpfcost.sh -w "ip netns exec $NS_B $NP server 5400 0 1 >/dev/null & sleep 0.2; ip netns exec $NS_A $NP client 10.232.0.2 5400 100000000 1 >/dev/null; wait" \
  -t "floor=$FLOOR tp_btf:kfree_skb tp_btf:tcp_retransmit_skb" \
  -t "whyslow-skbdrop-c=$WS skbdrop -c 3600" \
  -t "whyslow-skbdrop=$WS skbdrop" \
  -t "whyslow-tcpretrans=$WS tcpretrans" \
  -t "whyslow-tcpretrans-c=$WS tcpretrans -c 3600" \
  -t "bpftrace-tcpdrop.bt=bpftrace /usr/sbin/tcpdrop.bt" \
  -t "bpftrace-tcpretrans.bt=bpftrace /usr/sbin/tcpretrans.bt"
echo

# CPU time (user + system, ms) of process $1 from /proc/PID/stat
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1000 / hz }' "/proc/$1/stat"; }
# total run_time_ns of the BPF programs process $1 holds
bpf_ns() { cat /proc/"$1"/fdinfo/* 2>/dev/null | awk '/^run_time_ns:/ { s += $2 } END { print s + 0 }'; }
c9() { # label command...
  local label=$1; shift
  setsid "$@" >/dev/null 2>&1 &
  local pid=$! c0 c1 b0 b1 t0 t1
  sleep 2
  c0=$(cpu_ms $pid); b0=$(bpf_ns $pid); t0=$(date +%s.%N)
  loopback_transfer 4000000000
  t1=$(date +%s.%N); c1=$(cpu_ms $pid); b1=$(bpf_ns $pid)
  kill -TERM $pid; wait $pid 2>/dev/null || true  # background jobs ignore SIGINT
  printf '| %s | %.2f | %.0f | %.1f | %.1f |\n' "$label" "$(echo "$t1 - $t0" | bc)" "$(echo "$c1 - $c0" | bc)" \
    "$(echo "($b1 - $b0) / 1000000" | bc -l)" "$(echo "($c1 - $c0 + ($b1 - $b0) / 1000000) * 100 / (($t1 - $t0) * 1000)" | bc -l)"
}
echo "### case C9: tcptop vs iftop, loopback transfer of 4 GB"
echo
echo "| tool | transfer s | tool process CPU ms | in-kernel BPF ms | % of one CPU |"
echo "|---|---:|---:|---:|---:|"
sysctl -qw kernel.bpf_stats_enabled=1
c9 none sleep 3600
c9 "whyslow tcptop" "$WS" tcptop -C 1
if command -v iftop >/dev/null; then c9 "iftop (libpcap)" iftop -i lo -t -n -N -P; else echo "| iftop | not installed | | | |"; fi
sysctl -qw kernel.bpf_stats_enabled=0
