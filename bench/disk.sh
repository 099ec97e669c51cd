#!/usr/bin/env bash
# Disk, file-system and page-cache commands (issue 4): cost per event by the kernel's own
# accounting (bench/bpfcost.sh), side by side with Debian's libbpf-tools where they load
# here and with empty programs on the same hooks (the floor).
#   bench/disk.sh [BUILD_DIR]      (default build)
# Two workloads: direct I/O (4 KiB reads and writes on a loop device with direct I/O), and
# buffered reads (a 64 MiB file dropped from the cache, then read five times with 4 KiB
# read() calls).
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
WS=$PWD/$B/whyslow W=$PWD/$B/workloads FLOOR=$PWD/$B/bench/floor
for f in "$WS" "$W/dio" "$FLOOR"; do [ -x "$f" ] || { echo "missing $f: make all $B/workloads/dio $B/bench/floor" >&2; exit 1; }; done
img=$(mktemp /tmp/bench-disk.XXXXXX)
data=$(mktemp /tmp/bench-data.XXXXXX)
dd if=/dev/zero of="$img" bs=1M count=64 conv=fsync status=none
dd if=/dev/urandom of="$data" bs=1M count=64 conv=fsync status=none
loop=$(losetup -f --show --direct-io=on "$img")
trap 'losetup -d $loop; rm -f $img $data' EXIT
peer() { [ -x "/usr/sbin/$1" ] && echo "/usr/sbin/$1" || echo "false"; }

dio_load="$W/dio $loop 20000 4096 rw"
echo "### block commands: cost per event (ns), \`dio LOOP 20000 4096 rw\`"
echo
bench/bpfcost.sh -w "$dio_load" \
  -t "biosnoop=$WS biosnoop" -t "libbpf-tools biosnoop=$(peer biosnoop)" \
  -t "bitesize=$WS bitesize" -t "libbpf-tools bitesize=$(peer bitesize)" \
  -t "biotop=$WS biotop -C 1000" -t "libbpf-tools biotop=$(peer biotop) -C 1000" \
  -t "floor=$FLOOR tp_btf:block_io_start tp_btf:block_rq_insert tp_btf:block_rq_issue tp_btf:block_rq_complete tp_btf:block_bio_backmerge"
echo

read_load="dd if=$data iflag=nocache count=0 status=none; for i in 1 2 3 4 5; do dd if=$data of=/dev/null bs=4k status=none; done"
echo "### page cache and file-system commands: cost per event (ns), 64 MiB uncached, then read 5x with 4 KiB read()"
echo
bench/bpfcost.sh -w "$read_load" \
  -t "cachestat=$WS cachestat" -t "libbpf-tools cachestat=$(peer cachestat)" \
  -t "fsdist=$WS fsdist" -t "libbpf-tools fsdist=$(peer fsdist) -t ext4" \
  -t "fsslower=$WS fsslower" -t "libbpf-tools fsslower=$(peer fsslower) -t ext4" \
  -t "filetop=$WS filetop -C 1000" -t "libbpf-tools filetop=$(peer filetop) -C 1000" \
  -t "floor=$FLOOR tp_btf:mm_filemap_get_pages tp_btf:mm_filemap_add_to_page_cache tp_btf:mm_filemap_map_pages tp_btf:writeback_dirty_folio tp_btf:sys_enter tp_btf:sys_exit"
echo

sys_load="perf bench syscall basic -l 300000"
echo "### file-system commands on untraced syscalls (getppid), \`$sys_load\`"
echo
bench/bpfcost.sh -w "$sys_load" -t "fsdist=$WS fsdist" -t "fsslower=$WS fsslower" \
  -t "filetop=$WS filetop -C 1000" -t "floor=$FLOOR tp_btf:sys_enter tp_btf:sys_exit"
