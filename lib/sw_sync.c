// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/sync_file.h>

#include "igt_core.h"
#include "sw_sync.h"

/* The sw_sync debugfs ABI is not in the uAPI headers; the kernel defines
 * it in drivers/dma-buf/sw_sync.c. */
struct sw_sync_create_fence_data {
	uint32_t value;
	char name[32];
	int32_t fence;
};

#define SW_SYNC_IOC_MAGIC 'W'
#define SW_SYNC_IOC_CREATE_FENCE _IOWR(SW_SYNC_IOC_MAGIC, 0, struct sw_sync_create_fence_data)
#define SW_SYNC_IOC_INC _IOW(SW_SYNC_IOC_MAGIC, 1, uint32_t)

static const char *const sw_sync_paths[] = {
	"/sys/kernel/debug/sync/sw_sync",
	"/sys/kernel/sync/sw_sync",
	"/dev/sw_sync",
};

static int open_sw_sync(void)
{
	size_t i;
	int fd;

	for (i = 0; i < sizeof(sw_sync_paths) / sizeof(sw_sync_paths[0]); i++) {
		fd = open(sw_sync_paths[i], O_RDWR | O_CLOEXEC);
		if (fd >= 0)
			return fd;
	}
	return -1;
}

void igt_require_sw_sync(void)
{
	int fd = open_sw_sync();

	igt_require_f(fd >= 0, "sw_sync is not available (CONFIG_SW_SYNC and a mounted debugfs)\n");
	close(fd);
}

int sw_sync_timeline_create(void)
{
	int fd = open_sw_sync();

	igt_assert_f(fd >= 0, "cannot open sw_sync: %m\n");
	return fd;
}

int __sw_sync_timeline_create_fence(int timeline, uint32_t seqno)
{
	struct sw_sync_create_fence_data data = { .value = seqno };

	snprintf(data.name, sizeof(data.name), "igt-%u", seqno);
	if (ioctl(timeline, SW_SYNC_IOC_CREATE_FENCE, &data))
		return -errno;
	return data.fence;
}

int sw_sync_timeline_create_fence(int timeline, uint32_t seqno)
{
	int fence = __sw_sync_timeline_create_fence(timeline, seqno);

	igt_assert_f(fence >= 0, "cannot create a sw_sync fence: %s\n", strerror(-fence));
	return fence;
}

void sw_sync_timeline_inc(int timeline, uint32_t count)
{
	igt_assert_eq(ioctl(timeline, SW_SYNC_IOC_INC, &count), 0);
}

/* Returns 0 when signalled, -ETIME on timeout (ms, -1 forever), else -errno. */
int sync_fence_wait(int fence, int timeout)
{
	struct pollfd pfd = { .fd = fence, .events = POLLIN };
	int ret;

	do {
		ret = poll(&pfd, 1, timeout);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return -ETIME;
	return pfd.revents & POLLIN ? 0 : -EINVAL;
}

static int fence_info(int fence, struct sync_file_info *info)
{
	memset(info, 0, sizeof(*info));
	return ioctl(fence, SYNC_IOC_FILE_INFO, info) ? -errno : 0;
}

int sync_fence_status(int fence)
{
	struct sync_file_info info;
	int err = fence_info(fence, &info);

	return err ? err : info.status;
}
