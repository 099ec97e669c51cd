/* Sorting rows that may not exist yet. qsort's base is declared never null, and a table
 * that stayed empty (no process matched, a map with nothing in it) is a NULL pointer with
 * 0 rows: UBSan rightly stops there. Every table is sorted through sort_rows. */
#ifndef WHYSLOW_LIB_SORT_H
#define WHYSLOW_LIB_SORT_H

#include <stdlib.h>

static inline void sort_rows(void *base, size_t n, size_t size,
			     int (*cmp)(const void *, const void *))
{
	if (base && n > 1)
		qsort(base, n, size, cmp);
}

#endif
