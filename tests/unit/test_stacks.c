/* Stack folding, multi-line printing and folded-line summing, on fixture addresses. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <time.h>
#include "unit.h"
#include "lib/stacks.h"
#include "lib/syms.h"

static struct stack_syms fixture_syms(void)
{
	struct stack_syms ss = {0};
	size_t len;
	char *text = unit_read_fixture("stacks_kallsyms.txt", &len);

	ss.ksyms = text ? ksyms_parse(text, len) : NULL;
	free(text);
	return ss;
}

/* leaf first, as bpf_get_stackid stores them */
static const uint64_t kstack[] = {0xffffffff81300120, 0xffffffff81200810, 0xffffffff81200004,
				  0xffffffff81100410, 0xffffffff81100000};

TEST(stacks_fold_kernel_only)
{
	struct stack_syms ss = fixture_syms();
	struct stack_ref st = {.comm = "sleeper", .pid = 42, .kernel = kstack, .nkernel = 5,
			       .user_err = -EFAULT};
	char *line;

	CHECK(ss.ksyms != NULL);
	line = stack_fold(&ss, &st, false);
	CHECK(line && strcmp(line, "sleeper;entry_SYSCALL_64_[k];do_syscall_64_[k];"
				   "__x64_sys_nanosleep_[k];hrtimer_nanosleep_[k];__schedule_[k]") == 0);
	free(line);
	stack_syms_close(&ss);
}

TEST(stacks_fold_missed_and_unknown)
{
	struct stack_syms ss = fixture_syms();
	const uint64_t k[] = {0x10, 0xffffffff81400001};
	struct stack_ref st = {.comm = "a;b c", .pid = 1, .kernel = k, .nkernel = 2,
			       .user_err = -ENOMEM};
	char *line = stack_fold(&ss, &st, true);

	/* separators inside names are replaced; an address below every symbol is unknown */
	CHECK(line && strcmp(line, "a:b c;[Missed User Stack];-;odd:name_[k];"
				   "[unknown]_[k]") == 0);
	free(line);
	stack_syms_close(&ss);
}

TEST(stacks_fold_no_symbols)
{
	struct stack_syms ss = {0};
	const uint64_t u[] = {0x401000, 0x402000};
	struct stack_ref st = {.comm = "", .pid = 999999, .user = u, .nuser = 2,
			       .kernel_err = -EFAULT};
	char *line = stack_fold(&ss, &st, false);

	CHECK(line && strcmp(line, "[unknown];[unknown];[unknown]") == 0);
	free(line);
}

static __attribute__((noinline)) int stacks_known_function(int x)
{
	return x * 3 + 1;
}

TEST(stacks_user_frame_of_self)
{
	struct stack_syms ss;
	char buf[256];
	volatile int sink = stacks_known_function(2);

	(void)sink;
	stack_syms_open(&ss, false, true);
	CHECK(ss.usyms != NULL);
	const char *name;

	name = stack_user_frame(&ss, getpid(), (uint64_t)(uintptr_t)stacks_known_function + 2, buf,
				sizeof(buf));
	CHECK(strcmp(name, "stacks_known_function") == 0);
	ss.offsets = true;
	name = stack_user_frame(&ss, getpid(), (uint64_t)(uintptr_t)stacks_known_function + 2, buf,
				sizeof(buf));
	CHECK(strcmp(name, "stacks_known_function+0x2") == 0);
	/* a PID that does not exist degrades, never crashes */
	name = stack_user_frame(&ss, 0x3fffffff, 0x401000, buf, sizeof(buf));
	CHECK(strcmp(name, "[unknown]") == 0);
	stack_syms_close(&ss);
}

TEST(stacks_print_bcc_style)
{
	struct stack_syms ss = fixture_syms();
	const uint64_t u[] = {0x1};
	struct stack_ref st = {.comm = "cat", .pid = 7, .kernel = kstack, .nkernel = 2,
			       .user = u, .nuser = 1};
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	stack_print(&ss, &st, 123, f);
	fclose(f);
	CHECK(out && strcmp(out, "    __schedule\n    hrtimer_nanosleep\n    --\n    [unknown]\n"
				 "    -                cat (7)\n        123\n\n") == 0);
	free(out);
	stack_syms_close(&ss);
}

TEST(stacks_depth)
{
	const uint64_t ips[5] = {1, 2, 3, 0, 0};

	CHECK_EQ_U64(stack_depth(ips, 5), 3);
	CHECK_EQ_U64(stack_depth(ips, 2), 2);
}

