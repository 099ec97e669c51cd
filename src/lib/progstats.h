/* Kernel statistics of a command's own BPF programs. */
#ifndef WHYSLOW_PROGSTATS_H
#define WHYSLOW_PROGSTATS_H

#include <stdint.h>
#include <bpf/libbpf.h>

/* Runs of obj's loaded programs that the kernel skipped because the same program was
 * already running on that CPU (an interrupt hit the hook while the program ran there):
 * events the command never saw. From bpf_prog_info.recursion_misses (5.12+; 0 before).
 * An upper bound of what a filtering command lost: some skipped runs were filtered out
 * anyway. */
uint64_t progstats_recursion_misses(struct bpf_object *obj);

#endif
