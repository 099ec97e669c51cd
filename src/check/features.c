/* features: what this kernel lets whyslow do, each probed for real (a dummy program
 * loaded and attached, a map created, a perf event opened), so the answer is the
 * kernel's, not a guess from a version number or a config file. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/out.h"

struct feature_row {
	const char *key;  /* JSON key */
	const char *name; /* text label */
	bool present;
	const char *if_missing; /* what whyslow does without it */
};

static const struct cli_opt options[] = {{0}};

const struct cli_spec features_spec = {
	.name = "features",
	.summary = "what this kernel allows: BTF, tp_btf, kprobes, fentry, uprobes, perf events",
	.usage = "[--json]",
	.description =
		"Probes, by really loading and attaching a dummy program (or creating a map, or\n"
		"opening a perf event), each kernel facility whyslow's commands can use, and says\n"
		"what each command falls back to without it. Tracepoints are the first choice\n"
		"everywhere; kprobes and fentry are optional extras.",
	.opts = options,
	.examples = "  whyslow features\n  whyslow features --json | jq .features\n",
};

static bool have_map(enum bpf_map_type type)
{
	return libbpf_probe_bpf_map_type(type, NULL) == 1;
}

/* Hardware counters: in most VMs the PMU is not passed through, so IPC is unknowable
 * (case C13: CPU utilisation counts stalls as busy, only IPC tells). */
static bool have_hw_counters(void)
{
	struct perf_event_attr attr = {.type = PERF_TYPE_HARDWARE, .size = sizeof(attr),
				       .config = PERF_COUNT_HW_INSTRUCTIONS, .disabled = 1,
				       .exclude_kernel = 1};
	int fd = syscall(__NR_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int cmd_features(int argc, char **argv)
{
	struct cli_common common;
	struct utsname u;
	int err;

	cli_parse(&features_spec, argc, argv, &common, NULL, NULL);
	wbpf_init(common.verbose);
	if ((err = cli_require_root()))
		return err;
	uname(&u);
	struct feature_row rows[] = {
		{"btf", "kernel BTF (/sys/kernel/btf/vmlinux)", access("/sys/kernel/btf/vmlinux", R_OK) == 0,
		 "no BPF command can load (CO-RE needs it)"},
		{"tp_btf", "tp_btf (typed tracepoints)", wbpf_have(WBPF_TP_BTF), "raw_tp fallback, a little slower"},
		{"raw_tp", "raw tracepoints", wbpf_have(WBPF_RAW_TP), "tracepoint commands cannot attach"},
		{"kprobe", "kprobes", wbpf_have(WBPF_KPROBE), "tracepoint paths only (the default anyway)"},
		{"fentry", "fentry/fexit", wbpf_have(WBPF_FENTRY),
		 "tracepoint paths; funclatency on kernel functions unavailable"},
		{"uprobe", "uprobes", wbpf_have(WBPF_UPROBE), "funclatency/funcslower unavailable"},
		{"perf_cpu_clock", "perf cpu-clock sampling", wbpf_have(WBPF_PERF_CLOCK), "profile unavailable"},
		{"hw_counters", "hardware counters (IPC)", have_hw_counters(),
		 "IPC unknowable (a VM?): CPU% counts stalls as busy"},
		{"ringbuf", "ring buffer maps", have_map(BPF_MAP_TYPE_RINGBUF), "per-event commands unavailable"},
		{"task_storage", "task-local storage", have_map(BPF_MAP_TYPE_TASK_STORAGE),
		 "hash maps keyed by thread id instead"},
		{"stack_trace", "stack trace maps", have_map(BPF_MAP_TYPE_STACK_TRACE), "no stacks"},
	};
	size_t n = sizeof(rows) / sizeof(rows[0]);

	if (common.json) {
		struct json j;
		json_begin(&j, stdout, "features");
		json_str(&j, "kernel", u.release);
		json_str(&j, "machine", u.machine);
		json_object_open(&j, "features");
		for (size_t i = 0; i < n; i++)
			json_bool(&j, rows[i].key, rows[i].present);
		json_object_close(&j);
		json_end(&j);
		return 0;
	}
	printf("Kernel %s (%s)\n", u.release, u.machine);
	for (size_t i = 0; i < n; i++)
		if (rows[i].present)
			printf("  %-38s yes\n", rows[i].name);
		else
			printf("  %-38s no  -> %s\n", rows[i].name, rows[i].if_missing);
	return 0;
}
