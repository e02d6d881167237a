/* SPDX-License-Identifier: MIT */
/*
 * Copyright © 2026 The dma-buf revoke test authors
 */

#ifndef REVOKE_HOST_STALL_H
#define REVOKE_HOST_STALL_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A virtio-gpu host that stops answering, on request: the test bed's first
 * guest watches the nested guest's console for the lines these helpers
 * write to the kernel log and blocks or releases the nested QEMU's
 * virtio-gpu host (vm/guest/init, doc/host-stall.md). It announces the
 * service with testbed.host_stall=1 on the nested kernel's command line.
 */
void revoke_host_stall_require(void);

void revoke_host_stall_request(bool block);

int revoke_virtio_gpu_fences(int fd, uint64_t *answered, uint64_t *sent);

int revoke_uevent_open(void);

bool revoke_uevent_wait(int sock, const char *entry, unsigned int timeout_ms);

#endif
