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

void igt_stats_init(igt_stats_t *stats);
void igt_stats_init_with_size(igt_stats_t *stats, unsigned int capacity);
void igt_stats_fini(igt_stats_t *stats);
void igt_stats_push(igt_stats_t *stats, uint64_t value);
uint64_t igt_stats_get_min(igt_stats_t *stats);
uint64_t igt_stats_get_max(igt_stats_t *stats);
double igt_stats_get_mean(igt_stats_t *stats);
double igt_stats_get_median(igt_stats_t *stats);
void igt_stats_get_quartiles(igt_stats_t *stats, double *q1, double *q2, double *q3);

#endif /* IGT_STATS_H */
