// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "igt.h"
#include "revoke_pci_helpers.h"
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

void revoke_virtio_gpu_device(int fd, char *name, size_t len)
{
	char path[64];
	struct dirent *entry;
	struct stat st;
	DIR *dir;

	igt_assert_eq(fstat(fd, &st), 0);
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device",
		 major(st.st_rdev), minor(st.st_rdev));
	dir = opendir(path);
	igt_assert_f(dir, "cannot read %s: %m\n", path);
	name[0] = '\0';
	while ((entry = readdir(dir))) {
		size_t n = strlen(entry->d_name);

		if (n > 6 && n < len && !strncmp(entry->d_name, "virtio", 6) &&
		    strspn(entry->d_name + 6, "0123456789") == n - 6)
			memcpy(name, entry->d_name, n + 1);
	}
	closedir(dir);
	igt_assert_f(name[0], "no virtio device in %s\n", path);
}

#define VIRTIO_GPU_DRIVER "/sys/bus/virtio/drivers/virtio_gpu/"

static char unbound_device[64];

/* Binds the device again, whatever a failed subtest left; without asserting. */
static void rebind_virtio_gpu(int sig)
{
	if (unbound_device[0])
		revoke_sysfs_write(VIRTIO_GPU_DRIVER "bind", unbound_device);
}

void revoke_virtio_gpu_unbind(const char *device)
{
	int ret;

	igt_info("unbinding %s from virtio_gpu\n", device);
	snprintf(unbound_device, sizeof(unbound_device), "%s", device);
	igt_install_exit_handler(rebind_virtio_gpu);
	ret = revoke_sysfs_write(VIRTIO_GPU_DRIVER "unbind", device);
	igt_assert_f(!ret, "unbinding %s failed: %s\n", device, strerror(-ret));
}

int __revoke_virtio_gpu_bind(const char *device)
{
	int ret;

	igt_info("binding %s to virtio_gpu again\n", device);
	ret = revoke_sysfs_write(VIRTIO_GPU_DRIVER "bind", device);
	if (!ret)
		unbound_device[0] = '\0';
	return ret;
}

void revoke_virtio_gpu_bind(const char *device)
{
	int ret = __revoke_virtio_gpu_bind(device);

	igt_assert_f(!ret, "binding %s failed: %s\n", device, strerror(-ret));
}
