/* Filtering by command name in BPF programs (-c COMM). Include after vmlinux.h and
 * bpf_helpers.h, and after common.h (TASK_COMM_LEN). */
#ifndef WHYSLOW_BPF_COMM_H
#define WHYSLOW_BPF_COMM_H

/* Whether the current task's comm equals want (a NUL-terminated rodata string). */
static __always_inline bool current_comm_is(const volatile char *want)
{
	char comm[TASK_COMM_LEN];

	bpf_get_current_comm(comm, sizeof(comm));
#pragma unroll
	for (int i = 0; i < TASK_COMM_LEN; i++) {
		if (comm[i] != want[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

#endif
