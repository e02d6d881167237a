/* SPDX-License-Identifier: MIT */
/*
 * Copyright © 2026 The dma-buf revoke test authors
 */

#ifndef REVOKE_HOST_STALL_H
#define REVOKE_HOST_STALL_H

#include <stdbool.h>
#include <stdint.h>

#include "revoke_kms_helpers.h"

/*
 * A virtio-gpu host that stops answering, on request: the test bed's first
 * guest watches the nested guest's console for the lines these helpers
 * write to the kernel log and blocks or releases the nested QEMU's
 * virtio-gpu host (vm/guest/init, doc/host-stall.md). It announces the
 * service with testbed.host_stall=1 on the nested kernel's command line.
 */
void revoke_host_stall_require(void);

/*
 * What virtio-gpu logs when it resets a device whose host does not answer,
 * and when it is probed before the test bed has released the host.
 */
#define REVOKE_HOST_RESET_DMESG \
	"host did not answer in time: resetting the device|device wedged, needs recovery|" \
	"timed out waiting for display info|probe with driver virtio_gpu failed with error -110"

void revoke_host_stall_request(bool block);

/*
 * Releases the host and binds @device, unbound, to virtio_gpu again. The
 * test bed takes seconds to release the host, and a probe before that
 * times out (ETIMEDOUT): binding is tried again for up to 30 s.
 */
void revoke_host_stall_release_and_bind(const char *device);

/*
 * Blocks the host and waits until it stops answering: a commit's flush of
 * @fb, on screen, then stays unanswered for a second. A handler releases
 * the host when the test exits.
 */
void revoke_host_stall_begin(struct revoke_kms *k, struct igt_fb *fb);

/* Waits until the host answers commits of @fb again. */
void revoke_host_stall_wait_answers(struct revoke_kms *k, struct igt_fb *fb);

int revoke_virtio_gpu_fences(int fd, uint64_t *answered, uint64_t *sent);

int revoke_uevent_open(void);

bool revoke_uevent_wait(int sock, const char *entry, unsigned int timeout_ms);

#endif
