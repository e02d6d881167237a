// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include "igt_core.h"
#include "igt_stats.h"

void igt_stats_init_with_size(igt_stats_t *stats, unsigned int capacity)
{
	memset(stats, 0, sizeof(*stats));
	stats->capacity = capacity ?: 128;
	stats->values_u64 = calloc(stats->capacity, sizeof(uint64_t));
	igt_assert(stats->values_u64);
	stats->min = UINT64_MAX;
}

void igt_stats_fini(igt_stats_t *stats)
{
	free(stats->values_u64);
	stats->values_u64 = NULL;
}

void igt_stats_push(igt_stats_t *stats, uint64_t value)
{
	if (stats->n_values == stats->capacity) {
		stats->capacity *= 2;
		stats->values_u64 = realloc(stats->values_u64,
					    stats->capacity * sizeof(uint64_t));
		igt_assert(stats->values_u64);
	}
	stats->values_u64[stats->n_values++] = value;
	stats->sorted = false;
	if (value < stats->min)
		stats->min = value;
	if (value > stats->max)
		stats->max = value;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void sort_values(igt_stats_t *stats)
{
	if (!stats->sorted) {
		qsort(stats->values_u64, stats->n_values, sizeof(uint64_t), cmp_u64);
		stats->sorted = true;
	}
}

/* Median of the sorted values in [start, end). */
static double median_of(const uint64_t *v, unsigned int start, unsigned int end)
{
	unsigned int n = end - start, mid = start + n / 2;

	if (!n)
		return 0;
	return n % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2.0;
}

double igt_stats_get_median(igt_stats_t *stats)
{
	sort_values(stats);
	return median_of(stats->values_u64, 0, stats->n_values);
}
