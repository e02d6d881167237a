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

/* Measured p99 (README, "Bounds"): release <= 8 ms, debug <= 60 ms. */
uint64_t revoke_bound_step_ns(void)
{
	return revoke_per_flavour(100 * 1000 * 1000ull, 1000 * 1000 * 1000ull);
}

/* Measured p99 of a timed wait's lateness: release <= 5 ms, debug <= 40 ms. */
uint64_t revoke_bound_late_ns(void)
{
	return revoke_per_flavour(100 * 1000 * 1000ull, 1000 * 1000 * 1000ull);
}

uint64_t revoke_bound_jiffies_ns(uint64_t ns)
{
	return ns + ns / 10 + revoke_bound_late_ns();
}
