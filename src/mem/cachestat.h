/* Layouts shared by cachestat's kernel and user sides. */
#ifndef WHYSLOW_CACHESTAT_H
#define WHYSLOW_CACHESTAT_H

/* Page counts (4 KiB pages on x86), summed over CPUs by user space. */
struct cachestat_counts {
	__u64 accessed;    /* pages looked up: read() ranges, mmap faults, fault-around */
	__u64 added;       /* pages inserted into the page cache */
	__u64 write_added; /* of those, pages a write created (seen dirtied right after) */
	__u64 dirtied;     /* pages marked dirty */
	__u64 events;      /* tracepoint hits, for cost figures */
};

struct cachestat_comm {
	char comm[16];
};

#endif
