// SPDX-License-Identifier: MIT
#include <unistd.h>

#include "revoke_bounds.h"

bool revoke_kernel_is_debug(void)
{
	return access("/proc/lockdep", F_OK) == 0;
}

uint64_t revoke_per_flavour(uint64_t release, uint64_t debug)
{
	return revoke_kernel_is_debug() ? debug : release;
}

#define MS (1000 * 1000ull)

/*
 * Measured p99 (doc/exporter.md, "Bounds"): a revoke's end after its fence
 * signalled 2.5 ms release, 27.5 ms debug; a killed process gone 3.9 / 27
 * ms; a close ending a revoke 0.3 / 4.4 ms. Ten times that, and at least
 * 100 ms for TCG's pauses: every sample is held to it, not the p99.
 */
uint64_t revoke_bound_step_ns(void)
{
	return revoke_per_flavour(100 * MS, 500 * MS);
}

/*
 * The slowest of thousands of revokes racing importers: measured 15.5 ms
 * release (10^4 cycles), 131 ms debug (300 cycles). Ten times that.
 */
uint64_t revoke_bound_race_ns(void)
{
	return revoke_per_flavour(150 * MS, 1500 * MS);
}

/*
 * How late a timed wait ended: measured at most 32 ms release (a 300 ms
 * deferred unmap waited 332 ms), 16 ms debug. Ten times that, rounded up.
 */
uint64_t revoke_bound_late_ns(void)
{
	return revoke_per_flavour(320 * MS, 320 * MS);
}

uint64_t revoke_bound_jiffies_ns(uint64_t ns)
{
	return ns + ns / 10 + revoke_bound_late_ns();
}
