/* Layouts shared by runqslower's kernel and user sides. */
#ifndef WHYSLOW_RUNQSLOWER_H
#define WHYSLOW_RUNQSLOWER_H

struct runqslower_event {
	__u64 ts_ns;              /* when the waiter got the CPU (bpf_ktime_get_ns) */
	__u64 delta_us;
	__u32 pid, tid;           /* the task that waited */
	__u32 prev_pid, prev_tid; /* the task that was running when it got the CPU */
	char comm[16];
	char prev_comm[16];
};

#endif
