// SPDX-License-Identifier: MIT
#include <errno.h>
#include <sys/mman.h>
#include <drm.h>
#include <vgem_drm.h>

#include "igt_core.h"
#include "igt_vgem.h"
#include "ioctl_wrappers.h"

int __vgem_create(int fd, struct vgem_bo *bo)
{
	struct drm_mode_create_dumb arg = {
		.width = bo->width, .height = bo->height, .bpp = bo->bpp,
	};

	if (igt_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &arg))
		return -errno;
	bo->handle = arg.handle;
	bo->pitch = arg.pitch;
	bo->size = arg.size;
	return 0;
}

void vgem_create(int fd, struct vgem_bo *bo)
{
	igt_assert_eq(__vgem_create(fd, bo), 0);
}

void *__vgem_mmap(int fd, struct vgem_bo *bo, unsigned int prot)
{
	struct drm_mode_map_dumb arg = { .handle = bo->handle };
	void *ptr;

	if (igt_ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &arg))
		return NULL;
	ptr = mmap(NULL, bo->size, prot, MAP_SHARED, fd, arg.offset);
	return ptr == MAP_FAILED ? NULL : ptr;
}

void *vgem_mmap(int fd, struct vgem_bo *bo, unsigned int prot)
{
	void *ptr = __vgem_mmap(fd, bo, prot);

	igt_assert_f(ptr, "vgem_mmap of handle %u failed: %m\n", bo->handle);
	return ptr;
}

static int __vgem_fence_attach(int fd, struct drm_vgem_fence_attach *arg)
{
	if (igt_ioctl(fd, DRM_IOCTL_VGEM_FENCE_ATTACH, arg))
		return -errno;
	return 0;
}

uint32_t vgem_fence_attach(int fd, struct vgem_bo *bo, unsigned int flags)
{
	struct drm_vgem_fence_attach arg = { .handle = bo->handle, .flags = flags };

	igt_assert_eq(__vgem_fence_attach(fd, &arg), 0);
	return arg.out_fence;
}

int __vgem_fence_signal(int fd, uint32_t fence)
{
	struct drm_vgem_fence_signal arg = { .fence = fence };

	if (igt_ioctl(fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &arg))
		return -errno;
	return 0;
}

void vgem_fence_signal(int fd, uint32_t fence)
{
	igt_assert_eq(__vgem_fence_signal(fd, fence), 0);
}
