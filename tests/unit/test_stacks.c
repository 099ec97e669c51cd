/* Stack folding, multi-line printing and folded-line summing, on fixture addresses. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
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

/* Ids of a DEFINE_STACK_MAPS pair: the high bit names the fallback map, errors stay errors. */
TEST(stacks_id_key_decodes_fallback)
{
	bool fallback = true;

	CHECK_EQ_I64(stack_id_key(0, &fallback), 0);
	CHECK(!fallback);
	CHECK_EQ_I64(stack_id_key(16383, &fallback), 16383);
	CHECK(!fallback);
	CHECK_EQ_I64(stack_id_key(STACK_ID_FALLBACK | 4095, &fallback), 4095);
	CHECK(fallback);
	CHECK_EQ_I64(stack_id_key(STACK_ID_FALLBACK, &fallback), 0);
	CHECK(fallback);
	CHECK_EQ_I64(stack_id_key(-EEXIST, &fallback), -1);
	CHECK(!fallback);
	CHECK_EQ_I64(stack_id_key(-EFAULT, &fallback), -1);
	CHECK(!fallback);
	/* the bit leaves a 32-bit id positive: struct stack_key holds __s32 ids */
	CHECK((int32_t)(STACK_ID_FALLBACK | 16383) > 0);
}

/* A hash of u32 -> STACK_MAX_DEPTH addresses stands in for a stack-trace map (user space
 * cannot write those): stack_map_read and stack_map_clear only look up, walk and delete. */
static int fake_stack_map(uint32_t key, uint64_t first_ip, unsigned depth)
{
	uint64_t ips[STACK_MAX_DEPTH] = {0};
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, NULL, sizeof(uint32_t), sizeof(ips), 16, NULL);

	for (unsigned i = 0; i < depth; i++)
		ips[i] = first_ip + i;
	if (fd >= 0 && bpf_map_update_elem(fd, &key, ips, BPF_ANY)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void add_count(int fd, uint32_t pid, int32_t user_id, int32_t kernel_id, uint64_t n)
{
	struct stack_key key = {.pid = pid, .user_stack_id = user_id, .kernel_stack_id = kernel_id};
	int ncpus = libbpf_num_possible_cpus();
	uint64_t *values = calloc(ncpus > 0 ? ncpus : 1, sizeof(*values));

	snprintf(key.comm, sizeof(key.comm), "t%u", pid);
	values[0] = n; /* the sum over CPUs is what counts */
	CHECK(bpf_map_update_elem(fd, &key, values, BPF_ANY) == 0);
	free(values);
}

static const struct stack_sample *sample_of(const struct stack_samples *s, pid_t pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->items[i].pid == pid)
			return &s->items[i];
	return NULL;
}

/* One bucket index in both maps, different stacks: the fallback bit picks the map; a
 * stack refused by both is a missed one; reading clears both maps. Needs root (BPF maps). */
TEST(stacks_counts_read_with_fallback)
{
	int stacks = fake_stack_map(5, 0x1000, 3), fallback = fake_stack_map(5, 0x2000, 2);
	int counts = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, NULL, sizeof(struct stack_key),
				    sizeof(uint64_t), 16, NULL);
	const struct stack_sample *a, *b, *c;
	struct stack_samples s = {0};
	uint64_t ips[STACK_MAX_DEPTH], missed = 0;
	uint32_t key;

	if (stacks < 0 || fallback < 0 || counts < 0) {
		printf("    (skipped: creating BPF maps needs root)\n");
		goto out;
	}
	CHECK_EQ_U64(stack_map_read(stacks, fallback, 5, ips), 3);
	CHECK_EQ_U64(ips[0], 0x1000);
	CHECK_EQ_U64(stack_map_read(stacks, fallback, STACK_ID_FALLBACK | 5, ips), 2);
	CHECK_EQ_U64(ips[0], 0x2000);
	CHECK_EQ_U64(stack_map_read(stacks, -1, STACK_ID_FALLBACK | 5, ips), 0);
	CHECK_EQ_U64(stack_map_read(stacks, fallback, -EEXIST, ips), 0);
	CHECK_EQ_U64(stack_map_read(stacks, fallback, 6, ips), 0);

	add_count(counts, 1, 5, -EFAULT, 10);
	add_count(counts, 2, STACK_ID_FALLBACK | 5, -EFAULT, 20);
	add_count(counts, 3, -EEXIST, STACK_ID_FALLBACK | 5, 30);
	CHECK(stack_counts_read(counts, stacks, fallback, &s, &missed) == 0);
	CHECK_EQ_U64(s.n, 3);
	CHECK_EQ_U64(missed, 30);
	a = sample_of(&s, 1), b = sample_of(&s, 2), c = sample_of(&s, 3);
	CHECK(a && a->nuser == 3 && a->user[0] == 0x1000 && a->nkernel == 0 && !a->user_err);
	CHECK(b && b->nuser == 2 && b->user[0] == 0x2000 && b->value == 20);
	CHECK(c && c->nuser == 0 && c->user_err == -EEXIST && c->nkernel == 2 &&
	      c->kernel[0] == 0x2000);
	CHECK(bpf_map_get_next_key(stacks, NULL, &key) == -ENOENT);
	CHECK(bpf_map_get_next_key(fallback, NULL, &key) == -ENOENT);
out:
	stack_samples_free(&s);
	if (stacks >= 0)
		close(stacks);
	if (fallback >= 0)
		close(fallback);
	if (counts >= 0)
		close(counts);
}
