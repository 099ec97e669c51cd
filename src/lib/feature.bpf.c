// SPDX-License-Identifier: GPL-2.0
/* Dummy programs used to probe, by a real load and attach, which program types the
 * running kernel accepts (see wbpf_have() in bpf.c). Each is loaded on its own. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("tp_btf/sched_process_free")
int BPF_PROG(probe_tp_btf, struct task_struct *p) { return 0; }

SEC("raw_tp/sched_process_free")
int probe_raw_tp(void *ctx) { return 0; }

SEC("kprobe/vfs_read")
int probe_kprobe(void *ctx) { return 0; }

SEC("fentry/vfs_read")
int BPF_PROG(probe_fentry) { return 0; }

SEC("uprobe")
int probe_uprobe(void *ctx) { return 0; }

SEC("perf_event")
int probe_perf_event(void *ctx) { return 0; }

char LICENSE[] SEC("license") = "GPL";
