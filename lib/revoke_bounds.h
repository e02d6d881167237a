/* SPDX-License-Identifier: MIT */
/*
 * The kernel flavour a test runs on. Debug kernels (lockdep, KASAN,
 * kmemleak) are an order of magnitude slower, so the bounds a test asserts
 * and the work it does are chosen per flavour, each from figures measured
 * on that flavour.
 */
#ifndef REVOKE_BOUNDS_H
#define REVOKE_BOUNDS_H

#include <stdbool.h>
#include <stdint.h>

/* True on kernels with lockdep, which the debug flavour has. */
bool revoke_kernel_is_debug(void);

/* @release on release kernels, @debug on debug ones. */
uint64_t revoke_per_flavour(uint64_t release, uint64_t debug);

/*
 * The longest a step may take that waits for nothing but the CPU: an
 * importer's callback and unmap, the end of a revoke after its last fence
 * signalled, the death of a killed process. Ten times the worst p99
 * measured on each flavour (see doc/exporter.md, "Bounds"), and no less than TCG's
 * pauses: an importer that waits for its device, or defers its unmap, in
 * a step like these breaks it.
 */
uint64_t revoke_bound_step_ns(void);

/* The slowest of thousands of revokes that race importers may take. */
uint64_t revoke_bound_race_ns(void);

/* How long after its deadline a timed wait may end (timers under TCG). */
uint64_t revoke_bound_late_ns(void);

/*
 * The longest a kernel timer of @ns in jiffies (vgem's fence expiry) may
 * take by CLOCK_MONOTONIC: under TCG the tick drifts from the clock by a
 * few percent (2.4% measured over 10 s).
 */
uint64_t revoke_bound_jiffies_ns(uint64_t ns);

#endif /* REVOKE_BOUNDS_H */
