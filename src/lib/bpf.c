/* BPF helpers; see bpf.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "feature.skel.h"

static bool log_verbose;
static char log_tail[2048]; /* the last lines libbpf printed, for error messages */

static int route_libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];
	size_t n, have;

	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_verbose) {
		fputs(line, stderr);
		return 0;
	}
	if (level == LIBBPF_DEBUG)
		return 0;
	n = strlen(line);
	have = strlen(log_tail);
	if (have + n >= sizeof(log_tail)) { /* keep the newest text */
		size_t drop = have + n - sizeof(log_tail) + 1;
		if (drop > have)
			drop = have;
		memmove(log_tail, log_tail + drop, have - drop + 1);
	}
	strncat(log_tail, line, sizeof(log_tail) - strlen(log_tail) - 1);
	return 0;
}

void wbpf_init(bool verbose)
{
	log_verbose = verbose;
	libbpf_set_print(route_libbpf_log);
}

const char *wbpf_last_log(void)
{
	return log_tail;
}

int wbpf_check_prereqs(void)
{
	if (cli_require_root())
		return EXIT_RUNTIME;
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
		return cli_fail("this kernel has no BTF (/sys/kernel/btf/vmlinux): it needs "
				"CONFIG_DEBUG_INFO_BTF=y (most distribution kernels have it)");
	return 0;
}

/* The kernel's BTF blob, read once: its string table holds "btf_trace_<name>" for every
 * tracepoint, which answers "does this tracepoint exist" without tracefs. */
static const char *vmlinux_btf(size_t *len)
{
	static char *data;
	static size_t size;
	int fd;

	if (!data && (fd = open("/sys/kernel/btf/vmlinux", O_RDONLY)) >= 0) {
		size_t cap = 8 << 20;
		ssize_t n;
		data = malloc(cap);
		while (data && (n = read(fd, data + size, cap - size)) > 0) {
			size += n;
			if (size == cap) {
				char *bigger = realloc(data, cap *= 2);
				if (!bigger) {
					free(data);
					data = NULL;
				}
				data = bigger;
			}
		}
		close(fd);
	}
	*len = size;
	return data;
}

bool wbpf_tracepoint_exists(const char *category, const char *name)
{
	char path[256], needle[128];
	struct stat st;
	const char *btf;
	size_t len, n;

	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%s/%s", category, name);
	if (stat(path, &st) == 0)
		return true;
	n = (size_t)snprintf(needle, sizeof(needle), "btf_trace_%s", name) + 1; /* with NUL */
	btf = vmlinux_btf(&len);
	return btf && memmem(btf, len, needle, n) != NULL;
}

int wbpf_require_tracepoints(const char *const *pairs)
{
	for (; pairs[0] && pairs[1]; pairs += 2)
		if (!wbpf_tracepoint_exists(pairs[0], pairs[1]))
			return cli_fail("this kernel lacks tracepoint %s:%s, which this command needs "
					"(see /sys/kernel/tracing/events/%s)", pairs[0], pairs[1], pairs[0]);
	return 0;
}

static const char *feature_names[WBPF_FEATURE_COUNT] = {"tp_btf", "raw_tp", "kprobe", "fentry", "uprobe", "perf_cpu_clock"};

const char *wbpf_feature_name(enum wbpf_feature f)
{
	return f < WBPF_FEATURE_COUNT ? feature_names[f] : "?";
}

/* A function of our own for the uprobe probe to attach to. */
__attribute__((noinline)) int wbpf_uprobe_target(int x)
{
	__asm__ volatile("" ::: "memory");
	return x + 1;
}

/* Attaches the loaded probe program of feature f; NULL if the kernel refuses. */
static struct bpf_link *attach_probe(struct bpf_program *prog, enum wbpf_feature f, int *perf_fd)
{
	struct perf_event_attr attr = {.type = PERF_TYPE_SOFTWARE, .size = sizeof(attr),
				       .config = PERF_COUNT_SW_CPU_CLOCK, .sample_freq = 1,
				       .freq = 1};
	LIBBPF_OPTS(bpf_uprobe_opts, uopts, .func_name = "wbpf_uprobe_target");

