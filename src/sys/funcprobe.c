/* Resolving and attaching function probes; see funcprobe.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/solib.h"
#include "lib/syms.h"
#include "sys/funcprobe.h"

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Whether argument a is an option of opts that takes its value in the next argument:
 * "-p" or "--pid" (but not "-p123" nor "--pid=123", which carry it). */
static bool takes_next_value(const char *a, const struct cli_opt *opts)
{
	for (const struct cli_opt *o = opts; o->key; o++) {
		if (!o->arg)
			continue;
		if (a[1] != '-' && o->key < CLI_LONG_ONLY && a[1] == o->key && !a[2])
			return true;
		if (a[1] == '-' && o->name && !strcmp(a + 2, o->name))
			return true;
	}
	return false;
}

char *funcprobe_take_spec(int *argc, char **argv, const struct cli_opt *opts)
{
	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			break;
		if (a[0] == '-' && a[1]) {
			if (takes_next_value(a, opts))
				i++;
			continue;
		}
		if (is_number(a))
			continue;
		char *spec = argv[i];
		memmove(&argv[i], &argv[i + 1], (*argc - i) * sizeof(argv[0]));
		(*argc)--;
		return spec;
	}
	return NULL;
}

static bool find_in_path(const char *name, char *out, size_t size)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	bool found = false;

	if (!path || !(copy = strdup(path)))
		return false;
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		found = (size_t)snprintf(out, size, "%s/%s", dir, name) < size && access(out, X_OK) == 0;
	}
	free(copy);
	return found;
}

void funcprobe_resolve(struct funcprobe *fp, const char *spec, pid_t pid)
{
	const char *colon = strrchr(spec, ':');
	char file[PATH_MAX];
	struct elf_syms *es;

	memset(fp, 0, sizeof(*fp));
	snprintf(fp->spec, sizeof(fp->spec), "%s", spec);
	if (!colon) {
		fp->kernel = true;
		snprintf(fp->func, sizeof(fp->func), "%s", spec);
		return;
	}
	snprintf(file, sizeof(file), "%.*s", (int)(colon - spec), spec);
	snprintf(fp->func, sizeof(fp->func), "%s", colon + 1);
	if (!file[0] || !fp->func[0])
		cli_usage_error("'%s' is not FILE:FUNCTION (e.g. /usr/bin/bash:readline, libc:malloc)", spec);
	if (strchr(file, '/')) {
		if (!realpath(file, fp->path))
			cli_usage_error("no such file '%s'", file);
	} else if (!solib_find(file, pid, fp->path, sizeof(fp->path)) &&
		   !find_in_path(file, fp->path, sizeof(fp->path))) {
		cli_usage_error("cannot find '%s' as a library or a program in PATH: give its path", file);
	}
	es = elf_syms_open(fp->path);
	if (!es)
		cli_usage_error("'%s' is not an ELF file whose symbols can be read", fp->path);
	if (!elf_syms_count(es)) {
		elf_syms_close(es);
		cli_usage_error("'%s' has no symbols (stripped, and no debug file found): "
				"function names cannot be resolved", fp->path);
	}
	fp->offset = elf_syms_file_offset(es, fp->func);
	elf_syms_close(es);
	if (fp->offset < 0)
		cli_usage_error("no function '%s' in %s", fp->func, fp->path);
}

int funcprobe_attach(struct funcprobe *fp, struct bpf_program *entry, struct bpf_program *ret,
		     pid_t pid)
{
	int err;

	if (fp->kernel) {
		if (!wbpf_have(WBPF_KPROBE))
			return cli_fail("kernel function '%s': this kernel has no kprobes (and refuses "
					"fentry), so kernel functions cannot be timed here; user functions "
					"(FILE:FUNCTION) work through uprobes", fp->func);
		fp->links[0] = bpf_program__attach_kprobe(entry, false, fp->func);
		fp->links[1] = fp->links[0] ? bpf_program__attach_kprobe(ret, true, fp->func) : NULL;
	} else {
		fp->links[0] = bpf_program__attach_uprobe(entry, false, pid > 0 ? pid : -1, fp->path,
							  fp->offset);
		fp->links[1] = fp->links[0] ? bpf_program__attach_uprobe(ret, true, pid > 0 ? pid : -1,
									 fp->path, fp->offset)
					    : NULL;
	}
	if (fp->links[0] && fp->links[1])
		return 0;
	err = errno;
	funcprobe_detach(fp);
	return cli_fail("attaching to %s failed: %s%s", funcprobe_name(fp), strerror(err),
			fp->kernel ? " (is it a traceable, non-inlined kernel function?)" : "");
}

void funcprobe_detach(struct funcprobe *fp)
{
	for (int i = 0; i < 2; i++) {
		bpf_link__destroy(fp->links[i]);
		fp->links[i] = NULL;
	}
}

const char *funcprobe_name(const struct funcprobe *fp)
{
	static char name[PATH_MAX + 300];

	if (fp->kernel)
		return fp->func;
	snprintf(name, sizeof(name), "%s:%s", fp->path, fp->func);
	return name;
}
