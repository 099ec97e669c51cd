/* memstat: per-process memory from /proc/PID/smaps_rollup. The parser is a pure function,
 * shared with tests (and the doctor). */
#ifndef WHYSLOW_MEMSTAT_H
#define WHYSLOW_MEMSTAT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Kilobytes, as smaps_rollup gives them. file = rss - anon (file-backed and shmem). */
struct memstat_usage {
	uint64_t rss_kb, pss_kb, pss_anon_kb, pss_file_kb, pss_shmem_kb;
	uint64_t anon_kb, file_kb, swap_kb, swap_pss_kb, locked_kb;
};

/* Parses smaps_rollup text. Returns 0, or -1 if it has no Rss line (a kernel thread's file
 * is empty). Lines it does not know are skipped. */
int memstat_parse_rollup(const char *text, struct memstat_usage *out);

struct memstat_proc {
	pid_t pid;
	char comm[16];
	struct memstat_usage usage;
};

/* Reads every process (or only pid if > 0). *out is malloc'd. Returns the count or -errno. */
ssize_t memstat_collect(pid_t pid, struct memstat_proc **out);

#endif
