#!/usr/bin/env bash
# Page-cache thrash (case C1): a process in a memory cgroup (v1, memory.limit_in_bytes)
# far smaller than a file it reads again and again gets a hit ratio below 30%, and its
# misses agree with the sectors read from the disk; the same loop on a file that fits
# stays above 95%. Also: writes are not read misses, bad PID, PID exit.
source "$(dirname "$0")/lib.sh"
need_root
need_cmd mkfs.ext4 e2fsprogs
CG=/sys/fs/cgroup/memory
[ -w $CG/cgroup.procs ] || skip "needs the cgroup v1 memory controller at $CG"

out=$("$WS" cachestat -p 999999999 2>&1); rc=$?
assert_eq "$rc" 2 "exit status for an unknown PID"

# an ext4 file system on a loop device of its own, direct I/O to its backing file so
# that the backing file's pages are not cached (nor charged to the cgroup)
dev=$(make_loopdev 400 --direct-io=on)
on_exit "losetup -d /dev/$dev" # make_loopdev runs in a subshell here: its own on_exit is lost
mkfs.ext4 -q -F /dev/$dev || fail "mkfs.ext4 failed"
mnt=$TMP/mnt; mkdir -p $mnt
mount /dev/$dev $mnt || fail "mount failed"; on_exit "umount $mnt"
dd if=/dev/zero of=$mnt/big bs=1M count=192 status=none conv=fsync
dd if=/dev/zero of=$mnt/small bs=1M count=8 status=none conv=fsync
# Drops a file's pages from the cache (fadvise DONTNEED; not a remount: a mount namespace
# made meanwhile by another program would keep the superblock and its cache alive).
uncache() {
  dd if="$1" iflag=nocache count=0 status=none
  local res; res=$(fincore -bno RES "$1" 2>/dev/null || echo 0)
  [ "${res// /}" = 0 ] || fail "could not drop the cache of $1 ($res bytes stay)"
}

cg=$CG/whyslow-c1-$$
mkdir $cg || fail "cannot make memory cgroup $cg"
on_exit "rmdir $cg"
echo $((32 << 20)) > $cg/memory.limit_in_bytes

# Runs COMMAND (exec'd: one process) inside the cgroup, traced by cachestat -p; leaves
# the JSON line in $TMP/cs.json and sets SECTORS to the sectors read from the loop device.
traced() {
  local fifo=$TMP/go.$RANDOM before after
  mkfifo $fifo
  bash -c "echo \$\$ > $cg/cgroup.procs; read _ < $fifo; exec $*" & local reader=$!
  : >"$TMP/cs.err" # emptied before the tracer starts: wait_attached must not see an old line
  env ${ENVV:-} "$WS" cachestat -p $reader ${CSOPTS:-} --json >"$TMP/cs.json" 2>"$TMP/cs.err" & local tracer=$!
  wait_attached "$TMP/cs.err"
  before=$(awk '{print $3}' /sys/block/$dev/stat)
  echo go > $fifo
  wait $reader || fail "reader failed"
  after=$(awk '{print $3}' /sys/block/$dev/stat)
  for i in $(seq 1 50); do kill -0 $tracer 2>/dev/null || break; sleep 0.1; done
  wait $tracer || fail "cachestat failed: $(cat "$TMP/cs.err")"
  assert_contains "$(cat "$TMP/cs.err")" "process $reader exited"
  SECTORS=$((after - before))
}

for ENVV in "" WHYSLOW_FORCE_RAW_TP=1; do
  uncache $mnt/big
  CSOPTS=-P traced cat $mnt/big $mnt/big $mnt/big \> /dev/null
  j=$(cat "$TMP/cs.json"); note "$ENVV thrash: $j"
  # -P: the one process's row holds the whole interval
  assert_eq "$(jq -c '[.processes[] | [.comm, .misses]]' <<<"$j")" "[[\"cat\",$(jq .misses <<<"$j")]]" "$ENVV -P rows"
  ratio=$(jq .hit_ratio_pct <<<"$j"); misses=$(jq .misses <<<"$j"); acc=$(jq .accessed_pages <<<"$j")
  assert_between "$ratio" 0 30 "$ENVV hit ratio (%) reading 192 MiB three times in 32 MiB"
  # + up to 1024: exec of cat maps its binary and libc (fault-around)
  assert_between "$acc" $((3 * 49152)) $((3 * 49152 + 1024)) "$ENVV pages accessed (3 x 49152)"
  # every miss is a page read from the disk: 8 sectors each (metadata adds a few)
  assert_between "$((misses * 8))" "$((SECTORS * 95 / 100))" "$((SECTORS * 105 / 100))" "$ENVV misses x 8 vs $SECTORS sectors read"

  cat $mnt/small > /dev/null   # warm: 8 MiB fits in 32 MiB
  traced cat $mnt/small $mnt/small $mnt/small $mnt/small $mnt/small \> /dev/null
  j=$(cat "$TMP/cs.json"); note "$ENVV fits: $j"
  assert_between "$(jq .hit_ratio_pct <<<"$j")" 95 100 "$ENVV hit ratio (%) re-reading 8 MiB in 32 MiB"
  assert_between "$(jq .hits <<<"$j")" $((5 * 2048)) $((5 * 2048 + 1024)) "$ENVV hits (5 x 2048 pages, + exec of cat)"
done

# writes that create pages are dirtied pages, not read misses
traced dd if=/dev/zero of=$mnt/new bs=1M count=16 status=none
j=$(cat "$TMP/cs.json"); note "write: $j"
assert_between "$(jq .dirtied <<<"$j")" 4096 4200 "pages dirtied writing 16 MiB"
assert_between "$(jq .misses <<<"$j")" 0 16 "read misses writing 16 MiB"