	switch (f) {
	case WBPF_UPROBE: {
		/* our own function first; a stripped binary falls back to libc's getpid */
		struct bpf_link *l = bpf_program__attach_uprobe_opts(prog, getpid(), "/proc/self/exe", 0, &uopts);
		if (!l) {
			uopts.func_name = "getpid";
			l = bpf_program__attach_uprobe_opts(prog, getpid(), "libc.so.6", 0, &uopts);
		}
		return l;
	}
	case WBPF_PERF_CLOCK:
		*perf_fd = syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
		return *perf_fd < 0 ? NULL : bpf_program__attach_perf_event(prog, *perf_fd);
	default:
		return bpf_program__attach(prog);
	}
}

static bool probe_feature(enum wbpf_feature f)
{
	struct feature_bpf *skel = feature_bpf__open();
	struct bpf_program *progs[WBPF_FEATURE_COUNT];
	struct bpf_link *link;
	int perf_fd = -1;
	bool ok = false;

	if (!skel)
		return false;
	progs[WBPF_TP_BTF] = skel->progs.probe_tp_btf;
	progs[WBPF_RAW_TP] = skel->progs.probe_raw_tp;
	progs[WBPF_KPROBE] = skel->progs.probe_kprobe;
	progs[WBPF_FENTRY] = skel->progs.probe_fentry;
	progs[WBPF_UPROBE] = skel->progs.probe_uprobe;
	progs[WBPF_PERF_CLOCK] = skel->progs.probe_perf_event;
	for (int i = 0; i < WBPF_FEATURE_COUNT; i++)
		bpf_program__set_autoload(progs[i], i == (int)f);
	if (feature_bpf__load(skel) == 0) {
		link = attach_probe(progs[f], f, &perf_fd);
		ok = link != NULL;
		bpf_link__destroy(link);
	}
	if (perf_fd >= 0)
		close(perf_fd);
	feature_bpf__destroy(skel);
	return ok;
}

bool wbpf_have(enum wbpf_feature f)
{
	static signed char cache[WBPF_FEATURE_COUNT]; /* 0 unknown, 1 yes, -1 no */

	if (f >= WBPF_FEATURE_COUNT)
		return false;
	if (!cache[f])
		cache[f] = probe_feature(f) ? 1 : -1;
	return cache[f] > 0;
}

bool wbpf_prefer_tp_btf(void)
{
	const char *force = getenv("WHYSLOW_FORCE_RAW_TP");

	return !(force && *force && strcmp(force, "0") != 0);
}

bool wbpf_pick(struct bpf_program *tp_btf_prog, struct bpf_program *raw_tp_prog, bool use_btf)
{
	bpf_program__set_autoload(tp_btf_prog, use_btf);
	bpf_program__set_autoload(raw_tp_prog, !use_btf);
	return use_btf;
}

void wbpf_pick_optional(struct bpf_program *tp_btf_prog, struct bpf_program *raw_tp_prog,
			bool use_btf, bool want, const char *category, const char *name)
{
	if (want && wbpf_tracepoint_exists(category, name)) {
		wbpf_pick(tp_btf_prog, raw_tp_prog, use_btf);
		return;
	}
	bpf_program__set_autoload(tp_btf_prog, false);
	bpf_program__set_autoload(raw_tp_prog, false);
}

int wbpf_load_error(const char *what, int err)
{
	const char *tail = log_tail, *p;

	/* the last non-empty line of libbpf's log usually names the cause */
	while ((p = strchr(tail, '\n')) && p[1])
		tail = p + 1;
	if (err == -EPERM || err == -EACCES)
		return cli_fail("loading %s was refused (%s): run as root with CAP_BPF and CAP_PERFMON",
				what, strerror(-err));
	return cli_fail("loading %s failed: %s%s%.*s (run with -v for libbpf's log)", what,
			strerror(err < 0 ? -err : err), *tail ? ": " : "",
			(int)strcspn(tail, "\n"), tail);
}

