// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <drm.h>
#include <xf86drm.h>

#include "ioctl_wrappers.h"

/* drmIoctl restarts on EINTR and EAGAIN, as IGT's default does. */
__thread int (*igt_ioctl)(int fd, unsigned long request, void *arg) = drmIoctl;

int __kms_addfb(int fd, uint32_t handle, uint32_t width, uint32_t height,
		uint32_t pixel_format, uint64_t modifier, uint32_t strides[4],
		uint32_t offsets[4], int num_planes, uint32_t flags, uint32_t *buf_id)
{
	struct drm_mode_fb_cmd2 f = {
		.width = width, .height = height, .pixel_format = pixel_format, .flags = flags,
	};
	int ret;

	for (int i = 0; i < num_planes; i++) {
		f.handles[i] = handle;
		f.pitches[i] = strides[i];
		f.offsets[i] = offsets[i];
		f.modifier[i] = modifier;
	}
	ret = igt_ioctl(fd, DRM_IOCTL_MODE_ADDFB2, &f);
	*buf_id = f.fb_id;
	return ret < 0 ? -errno : ret;
}

void gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close arg = { .handle = handle };

	do_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &arg);
}

int prime_handle_to_fd(int fd, uint32_t handle)
{
	struct drm_prime_handle args = { .handle = handle, .flags = DRM_CLOEXEC };

	do_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &args);
	return args.fd;
}

uint32_t prime_fd_to_handle(int fd, int dma_buf_fd)
{
	struct drm_prime_handle args = { .fd = dma_buf_fd };

	do_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &args);
	return args.handle;
}

off_t prime_get_size(int dma_buf_fd)
{
	off_t size = lseek(dma_buf_fd, 0, SEEK_END);

	igt_assert_f(size >= 0, "lseek on a dma-buf failed: %m\n");
	lseek(dma_buf_fd, 0, SEEK_SET);
	return size;
}
