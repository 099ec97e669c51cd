/* Loading the TCP state-change object shared by tcplife and tcpconnect; see tcpstate.h. */
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "lib/bpf.h"
#include "lib/cli.h"
#include "lib/inet.h"
#include "net/tcpstate.h"
#include "tcpstate.skel.h"

static int load_once(struct tcpstate *ts, const struct tcpstate_opts *o, bool use_btf)
{
	struct tcpstate_bpf *skel = tcpstate_bpf__open();
	int err;

	ts->skel = skel;
	if (!skel)
		return -errno;
	skel->rodata->targ_mode = o->mode;
	skel->rodata->filter_tgid = o->pid > 0;
	skel->rodata->targ_tgid = (uint32_t)o->pid;
	skel->rodata->targ_family = (uint16_t)o->family;
	for (int i = 0; i < TCPSTATE_MAX_PORTS; i++) {
		skel->rodata->targ_lports[i] = o->lports[i];
		skel->rodata->targ_rports[i] = o->rports[i];
	}
	wbpf_pick(skel->progs.set_state_btf, skel->progs.set_state_raw, use_btf);
	err = tcpstate_bpf__load(skel);
	if (!err)
		err = tcpstate_bpf__attach(skel);
	return err;
}

int tcpstate_open(struct tcpstate *ts, const struct tcpstate_opts *opts, const char *what,
		  int (*on_event)(void *ctx, void *data, size_t size), void *ctx)
{
	static const char *const tracepoints[] = {"sock", "inet_sock_set_state", NULL};
	bool use_btf = wbpf_prefer_tp_btf();
	int err;

	if ((err = wbpf_check_prereqs()) || (err = wbpf_require_tracepoints(tracepoints)))
		return err;
	err = load_once(ts, opts, use_btf);
	if (err && use_btf) { /* tp_btf refused: raw tracepoints */
		tcpstate_bpf__destroy(ts->skel);
		err = load_once(ts, opts, false);
	}
	if (err) {
		tcpstate_bpf__destroy(ts->skel);
		ts->skel = NULL;
		return wbpf_load_error(what, err);
	}
	ts->rb = ring_buffer__new(bpf_map__fd(ts->skel->maps.events), on_event, ctx, NULL);
	if (!ts->rb)
		return cli_fail("creating the ring buffer failed: %s", strerror(errno));
	return 0;
}

uint64_t tcpstate_lost(const struct tcpstate *ts)
{
	return wbpf_lost_events(bpf_map__fd(ts->skel->maps.lost));
}

void tcpstate_close(struct tcpstate *ts)
{
	ring_buffer__free(ts->rb);
	tcpstate_bpf__destroy(ts->skel);
	ts->rb = NULL;
	ts->skel = NULL;
}

void tcpstate_parse_ports(const char *s, char opt, uint16_t *ports)
{
	if (inet_parse_ports(s, ports, TCPSTATE_MAX_PORTS) < 0)
		cli_usage_error("-%c wants up to %d ports 1-65535 separated by commas, not '%s'", opt,
				TCPSTATE_MAX_PORTS, s);
}
