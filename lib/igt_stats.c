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

void igt_stats_init(igt_stats_t *stats)
{
	igt_stats_init_with_size(stats, 0);
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

uint64_t igt_stats_get_min(igt_stats_t *stats)
{
	return stats->min;
}

uint64_t igt_stats_get_max(igt_stats_t *stats)
{
	return stats->max;
}

double igt_stats_get_mean(igt_stats_t *stats)
{
	double sum = 0;
	unsigned int i;

	for (i = 0; i < stats->n_values; i++)
		sum += stats->values_u64[i];
	return stats->n_values ? sum / stats->n_values : 0;
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

void igt_stats_get_quartiles(igt_stats_t *stats, double *q1, double *q2, double *q3)
{
	unsigned int n = stats->n_values;

	sort_values(stats);
	*q1 = median_of(stats->values_u64, 0, n / 2);
	*q2 = median_of(stats->values_u64, 0, n);
	*q3 = median_of(stats->values_u64, (n + 1) / 2, n);
}
