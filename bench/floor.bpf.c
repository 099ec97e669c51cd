// SPDX-License-Identifier: GPL-2.0
/* The floor: programs that do nothing, attached to the same hooks as the tracers under
 * test. Their ns per event is what the kernel charges for running any program there. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("tp_btf/sched_switch")
int BPF_PROG(floor_btf) { return 0; }

SEC("raw_tp/sched_switch")
int floor_raw(void *ctx) { return 0; }

char LICENSE[] SEC("license") = "GPL";
