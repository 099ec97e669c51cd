#!/usr/bin/env bash
# Syscall, error, lock and memory commands (issue 7): cost per event by the kernel's own
# accounting (bench/bpfcost.sh), side by side with Debian's libbpf-tools where they load
# here and with empty programs on the same hooks (the floor).
#   bench/sys.sh [BUILD_DIR]      (default build)
# Workloads: a syscall-heavy loop (dd with 1-byte blocks: a read and a write per byte),
# the C5 mapper (mmap/munmap of one page in a loop, for the mmap_lock tracepoints and
# for uprobes on its map_cycle()), and four threads contending for one mmap lock.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
WS=$PWD/$B/whyslow W=$PWD/$B/workloads FLOOR=$PWD/$B/bench/floor
for f in "$WS" "$W/sys_mapper" "$W/sys_lockhammer" "$FLOOR"; do
  [ -x "$f" ] || { echo "missing $f: make all $B/workloads/sys_mapper $B/workloads/sys_lockhammer $B/bench/floor" >&2; exit 1; }
done
peer() { [ -x "/usr/sbin/$1" ] && echo "/usr/sbin/$1" || echo "false"; }
syscalls="dd if=/dev/zero of=/dev/null bs=1 count=1000000 status=none"

echo "### syscount: cost per sys_exit (ns), \`$syscalls\`"
echo
bench/bpfcost.sh -w "$syscalls" \
  -t "whyslow syscount=$WS syscount" -t "libbpf-tools syscount=$(peer syscount)" \
  -t "floor=$FLOOR tp_btf:sys_exit raw_tp:sys_exit"
echo
echo "### syscount -L and -P"
echo
bench/bpfcost.sh -w "$syscalls" \
  -t "whyslow -L=$WS syscount -L" -t "libbpf-tools -L=$(peer syscount) -L" \
  -t "whyslow -P=$WS syscount -P" -t "libbpf-tools -P=$(peer syscount) -P"
echo
echo "### raw_tp fallback (WHYSLOW_FORCE_RAW_TP=1) and errsnoop"
echo
WHYSLOW_FORCE_RAW_TP=1 bench/bpfcost.sh -w "$syscalls" \
  -t "whyslow syscount raw_tp=$WS syscount" -t "whyslow errsnoop raw_tp=$WS errsnoop" \
  -t "floor=$FLOOR raw_tp:sys_exit"
echo
echo "### mmaplock and funclatency (uprobes), \`sys_mapper 2 3\`"
echo
bench/bpfcost.sh -w "$W/sys_mapper 2 3" \
  -t "whyslow mmaplock=$WS mmaplock" \
  -t "whyslow funclatency=$WS funclatency $W/sys_mapper:map_cycle" \
  -t "libbpf-tools funclatency=$(peer funclatency) $W/sys_mapper:map_cycle" \
  -t "floor=$FLOOR tp_btf:mmap_lock_start_locking tp_btf:mmap_lock_acquire_returned tp_btf:mmap_lock_released"
echo
echo "### lockstat, \`sys_lockhammer 4 3\`"
echo
bench/bpfcost.sh -w "$W/sys_lockhammer 4 3" \
  -t "whyslow lockstat=$WS lockstat" -t "whyslow lockstat -N=$WS lockstat -N" \
  -t "floor=$FLOOR tp_btf:contention_begin tp_btf:contention_end"
