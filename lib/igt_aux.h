/* SPDX-License-Identifier: MIT */
/* Helpers around the core, with IGT's names: loops bounded by time and a
 * helper process (igt_fork_helper()) that interrupts system calls with
 * signals. */
#ifndef IGT_AUX_H
#define IGT_AUX_H

#include <stdint.h>
#include <time.h>

#include "igt_core.h"

/* Repeat the body until @timeout seconds have passed. */
#define igt_until_timeout(timeout) \
	for (struct timespec t__ = {}; igt_seconds_elapsed(&t__) < (timeout); )

/* Repeat the body until about @t milliseconds have passed. */
#define igt_for_milliseconds(t) \
	for (struct timespec t__ = {}; igt_nsec_elapsed(&t__) >> 20 < (t); )

void igt_fork_signal_helper(void);
void igt_stop_signal_helper(void);

#endif /* IGT_AUX_H */
