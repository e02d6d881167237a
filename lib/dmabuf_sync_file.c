// SPDX-License-Identifier: MIT
#include <errno.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "dmabuf_sync_file.h"
#include "igt_core.h"

int dmabuf_export_sync_file(int dmabuf, uint32_t flags)
{
	struct dma_buf_export_sync_file arg = { .flags = flags, .fd = -1 };

	igt_assert_eq(ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &arg), 0);
	return arg.fd;
}

void dmabuf_import_sync_file(int dmabuf, uint32_t flags, int sync_fd)
{
	struct dma_buf_import_sync_file arg = { .flags = flags, .fd = sync_fd };

	igt_assert_eq(ioctl(dmabuf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &arg), 0);
}

/* Whether fences that conflict with an access of @flags are pending. */
bool dmabuf_busy(int dmabuf, uint32_t flags)
{
	struct pollfd pfd = { .fd = dmabuf };

	pfd.events = flags & DMA_BUF_SYNC_WRITE ? POLLOUT : POLLIN;
	return poll(&pfd, 1, 0) == 0;
}
