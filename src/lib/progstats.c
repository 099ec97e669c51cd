/* See progstats.h. */
#include <string.h>
#include <bpf/bpf.h>
#include "lib/progstats.h"

uint64_t progstats_recursion_misses(struct bpf_object *obj)
{
	struct bpf_program *prog;
	uint64_t total = 0;

	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd < 0)
			continue; /* not loaded (the other one of a tp_btf/raw_tp pair) */
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
			total += info.recursion_misses;
	}
	return total;
}
