// SPDX-License-Identifier: MIT
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <drm.h>
#include <xf86drm.h>

#include "drmtest.h"
#include "igt_kmod.h"

static const struct {
	int flag;
	const char *name;	/* as DRM_IOCTL_VERSION reports it */
	const char *module;
} drivers[] = {
	{ DRIVER_VGEM, "vgem", "vgem" },
	{ DRIVER_VIRTIO, "virtio_gpu", "virtio_gpu" },
};

static int driver_of(int fd)
{
	char name[32] = "";
	struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };
	size_t i;

	if (ioctl(fd, DRM_IOCTL_VERSION, &v))
		return 0;
	for (i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (!strcmp(name, drivers[i].name))
			return drivers[i].flag;
	return 0;
}

static int open_matching(const char *pattern, int first, int chipset)
{
	char path[64];
	int i, fd;

	for (i = first; i < first + 16; i++) {
		snprintf(path, sizeof(path), pattern, i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (driver_of(fd) & chipset)
			return fd;
		close(fd);
	}
	return -1;
}

/* Like IGT, load the driver's module when no device of it is present. */
static int open_or_load(const char *pattern, int first, int chipset)
{
	int fd = open_matching(pattern, first, chipset);
	size_t i;

	if (fd >= 0)
		return fd;
	for (i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (chipset & drivers[i].flag)
			igt_kmod_load(drivers[i].module, NULL);
	return open_matching(pattern, first, chipset);
}

int __drm_open_driver(int chipset)
{
	return open_or_load("/dev/dri/card%d", 0, chipset);
}

int __drm_open_driver_render(int chipset)
{
	return open_or_load("/dev/dri/renderD%d", 128, chipset);
}

int drm_open_driver(int chipset)
{
	int fd = __drm_open_driver(chipset);

	igt_skip_on_f(fd < 0, "No known gpu found for chipset flags 0x%x\n", chipset);
	return fd;
}

/* As IGT: the device, as DRM master, or a skip when another client is master. */
int drm_open_driver_master(int chipset)
{
	int fd = drm_open_driver(chipset);

	igt_require_f(drmSetMaster(fd) == 0,
		      "Can't become DRM master, please check if no other DRM client is running.\n");
	return fd;
}

int drm_open_driver_render(int chipset)
{
	int fd = __drm_open_driver_render(chipset);

	igt_skip_on_f(fd < 0, "No known render node found for chipset flags 0x%x\n", chipset);
	return fd;
}

int drm_close_driver(int fd)
{
	return close(fd);
}
