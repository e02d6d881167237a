// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdint.h>

#include "igt.h"
#include "revoke_virtio_gpu_helpers.h"
#include "virtgpu_drm.h"

int revoke_virtio_gpu_getparam(int fd, uint64_t param)
{
	int value = 0;
	struct drm_virtgpu_getparam gp = { .param = param, .value = (uintptr_t)&value };

	if (igt_ioctl(fd, DRM_IOCTL_VIRTGPU_GETPARAM, &gp))
		return -errno;
	return value;
}

void revoke_virtio_gpu_require_blob(void)
{
	int fd = drm_open_driver(DRIVER_VIRTIO);
	int blob = revoke_virtio_gpu_getparam(fd, VIRTGPU_PARAM_RESOURCE_BLOB);
	int virgl = revoke_virtio_gpu_getparam(fd, VIRTGPU_PARAM_3D_FEATURES);

	drm_close_driver(fd);
	igt_require_f(blob > 0 && !virgl,
		      "virtio-gpu imports foreign dma-bufs only with +resource_blob -virgl\n");
}
