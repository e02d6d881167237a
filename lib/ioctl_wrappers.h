/* SPDX-License-Identifier: MIT */
/* Thin ioctl wrappers with IGT's names: each asserts success. */
#ifndef IOCTL_WRAPPERS_H
#define IOCTL_WRAPPERS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "igt_core.h"

extern __thread int (*igt_ioctl)(int fd, unsigned long request, void *arg);

#define do_ioctl(fd, ioc, ioc_data) do { \
	igt_assert_eq(igt_ioctl((fd), (ioc), (ioc_data)), 0); \
	errno = 0; \
} while (0)

#define do_ioctl_err(fd, ioc, ioc_data, err) do { \
	igt_assert_eq(igt_ioctl((fd), (ioc), (ioc_data)), -1); \
	igt_assert_eq(errno, err); \
	errno = 0; \
} while (0)

/* ADDFB2 of @handle for each of @num_planes; 0 or -errno. */
int __kms_addfb(int fd, uint32_t handle, uint32_t width, uint32_t height,
		uint32_t pixel_format, uint64_t modifier, uint32_t strides[4],
		uint32_t offsets[4], int num_planes, uint32_t flags, uint32_t *buf_id);
void gem_close(int fd, uint32_t handle);

int prime_handle_to_fd(int fd, uint32_t handle);
uint32_t prime_fd_to_handle(int fd, int dma_buf_fd);
off_t prime_get_size(int dma_buf_fd);

#endif /* IOCTL_WRAPPERS_H */
