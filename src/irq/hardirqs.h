/* Layouts shared by hardirqs's kernel and user sides. */
#ifndef WHYSLOW_HARDIRQS_H
#define WHYSLOW_HARDIRQS_H

#define HARDIRQS_SLOTS 27 /* = LOG2_SLOTS */
#define HARDIRQS_NAME 32

struct hardirqs_key {
	__u32 irq;
	__u32 cpu; /* with -C, else 0 */
	char name[HARDIRQS_NAME]; /* the handler's name, as /proc/interrupts shows it */
};

struct hardirqs_value {
	__u64 time_ns;
	__u64 count;
	__u64 slots[HARDIRQS_SLOTS]; /* with -d: log2 of us (ns with -N) */
};

struct hardirqs_start {
	__u64 ts_ns;
	__u32 irq;
	__u32 pad;
};

#endif