int wbpf_ncpus(void)
{
	static int n;

	if (!n) {
		n = libbpf_num_possible_cpus();
		if (n <= 0)
			n = 1;
	}
	return n;
}

int wbpf_percpu_sum(int map_fd, const void *key, uint64_t *out, unsigned n)
{
	int ncpus = wbpf_ncpus();
	uint64_t *vals = calloc((size_t)ncpus * n, sizeof(uint64_t));
	int err;

	if (!vals)
		return -ENOMEM;
	memset(out, 0, n * sizeof(uint64_t));
	err = bpf_map_lookup_elem(map_fd, key, vals);
	if (!err)
		for (int cpu = 0; cpu < ncpus; cpu++)
			for (unsigned i = 0; i < n; i++)
				out[i] += vals[(size_t)cpu * n + i];
	free(vals);
	return err ? -errno : 0;
}

int wbpf_percpu_zero(int map_fd, const void *key, unsigned n)
{
	uint64_t *vals = calloc((size_t)wbpf_ncpus() * n, sizeof(uint64_t));
	int err;

	if (!vals)
		return -ENOMEM;
	err = bpf_map_update_elem(map_fd, key, vals, BPF_EXIST);
	free(vals);
	return err ? -errno : 0;
}

/* Reads one element; per-CPU values are summed word by word into out. */
static int read_value(int fd, const void *key, void *out, size_t value_size, bool percpu,
		      void *scratch)
{
	if (!percpu)
		return bpf_map_lookup_elem(fd, key, out);
	if (bpf_map_lookup_elem(fd, key, scratch))
		return -1;
	size_t words = value_size / 8;
	uint64_t *sum = out;
	const uint64_t *v = scratch;
	memset(out, 0, value_size);
	for (int cpu = 0; cpu < wbpf_ncpus(); cpu++)
		for (size_t i = 0; i < words; i++)
			sum[i] += v[(size_t)cpu * words + i];
	return 0;
}

int wbpf_hash_walk(int fd, size_t key_size, size_t value_size, bool percpu, bool clear,
		   wbpf_walk_fn fn, void *ctx)
{
	size_t cap = 256, n = 0;
	char *keys = malloc(cap * key_size), *prev = NULL;
	char *value = malloc(value_size);
	char *scratch = percpu ? malloc(value_size * wbpf_ncpus()) : NULL;
	int count = 0;

	if (!keys || !value || (percpu && !scratch)) {
		count = -ENOMEM;
		goto out;
	}
	/* collect the keys first: deleting while iterating would restart the walk */
	while (bpf_map_get_next_key(fd, prev, keys + n * key_size) == 0) {
		prev = keys + n * key_size;
		if (++n == cap) {
			char *bigger = realloc(keys, (cap *= 2) * key_size);
			if (!bigger) {
				count = -ENOMEM;
				goto out;
			}
			keys = bigger;
			prev = keys + (n - 1) * key_size;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const char *key = keys + i * key_size;
		if (read_value(fd, key, value, value_size, percpu, scratch) == 0) {
			fn(key, value, ctx);
			count++;
		}
		if (clear)
			bpf_map_delete_elem(fd, key);
	}
out:
	free(keys);
	free(value);
	free(scratch);
	return count;
}

uint64_t wbpf_lost_events(int lost_map_fd)
{
	uint64_t lost = 0;
	uint32_t zero = 0;

	if (lost_map_fd >= 0)
		wbpf_percpu_sum(lost_map_fd, &zero, &lost, 1);
	return lost;
}

uint64_t wbpf_recursion_misses(struct bpf_object *obj)
{
	struct bpf_program *prog;
	uint64_t misses = 0;

	bpf_object__for_each_program(prog, obj) {
		struct bpf_prog_info info = {0};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
			misses += info.recursion_misses;
	}
	return misses;
}
