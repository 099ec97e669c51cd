/* Attaches empty BPF programs to the hooks named on the command line and waits for
 * Ctrl-C: the floor that bench/bpfcost.sh compares tracers against.
 *   floor tp_btf:sched_switch raw_tp:block_rq_issue ... */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "floor.skel.h"

static int attach_one(const char *spec, struct floor_bpf **out, struct bpf_link **link)
{
	const char *colon = strchr(spec, ':');
	bool btf = strncmp(spec, "tp_btf:", 7) == 0;
	struct floor_bpf *skel;
	int err;

	if (!colon || (!btf && strncmp(spec, "raw_tp:", 7) != 0)) {
		fprintf(stderr, "floor: '%s': expected tp_btf:NAME or raw_tp:NAME\n", spec);
		return -EINVAL;
	}
	if (!(skel = floor_bpf__open()))
		return -errno;
	*out = skel;
	bpf_program__set_autoload(btf ? skel->progs.floor_raw : skel->progs.floor_btf, false);
	if (btf)
		bpf_program__set_attach_target(skel->progs.floor_btf, 0, colon + 1);
	if ((err = floor_bpf__load(skel)))
		return err;
	*link = btf ? bpf_program__attach(skel->progs.floor_btf)
		    : bpf_program__attach_raw_tracepoint(skel->progs.floor_raw, colon + 1);
	return *link ? 0 : -errno;
}

int main(int argc, char **argv)
{
	struct floor_bpf *skels[64] = {0};
	struct bpf_link *links[64] = {0};
	int n = argc - 1 < 64 ? argc - 1 : 64, err = 0;

	cli_command = "floor";
	wbpf_init(false);
	for (int i = 0; i < n && !err; i++)
		if ((err = attach_one(argv[i + 1], &skels[i], &links[i])))
			fprintf(stderr, "floor: %s: %s\n", argv[i + 1], strerror(-err));
	if (!err) {
		fprintf(stderr, "Tracing %d empty program(s). Ctrl-C to end.\n", n);
		cli_install_signals();
		while (!cli_stop)
			pause();
	}
	for (int i = 0; i < n; i++) {
		bpf_link__destroy(links[i]);
		floor_bpf__destroy(skels[i]);
	}
	return err ? 1 : 0;
}
