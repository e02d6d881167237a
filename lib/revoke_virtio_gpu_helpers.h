/* SPDX-License-Identifier: MIT */
/*
 * virtio-gpu for the revoke tests: it imports foreign dma-bufs, dynamically
 * and revocably, only as guest blobs, so only with blob resources and
 * without virgl.
 */
#ifndef REVOKE_VIRTIO_GPU_HELPERS_H
#define REVOKE_VIRTIO_GPU_HELPERS_H

#include <stdint.h>

/* DRM_IOCTL_VIRTGPU_GETPARAM: the value, or -errno. */
int revoke_virtio_gpu_getparam(int fd, uint64_t param);

/* Skips unless virtio-gpu has +resource_blob -virgl. */
void revoke_virtio_gpu_require_blob(void);

#endif
