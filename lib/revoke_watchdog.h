/* SPDX-License-Identifier: MIT */
/*
 * A watchdog for the exporter's sequences that wait as VFIO does: without a
 * timeout and without giving in to signals. A REVOKE or RESTORE that has
 * not returned within the watchdog's bound is reported with the kernel
 * stack of the blocked thread, and rescued (the exporter's RESCUE ends its
 * fence wait), so the test fails instead of hanging the guest.
 */
#ifndef REVOKE_WATCHDOG_H
#define REVOKE_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct revoke_watch {
	struct revoke_watch *next;
	pid_t tid;
	int dev, dmabuf;
	const char *what;
	uint64_t bound_ns, deadline_ns;
	bool fired;
};

/* The bound for sequences started from now on; returns the previous one. */
uint64_t revoke_watchdog_set_bound(uint64_t ns);
uint64_t revoke_watchdog_bound(void);

/* Around one ioctl of this thread on @dmabuf: arm, then disarm. */
void revoke_watch_arm(struct revoke_watch *w, const char *what, int dev, int dmabuf);
/* True when the watchdog fired (and reported) while it was armed. */
bool revoke_watch_disarm(struct revoke_watch *w);

#endif /* REVOKE_WATCHDOG_H */
