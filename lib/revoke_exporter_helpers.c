// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "igt_core.h"
#include "igt_kmod.h"
#include "revoke_exporter_helpers.h"

/* Loads the module when needed; skips where it cannot be had. */
int revoke_exporter_open(void)
{
	int fd;

	igt_require_f(igt_kmod_load(REVOKE_EXPORTER_MODULE, NULL) == 0,
		      "the %s module (drm/exporter/) cannot be loaded\n", REVOKE_EXPORTER_MODULE);
	fd = open(REVOKE_EXPORTER_DEVICE, O_RDWR | O_CLOEXEC);
	igt_assert_f(fd >= 0, "cannot open %s: %m\n", REVOKE_EXPORTER_DEVICE);
	return fd;
}

static int exporter_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && errno == EINTR && request != REVOKE_EXPORTER_IOCTL_REVOKE &&
		 request != REVOKE_EXPORTER_IOCTL_MOVE);
	return ret ? -errno : 0;
}

int __revoke_exporter_create(int dev, uint64_t size, uint32_t flags, int *dmabuf)
{
	struct revoke_exporter_create arg = { .size = size, .flags = flags };
	int ret = exporter_ioctl(dev, REVOKE_EXPORTER_IOCTL_CREATE, &arg);

	if (!ret)
		*dmabuf = arg.fd;
	return ret;
}

int revoke_exporter_create(int dev, uint64_t size, uint32_t flags)
{
	int dmabuf = -1;

	igt_assert_eq(__revoke_exporter_create(dev, size, flags, &dmabuf), 0);
	return dmabuf;
}

static int sequence(int dev, unsigned long request, int dmabuf, uint64_t timeout_ns,
		    struct revoke_exporter_revoke *out)
{
	struct revoke_exporter_revoke arg = { .fd = dmabuf, .timeout_ns = timeout_ns };
	int ret = exporter_ioctl(dev, request, &arg);

	if (out)
		*out = arg;
	return ret;
}

int __revoke_exporter_revoke(int dev, int dmabuf, uint64_t timeout_ns,
			     struct revoke_exporter_revoke *out)
{
	return sequence(dev, REVOKE_EXPORTER_IOCTL_REVOKE, dmabuf, timeout_ns, out);
}

void revoke_exporter_revoke(int dev, int dmabuf, struct revoke_exporter_revoke *out)
{
	igt_assert_eq(__revoke_exporter_revoke(dev, dmabuf, 10ull * 1000000000, out), 0);
}

int __revoke_exporter_move(int dev, int dmabuf, uint64_t timeout_ns,
			   struct revoke_exporter_revoke *out)
{
	return sequence(dev, REVOKE_EXPORTER_IOCTL_MOVE, dmabuf, timeout_ns, out);
}

int __revoke_exporter_restore(int dev, int dmabuf)
{
	struct revoke_exporter_buf arg = { .fd = dmabuf };

	return exporter_ioctl(dev, REVOKE_EXPORTER_IOCTL_RESTORE, &arg);
}

void revoke_exporter_restore(int dev, int dmabuf)
{
	igt_assert_eq(__revoke_exporter_restore(dev, dmabuf), 0);
}

int __revoke_exporter_query(int dev, int dmabuf, struct revoke_exporter_query *q)
{
	*q = (struct revoke_exporter_query){ .fd = dmabuf };
	return exporter_ioctl(dev, REVOKE_EXPORTER_IOCTL_QUERY, q);
}

void revoke_exporter_query(int dev, int dmabuf, struct revoke_exporter_query *q)
{
	igt_assert_eq(__revoke_exporter_query(dev, dmabuf, q), 0);
}

int __revoke_exporter_fail_map(int dev, int dmabuf, uint32_t error)
{
	struct revoke_exporter_fail_map arg = { .fd = dmabuf, .error = error };

	return exporter_ioctl(dev, REVOKE_EXPORTER_IOCTL_FAIL_MAP, &arg);
}

int __revoke_importer_attach(int dev, int dmabuf, uint32_t flags, uint32_t unmap_delay_ms,
			     int *importer)
{
	struct revoke_exporter_import arg = {
		.fd = dmabuf, .flags = flags, .unmap_delay_ms = unmap_delay_ms,
	};
	int ret = exporter_ioctl(dev, REVOKE_EXPORTER_IOCTL_IMPORT, &arg);

	if (!ret)
		*importer = arg.importer_fd;
	return ret;
}

int revoke_importer_attach(int dev, int dmabuf, uint32_t flags, uint32_t unmap_delay_ms)
{
	int importer = -1;

	igt_assert_eq(__revoke_importer_attach(dev, dmabuf, flags, unmap_delay_ms, &importer), 0);
	return importer;
}

int __revoke_importer_map(int importer)
{
	return exporter_ioctl(importer, REVOKE_IMPORTER_IOCTL_MAP, NULL);
}

void revoke_importer_unmap(int importer)
{
	igt_assert_eq(exporter_ioctl(importer, REVOKE_IMPORTER_IOCTL_UNMAP, NULL), 0);
}

void revoke_importer_status(int importer, struct revoke_importer_status *status)
{
	igt_assert_eq(exporter_ioctl(importer, REVOKE_IMPORTER_IOCTL_STATUS, status), 0);
}

void revoke_exporter_assert_balanced(int dev, int dmabuf)
{
	struct revoke_exporter_query q;

	revoke_exporter_query(dev, dmabuf, &q);
	igt_assert_eq_u64(q.attach, q.detach + q.attachments);
	igt_assert_eq_u64(q.map, q.unmap + q.mappings);
	igt_assert_eq_u64(q.revoke, q.restore + !!(q.state & REVOKE_EXPORTER_STATE_REVOKED));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t revoke_percentile(uint64_t *samples, unsigned int n, unsigned int pct)
{
	unsigned int idx;

	igt_assert(n > 0 && pct <= 100);
	qsort(samples, n, sizeof(*samples), cmp_u64);
	/* Nearest rank: the smallest sample with at least pct% at or below it. */
	idx = (n * pct + 99) / 100;
	return samples[idx ? idx - 1 : 0];
}
