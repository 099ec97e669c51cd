/* Generates folded stacks for the flame graph benchmark (bench/render/run.sh).
 *   gen_folded shared LINES [SEED]   realistic: each line keeps most of the previous
 *                                    stack and replaces a few leaf frames, as sorted
 *                                    profiles do; callees depend on their caller, so the
 *                                    tree merges as real call trees do, and the leaf is
 *                                    drawn from the whole pool, so (as in collapsed
 *                                    output) nearly every line is a distinct stack
 *   gen_folded unique LINES [SEED]   worst case: every line a fresh random stack, no
 *                                    prefix shared with the previous line, so distinct
 *                                    frames grow with lines
 * Lines average about 900 bytes and depth 28 (20..36), names of 18..40 characters drawn
 * from a pool of 50000; shared stacks start over from a new root one line in a thousand. Output is deterministic for a seed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POOL 50000
#define MAXDEPTH 40

static uint64_t rng_state = 0x853c49e6748fea9bull;

static uint64_t rnd(void)
{
	/* xorshift64*: fast, deterministic, good enough for test data */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static char *pool[POOL];
static size_t pool_len[POOL];

static void make_pool(void)
{
	static const char *prefix[] = {"ext4_", "tcp_", "__x64_sys_", "java/lang/", "std::",
				       "do_", "vfs_", "mysql_", "ngx_http_", "v8::internal::",
				       "__libc_", "blk_mq_", "sched_", "net_rx_", "Lcom/example/"};
	static const char *syl[] = {"read", "write", "alloc", "free", "lock", "unlock", "page",
				    "fault", "queue", "poll", "wait", "wake", "send", "recv", "map",
				    "hash", "find", "insert", "commit", "flush", "sync", "iter",
				    "buffer", "entry", "node", "_", "_", "Handler", "Request"};
	for (int i = 0; i < POOL; i++) {
		char buf[64];
		size_t target = 17 + rnd() % 20, n;
		n = snprintf(buf, sizeof(buf), "%s", prefix[rnd() % 15]);
		while (n < target) {
			const char *s = syl[rnd() % 29];
			size_t l = strlen(s);
			if (n + l >= sizeof(buf) - 8)
				break;
			memcpy(buf + n, s, l);
			n += l;
		}
		n += snprintf(buf + n, sizeof(buf) - n, "%x", i); /* unique */
		pool[i] = malloc(n + 1);
		memcpy(pool[i], buf, n + 1);
		pool_len[i] = n;
	}
}

int main(int argc, char **argv)
{
	unsigned stack[MAXDEPTH], depth = 0;
	unsigned long lines;
	int shared;
	static char out[1 << 16];

	if (argc < 3 || (strcmp(argv[1], "shared") && strcmp(argv[1], "unique"))) {
		fprintf(stderr, "usage: gen_folded shared|unique LINES [SEED]\n");
		return 2;
	}
	shared = strcmp(argv[1], "shared") == 0;
	lines = strtoul(argv[2], NULL, 10);
	if (argc > 3)
		rng_state ^= strtoull(argv[3], NULL, 10) * 0x9e3779b97f4a7c15ull;
	make_pool();
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	for (unsigned long l = 0; l < lines; l++) {
		unsigned target = 20 + rnd() % 17, keep = 0;
		if (shared && depth && rnd() % 1000) {
			unsigned drop = 1 + rnd() % 3; /* replace a few leaf frames */
			while (rnd() % 4 == 0 && drop < depth)
				drop++;
			keep = depth > drop ? depth - drop : 1;
			if (keep > target)
				keep = target;
		}
		depth = keep;
		while (depth < target) {
			if (shared && depth > 0 && depth + 1 < target) {
				/* children depend on the parent: few distinct callees per caller */
				uint64_t h = stack[depth - 1] * 0x9e3779b97f4a7c15ull + rnd() % 6;
				stack[depth] = (unsigned)((h >> 17) % POOL);
			} else {
				stack[depth] = rnd() % POOL;
			}
			depth++;
		}
		size_t n = 0;
		for (unsigned d = 0; d < depth; d++) {
			if (d)
				out[n++] = ';';
			memcpy(out + n, pool[stack[d]], pool_len[stack[d]]);
			n += pool_len[stack[d]];
		}
		n += snprintf(out + n, sizeof(out) - n, " %u\n", 1 + (unsigned)(rnd() % 100));
		fwrite(out, 1, n, stdout);
	}
	return 0;
}
