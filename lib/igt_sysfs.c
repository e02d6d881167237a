// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include "igt_sysfs.h"

/* read() or write() until @len bytes, the end or an error (not EINTR, EAGAIN). */
static int transfer(int fd, char *buf, int len, bool writing)
{
	int total = 0;

	while (total < len) {
		ssize_t ret = writing ? write(fd, buf + total, len - total) :
					read(fd, buf + total, len - total);

		if (ret < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (ret < 0)
			return total ?: -errno;
		if (ret == 0)
			break;
		total += ret;
	}
	return total;
}

int igt_sysfs_read(int dir, const char *attr, void *data, int len)
{
	int fd = openat(dir, attr, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = transfer(fd, data, len, false);
	close(fd);
	return ret;
}

int igt_sysfs_write(int dir, const char *attr, const void *data, int len)
{
	int fd = openat(dir, attr, O_WRONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = transfer(fd, (char *)data, len, true);
	close(fd);
	return ret;
}
