/* Unit tests of the disk and page-cache commands' pure parts. */
#include <math.h>
#include "unit.h"
#include "mem/cachestat_collect.h"

TEST(cachestat_derive_thrash)
{
	/* measured: 3 reads of 192 MiB through 32 MiB, plus cat's own exec */
	struct cachestat_sample s = {.accessed = 148087, .added = 147456};

	cachestat_derive(&s);
	CHECK_EQ_U64(s.misses, 147456);
	CHECK_EQ_U64(s.hits, 631);
	CHECK_NEAR(s.hit_ratio_pct, 0.4261, 0.001);
}

TEST(cachestat_derive_writes_are_not_misses)
{
	struct cachestat_sample s = {.added = 4096, .write_added = 4096, .dirtied = 4096};

	cachestat_derive(&s);
	CHECK_EQ_U64(s.misses, 0);
	CHECK_EQ_U64(s.hits, 0);
	CHECK(isnan(s.hit_ratio_pct)); /* nothing read: no ratio, not 0% or 100% */
}

TEST(cachestat_derive_readahead_ahead_of_reads)
{
	/* readahead inserted more than was read this interval: no negative hits */
	struct cachestat_sample s = {.accessed = 100, .added = 512};

	cachestat_derive(&s);
	CHECK_EQ_U64(s.hits, 0);
	CHECK_EQ_U64(s.misses, 512);
	CHECK_NEAR(s.hit_ratio_pct, 0.0, 1e-9);
}

TEST(cachestat_derive_all_cached)
{
	struct cachestat_sample s = {.accessed = 81965};

	cachestat_derive(&s);
	CHECK_EQ_U64(s.hits, 81965);
	CHECK_NEAR(s.hit_ratio_pct, 100.0, 1e-9);
}

TEST(cachestat_derive_write_added_beyond_added)
{
	/* an interval boundary between insertion and dirtying: never underflow */
	struct cachestat_sample s = {.accessed = 10, .added = 2, .write_added = 5};

	cachestat_derive(&s);
	CHECK_EQ_U64(s.misses, 0);
	CHECK_EQ_U64(s.hits, 10);
}
