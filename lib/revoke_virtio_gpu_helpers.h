/* SPDX-License-Identifier: MIT */
/*
 * virtio-gpu for the revoke tests: it imports foreign dma-bufs, dynamically
 * and revocably, only as guest blobs, so only with blob resources and
 * without virgl.
 */
#ifndef REVOKE_VIRTIO_GPU_HELPERS_H
#define REVOKE_VIRTIO_GPU_HELPERS_H

#include <stddef.h>
#include <stdint.h>

/* DRM_IOCTL_VIRTGPU_GETPARAM: the value, or -errno. */
int revoke_virtio_gpu_getparam(int fd, uint64_t param);

/* Skips unless virtio-gpu has +resource_blob -virgl. */
void revoke_virtio_gpu_require_blob(void);

/* The virtio device (virtioN) of a virtio-gpu DRM node. */
void revoke_virtio_gpu_device(int fd, char *name, size_t len);

/*
 * Unbinds @device from virtio_gpu; until revoke_virtio_gpu_bind(), an exit
 * handler binds it again should the test fail.
 */
void revoke_virtio_gpu_unbind(const char *device);
void revoke_virtio_gpu_bind(const char *device);
/* The same; returns 0 or the negative errno of the bind instead. */
int __revoke_virtio_gpu_bind(const char *device);

#endif