TEST(stacks_folded_set_sums_and_sorts)
{
	struct folded_set fs;
	char *out = NULL, line[64];
	size_t len = 0;
	FILE *f;

	folded_set_init(&fs);
	CHECK_EQ_I64(folded_set_add(&fs, "b;x", 2), 0);
	CHECK_EQ_I64(folded_set_add(&fs, "a;y", 1), 0);
	CHECK_EQ_I64(folded_set_add(&fs, "b;x", 5), 0);
	for (int i = 0; i < 1000; i++) { /* forces rehashing */
		snprintf(line, sizeof(line), "z;%d", i);
		folded_set_add(&fs, line, 1);
	}
	CHECK_EQ_U64(fs.n, 1002);
	folded_set_sort(&fs, true);
	CHECK(strcmp(fs.entries[0].line, "b;x") == 0);
	CHECK_EQ_U64(fs.entries[0].count, 7);
	/* still found after sorting moved the entries */
	folded_set_add(&fs, "a;y", 1);
	CHECK_EQ_U64(fs.n, 1002);
	folded_set_sort(&fs, false);
	CHECK(strcmp(fs.entries[0].line, "a;y") == 0);
	CHECK_EQ_U64(fs.entries[0].count, 2);
	f = open_memstream(&out, &len);
	folded_set_write(&fs, f);
	fclose(f);
	CHECK(out && strncmp(out, "a;y 2\nb;x 7\nz;0 1\n", 18) == 0);
	free(out);
	folded_set_free(&fs);
}

TEST(stacks_skip_tracing_glue)
{
	struct stack_syms ss = fixture_syms();
	/* leaf first: the BPF program, its runner and the tracepoint iterator, then __schedule */
	const uint64_t k[] = {0xffffffffa0000010, 0xffffffff81500110, 0xffffffff81500010,
			      0xffffffff81300120, 0xffffffff81200810};
	struct stack_ref st = {.comm = "x", .pid = 1, .kernel = k, .nkernel = 5,
			       .user_err = -EFAULT};
	char *line = stack_fold(&ss, &st, false);

	CHECK(line && strcmp(line, "x;hrtimer_nanosleep_[k];__schedule_[k]") == 0);
	free(line);
	/* a program loaded after kallsyms was read has no symbol: it sits in the gap after
	 * the core kernel, which no core symbol may claim; it is glue before the runner */
	{
		const uint64_t late[] = {0xffffffff90000010, 0xffffffff81500110, 0xffffffff81300120};
		struct stack_ref st2 = {.comm = "x", .pid = 1, .kernel = late, .nkernel = 3,
					.user_err = -EFAULT};

		line = stack_fold(&ss, &st2, false);
		CHECK(line && strcmp(line, "x;__schedule_[k]") == 0);
		free(line);
		/* an unknown frame that no glue follows is shown */
		st2.nkernel = 2;
		st2.kernel = (const uint64_t[]){0xffffffff90000010, 0xffffffff81300120};
		line = stack_fold(&ss, &st2, false);
		CHECK(line && strcmp(line, "x;__schedule_[k];[unknown]_[k]") == 0);
		free(line);
	}
	/* a stack of glue only is shown as it is */
	st.nkernel = 2;
	line = stack_fold(&ss, &st, false);
	CHECK(line && strcmp(line, "x;bpf_trace_run4_[k];bpf_prog_4a6c8f69796eb4d_switch_btf_[k]") == 0);
	free(line);
	stack_syms_close(&ss);
}

/* Cost of symbolizing: 100,000 stacks of 12 kernel frames (random text addresses of the
 * running kernel) and 4 user frames (this binary), folded and summed. The target is under
 * a second; the check is looser so that a loaded CI machine does not fail it. */
TEST(stacks_symbolize_100k)
{
	struct stack_syms ss;
	struct stack_samples samples = {0};
	struct folded_set fs;
	uint64_t text_lo, text_hi, k[12], u[4], seed = 42;
	struct timespec t0, t1;
	double secs;

	if (stack_syms_open(&ss, true, true) || !(text_lo = ksyms_addr(ss.ksyms, "_stext")) ||
	    !(text_hi = ksyms_addr(ss.ksyms, "_etext")) || text_hi <= text_lo) {
		printf("    (skipped: kallsyms addresses not readable)\n");
		stack_syms_close(&ss);
		return;
	}
	u[0] = (uint64_t)(uintptr_t)stacks_known_function + 1;
	u[1] = (uint64_t)(uintptr_t)fixture_syms + 1;
	u[2] = (uint64_t)(uintptr_t)stack_fold + 1;
	u[3] = (uint64_t)(uintptr_t)folded_set_add + 1;
	for (int i = 0; i < 100000; i++) {
		struct stack_ref st = {.comm = "bench", .pid = getpid(), .user = u, .nuser = 4,
				       .kernel = k, .nkernel = 12};
		for (int f = 0; f < 12; f++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			k[f] = text_lo + (seed >> 11) % (text_hi - text_lo);
		}
		CHECK_EQ_I64(stack_samples_add(&samples, &st, 1), 0);
	}
	folded_set_init(&fs);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ_I64(stack_samples_fold(&ss, &samples, false, &fs), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("    symbolized and folded 100000 stacks (1.6 M frames) in %.3f s, %zu lines\n",
	       secs, fs.n);
#if defined(__SANITIZE_ADDRESS__)
	(void)secs; /* sanitized builds run several times slower: time is not judged */
#else
	CHECK(secs < 5.0);
#endif
	CHECK(fs.n > 90000);
	folded_set_free(&fs);
	stack_samples_free(&samples);
	stack_syms_close(&ss);
}
