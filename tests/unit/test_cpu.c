/* Unit tests of the CPU and signal commands' pure parts: signal names, jitter's account
 * of who ran during a stall. */
#include <linux/types.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include "lib/signames.h"
#include "cpu/jitter.h"

TEST(signames_names_and_parse)
{
	char buf[32];

	CHECK(strcmp(signal_name(SIGSTOP, buf, sizeof(buf)), "SIGSTOP") == 0);
	CHECK(strcmp(signal_name(SIGKILL, buf, sizeof(buf)), "SIGKILL") == 0);
	CHECK(strcmp(signal_name(0, buf, sizeof(buf)), "SIG0") == 0);
	CHECK(strcmp(signal_name(200, buf, sizeof(buf)), "SIG200") == 0);
	CHECK_EQ_I64(signal_parse("SIGSTOP"), SIGSTOP);
	CHECK_EQ_I64(signal_parse("stop"), SIGSTOP);
	CHECK_EQ_I64(signal_parse("9"), SIGKILL);
	CHECK_EQ_I64(signal_parse("Cont"), SIGCONT);
	CHECK_EQ_I64(signal_parse("SIGNOPE"), -1);
	CHECK_EQ_I64(signal_parse("0"), -1);
	CHECK_EQ_I64(signal_parse("65"), -1);
	CHECK_EQ_I64(signal_parse("9x"), -1);
	CHECK_EQ_I64(signal_parse(""), -1);
	CHECK(strcmp(signal_effect(SIGSTOP), "stops") == 0);
	CHECK(signal_effect(SIGUSR1) == NULL);
}

static void sw(struct jitter_switch *ring, uint64_t i, uint64_t ts, uint32_t prev, uint32_t next,
	       const char *comm)
{
	struct jitter_switch *r = &ring[i & (JITTER_SWITCH_RING - 1)];

	memset(r, 0, sizeof(*r));
	r->ts = ts;
	r->prev_pid = prev;
	r->pid = next;
	snprintf(r->comm, sizeof(r->comm), "%s", comm);
}

/* jitter's "who ran": an interval belongs to the task that left the CPU at its end. This
 * kernel emits sched_switch for a next that never runs (the same prev leaves again, with
 * no switch back): such a task must not be charged with the ticker's own time. */
TEST(jitter_who_ran_charges_the_task_that_left)
{
	static struct jitter_switch ring[JITTER_SWITCH_RING];
	struct jitter_ran ran[8];
	uint64_t idle;
	bool partial;
	int n;

	sw(ring, 0, 100, 5, 0, "swapper/0");   /* the ticker (5) sleeps */
	sw(ring, 1, 200, 0, 5, "jitter/0");    /* and runs again */
	sw(ring, 2, 300, 5, 68, "tokio");      /* a switch to tokio that never happened */
	sw(ring, 3, 400, 5, 68, "tokio");      /* the ticker leaves again: it had kept on */
	sw(ring, 4, 500, 5, 0, "swapper/0");   /* the ticker sleeps */
	sw(ring, 5, 600, 0, 77, "other");
	sw(ring, 6, 700, 77, 5, "jitter/0");
	sw(ring, 7, 900, 5, 0, "swapper/0");   /* after the window */
	n = jitter_who_ran(ring, 8, 150, 800, 5, ran, 8, &partial, &idle);
	CHECK_EQ_I64(n, 1);
	CHECK(n == 1 && ran[0].pid == 77 && strcmp(ran[0].comm, "other") == 0);
	CHECK_EQ_U64(ran[0].ns, 100);
	CHECK_EQ_U64(idle, 150); /* [150,200) and [500,600) */
	CHECK(!partial);

	/* a runner other than the record's next is named from an earlier record */
	sw(ring, 0, 100, 9, 77, "other");
	sw(ring, 1, 200, 77, 68, "tokio");      /* never ran */
	sw(ring, 2, 300, 77, 9, "worker");
	n = jitter_who_ran(ring, 3, 100, 300, 5, ran, 8, &partial, &idle);
	CHECK_EQ_I64(n, 1);
	CHECK(n == 1 && ran[0].pid == 77 && strcmp(ran[0].comm, "other") == 0);
	CHECK_EQ_U64(ran[0].ns, 200);

	/* the newest record before t1 with nothing after it: its own next ran; a ring that
	 * does not reach back to t0 is partial */
	n = jitter_who_ran(ring, 3, 50, 400, 5, ran, 8, &partial, &idle);
	CHECK(partial);
	CHECK_EQ_I64(n, 2);
	CHECK(n == 2 && ran[0].pid == 77 && ran[0].ns == 200 && ran[1].pid == 9 &&
	      ran[1].ns == 100);

	/* a runner the ring never saw switched in (its switch-in was overwritten, or this
	 * kernel's switch to it never happened) is named "?" */
	sw(ring, 0, 100, 9, 77, "other");
	sw(ring, 1, 200, 42, 5, "jitter/0");
	n = jitter_who_ran(ring, 2, 100, 200, 5, ran, 8, &partial, &idle);
	CHECK_EQ_I64(n, 1);
	CHECK(n == 1 && ran[0].pid == 42 && strcmp(ran[0].comm, "?") == 0);
	CHECK_EQ_U64(ran[0].ns, 100);
}
