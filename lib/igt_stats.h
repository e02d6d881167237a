/* SPDX-License-Identifier: MIT */
/* Sample statistics, with IGT's names. */
#ifndef IGT_STATS_H
#define IGT_STATS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
	uint64_t *values_u64;
	unsigned int capacity;
	unsigned int n_values;
	bool sorted;
	uint64_t min, max;
} igt_stats_t;

void igt_stats_init_with_size(igt_stats_t *stats, unsigned int capacity);
void igt_stats_fini(igt_stats_t *stats);
void igt_stats_push(igt_stats_t *stats, uint64_t value);
double igt_stats_get_median(igt_stats_t *stats);

#endif /* IGT_STATS_H */
