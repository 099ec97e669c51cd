/* Where a function probe goes, for funclatency and funcslower: "/path/bin:func",
 * "libc:malloc" (a library by short name), "bash:readline" (a program in PATH), or
 * "vfs_read" (a kernel function, only where the kernel has kprobes). */
#ifndef WHYSLOW_FUNCPROBE_H
#define WHYSLOW_FUNCPROBE_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

struct bpf_program;
struct cli_opt;
struct bpf_link;

struct funcprobe {
	char spec[512];     /* as given */
	char path[PATH_MAX]; /* the ELF file (user functions) */
	char func[256];
	long offset;        /* file offset of func in path */
	bool kernel;
	struct bpf_link *links[2];
};

/* Takes the first argument that is not an option (nor the value of one of opts, the
 * command's own option table, that takes one) nor a number out of argv, shifting the
 * rest down. Returns it, or NULL if there is none. */
char *funcprobe_take_spec(int *argc, char **argv, const struct cli_opt *opts);
/* Finds the file and the function's offset. On a bad spec (no such file, no such
 * function, stripped file) calls cli_usage_error with a one-line reason. */
void funcprobe_resolve(struct funcprobe *fp, const char *spec, pid_t pid);
/* Attaches entry and return programs. Kernel functions need kprobes: without them it
 * fails with a one-line explanation. Returns 0 or EXIT_RUNTIME (message printed). */
int funcprobe_attach(struct funcprobe *fp, struct bpf_program *entry, struct bpf_program *ret,
		     pid_t pid);
void funcprobe_detach(struct funcprobe *fp);
/* "func" for kernel functions, "path:func" for user functions. */
const char *funcprobe_name(const struct funcprobe *fp);

#endif
