/* SPDX-License-Identifier: MIT */
/* Software sync timelines (debugfs sw_sync) and sync_file helpers, with
 * IGT's names. */
#ifndef SW_SYNC_H
#define SW_SYNC_H

#include <stdint.h>

#define SW_SYNC_FENCE_STATUS_ERROR (-1)
#define SW_SYNC_FENCE_STATUS_ACTIVE (0)
#define SW_SYNC_FENCE_STATUS_SIGNALED (1)

void igt_require_sw_sync(void);

int sw_sync_timeline_create(void);
void sw_sync_timeline_inc(int timeline, uint32_t count);

int __sw_sync_timeline_create_fence(int timeline, uint32_t seqno);
int sw_sync_timeline_create_fence(int timeline, uint32_t seqno);

int sync_fence_wait(int fence, int timeout);
int sync_fence_status(int fence);

#endif /* SW_SYNC_H */
