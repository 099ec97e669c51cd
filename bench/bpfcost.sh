#!/usr/bin/env bash
# Cost per traced event, by the kernel's own accounting: with kernel.bpf_stats_enabled=1
# the kernel counts run_cnt and run_time_ns per BPF program. Tracers run side by side
# under one workload; each program's delta over the workload gives ns per event. Wall
# time swings ~40% between runs on these VMs, so it is never the judge here.
#
#   bench/bpfcost.sh -w 'WORKLOAD' -t 'LABEL=TRACER COMMAND' [-t ...] [-s SETTLE_S]
#
# Programs are found through /proc/PID/fdinfo of each tracer (prog_id, run_cnt,
# run_time_ns; links give the tracepoint name), so no bpftool pid support is needed.
# Prints a markdown table; the sysctl is restored afterwards.
set -euo pipefail
workload= settle=1 tracers=()
while getopts "w:t:s:" o; do
  case $o in w) workload=$OPTARG;; t) tracers+=("$OPTARG");; s) settle=$OPTARG;;
  *) echo "usage: $0 -w WORKLOAD -t LABEL=CMD [-t ...]" >&2; exit 2;; esac
done
[ -n "$workload" ] && [ ${#tracers[@]} -gt 0 ] || { echo "usage: $0 -w WORKLOAD -t LABEL=CMD [-t ...]" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "bpfcost: needs root" >&2; exit 1; }

old_stats=$(sysctl -n kernel.bpf_stats_enabled)
tmp=$(mktemp -d /tmp/bpfcost.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  sleep 0.3
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  sysctl -qw kernel.bpf_stats_enabled="$old_stats"
  rm -rf "$tmp"
}
trap cleanup EXIT
sysctl -qw kernel.bpf_stats_enabled=1

# prog_id run_cnt run_time_ns hook, one line per program of process $1
snapshot() {
  local pid=$1 f
  declare -A cnt ns hook
  for f in /proc/"$pid"/fdinfo/*; do
    local id c t tp
    id=$(awk '/^prog_id:/{print $2}' "$f" 2>/dev/null) || continue
    [ -n "$id" ] || continue
    if grep -q '^link_id:' "$f" 2>/dev/null; then
      tp=$(awk '/^tp_name:/{print $2}' "$f"); [ -n "$tp" ] && hook[$id]=$tp
    else
      c=$(awk '/^run_cnt:/{print $2}' "$f"); t=$(awk '/^run_time_ns:/{print $2}' "$f")
      cnt[$id]=${c:-0}; ns[$id]=${t:-0}
    fi
  done
  for id in "${!cnt[@]}"; do echo "$id ${cnt[$id]} ${ns[$id]} ${hook[$id]:--}"; done
}

labels=()
for spec in "${tracers[@]}"; do
  label=${spec%%=*} cmd=${spec#*=}
  setsid bash -c "exec $cmd" >"$tmp/$label.log" 2>&1 &
  pids+=($!); labels+=("$label")
done
# wait until every tracer has attached (a link fd appears), at most 15 s
for i in "${!pids[@]}"; do
  for _ in $(seq 150); do
    grep -qs '^link_id:' /proc/"${pids[$i]}"/fdinfo/* && break
    kill -0 "${pids[$i]}" 2>/dev/null || { echo "bpfcost: ${labels[$i]} exited: $(tail -3 "$tmp/${labels[$i]}.log")" >&2; break; }
    sleep 0.1
  done
done
sleep "$settle"
for i in "${!pids[@]}"; do snapshot "${pids[$i]}" >"$tmp/before.$i"; done
start=$(date +%s.%N)
bash -c "$workload" >"$tmp/workload.log" 2>&1
end=$(date +%s.%N)
for i in "${!pids[@]}"; do snapshot "${pids[$i]}" >"$tmp/after.$i"; done

printf 'workload: `%s` (%.2f s wall)\n\n' "$workload" "$(echo "$end - $start" | bc)"
echo "| tracer | program | hook | events | ns/event |"
echo "|---|---|---|---:|---:|"
for i in "${!pids[@]}"; do
  if [ ! -s "$tmp/after.$i" ]; then
    echo "| ${labels[$i]} | (did not load: $(tail -1 "$tmp/${labels[$i]}.log" | tr '|' '/' | cut -c1-80)) | | | |"
    continue
  fi
  while read -r id c1 t1 hook; do
    read -r _ c0 t0 _ < <(grep "^$id " "$tmp/before.$i" || echo "$id 0 0 -")
    name=$(bpftool prog show id "$id" -j 2>/dev/null | sed -n 's/.*"name":"\([^"]*\)".*/\1/p')
    dc=$((c1 - c0)) dt=$((t1 - t0))
    [ "$dc" -gt 0 ] || continue
    printf '| %s | %s | %s | %d | %.0f |\n' "${labels[$i]}" "${name:-$id}" "$hook" "$dc" "$(echo "$dt / $dc" | bc -l)"
  done < <(sort -k4 "$tmp/after.$i")
done
