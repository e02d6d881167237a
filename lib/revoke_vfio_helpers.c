// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "igt_core.h"
#include "igt_kmod.h"
#include "iommufd.h"
#include "revoke_pci_helpers.h"
#include "revoke_vfio_helpers.h"

#define PCI_DEVICES "/sys/bus/pci/devices"
#define NOIOMMU_PARAM "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode"

void revoke_vfio_require(struct revoke_vfio *v)
{
	char value[64] = "";

	memset(v, 0, sizeof(*v));
	v->container = v->group = v->iommufd = v->device = -1;

	if (access("/sys/bus/pci/drivers/vfio-pci", F_OK))
		igt_kmod_load("vfio_pci", NULL);
	igt_require_f(!access("/sys/bus/pci/drivers/vfio-pci", F_OK),
		      "no vfio-pci driver (CONFIG_VFIO_PCI)\n");
	igt_require_f(revoke_sysfs_read(NOIOMMU_PARAM, value, sizeof(value)),
		      "VFIO has no no-IOMMU mode (CONFIG_VFIO_NOIOMMU)\n");
	if (strcmp(value, "Y"))
		revoke_sysfs_write(NOIOMMU_PARAM, "Y");
	revoke_sysfs_read(NOIOMMU_PARAM, value, sizeof(value));
	igt_require_f(!strcmp(value, "Y"),
		      "VFIO's no-IOMMU mode is off (boot with vfio.enable_unsafe_noiommu_mode=1)\n");
	igt_require_f(revoke_pci_find_ivshmem(REVOKE_VFIO_IVSHMEM_SIZE, v->bdf, sizeof(v->bdf)),
		      "no ivshmem-plain device (PCI %04x:%04x) with a %u MiB BAR 2 (QEMU: -device ivshmem-plain,memdev=ID)\n",
		      REVOKE_IVSHMEM_VENDOR, REVOKE_IVSHMEM_DEVICE, REVOKE_VFIO_IVSHMEM_SIZE >> 20);
	revoke_pci_bind(v->bdf, "vfio-pci");
	revoke_pci_bar(v->bdf, REVOKE_IVSHMEM_BAR, &v->bar_start, &v->bar_size);
}

static void find_config_region(struct revoke_vfio *v)
{
	struct vfio_region_info info = {
		.argsz = sizeof(info),
		.index = VFIO_PCI_CONFIG_REGION_INDEX,
	};

	igt_assert_eq(ioctl(v->device, VFIO_DEVICE_GET_REGION_INFO, &info), 0);
	v->config_offset = info.offset;
}

void revoke_vfio_open_group(struct revoke_vfio *v)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/iommu_group", v->bdf);
	n = readlink(path, target, sizeof(target) - 1);
	igt_assert_f(n > 0, "%s has no IOMMU group\n", v->bdf);
	target[n] = '\0';
	snprintf(path, sizeof(path), "/dev/vfio/noiommu-%s", strrchr(target, '/') + 1);

	v->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	igt_require_f(v->container >= 0, "no VFIO container (CONFIG_VFIO_CONTAINER): %m\n");
	v->group = open(path, O_RDWR | O_CLOEXEC);
	igt_assert_f(v->group >= 0, "cannot open %s: %m\n", path);
	igt_assert_eq(ioctl(v->group, VFIO_GROUP_GET_STATUS, &status), 0);
	igt_assert_f(status.flags & VFIO_GROUP_FLAGS_VIABLE, "group %s is not viable\n", path);
	igt_assert_eq(ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container), 0);
	igt_assert_eq(ioctl(v->container, VFIO_SET_IOMMU, VFIO_NOIOMMU_IOMMU), 0);
	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, v->bdf);
	igt_assert_f(v->device >= 0, "VFIO_GROUP_GET_DEVICE_FD %s: %m\n", v->bdf);
	find_config_region(v);
}

void revoke_vfio_open_cdev(struct revoke_vfio *v)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	char path[PATH_MAX] = "";
	struct dirent *e;
	DIR *dir;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/vfio-dev", v->bdf);
	dir = opendir(path);
	igt_require_f(dir, "%s has no VFIO device cdev (CONFIG_VFIO_DEVICE_CDEV)\n", v->bdf);
	path[0] = '\0';
	while ((e = readdir(dir)))
		if (e->d_name[0] != '.')
			snprintf(path, sizeof(path), "/dev/vfio/devices/%s", e->d_name);
	closedir(dir);
	igt_assert_f(path[0], "no cdev listed for %s\n", v->bdf);

	v->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	igt_require_f(v->iommufd >= 0, "no /dev/iommu (CONFIG_IOMMUFD): %m\n");
	igt_assert_eq(ioctl(v->iommufd, IOMMU_IOAS_ALLOC, &alloc), 0);
	v->ioas_id = alloc.out_ioas_id;

	v->device = open(path, O_RDWR | O_CLOEXEC);
	igt_assert_f(v->device >= 0, "cannot open %s: %m\n", path);
	bind.iommufd = v->iommufd;
	igt_assert_f(!ioctl(v->device, VFIO_DEVICE_BIND_IOMMUFD, &bind),
		     "VFIO_DEVICE_BIND_IOMMUFD: %m\n");
	attach.pt_id = v->ioas_id;
	igt_assert_f(!ioctl(v->device, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach),
		     "VFIO_DEVICE_ATTACH_IOMMUFD_PT: %m\n");
	find_config_region(v);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void revoke_vfio_close_device(struct revoke_vfio *v)
{
	close_fd(&v->device);
}

void revoke_vfio_close(struct revoke_vfio *v)
{
	close_fd(&v->device);
	close_fd(&v->group);
	close_fd(&v->container);
	close_fd(&v->iommufd);
}

int __revoke_vfio_export(struct revoke_vfio *v, uint32_t bar, uint64_t offset,
			 uint64_t length, uint32_t flags, uint32_t nr_ranges)
{
	/* The feature header, then its payload, then the ranges: all flexible. */
	uint64_t arg[(sizeof(struct vfio_device_feature) +
		      sizeof(struct vfio_device_feature_dma_buf) +
		      sizeof(struct vfio_region_dma_range)) / sizeof(uint64_t)] = {};
	struct vfio_device_feature *feature = (void *)arg;
	struct vfio_device_feature_dma_buf *dma_buf = (void *)feature->data;
	int fd;

	igt_assert(nr_ranges <= 1);
	feature->argsz = sizeof(arg);
	feature->flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF;
	dma_buf->region_index = bar;
	dma_buf->open_flags = O_RDWR | O_CLOEXEC;
	dma_buf->flags = flags;
	dma_buf->nr_ranges = nr_ranges;
	dma_buf->dma_ranges[0].offset = offset;
	dma_buf->dma_ranges[0].length = length;
	fd = ioctl(v->device, VFIO_DEVICE_FEATURE, arg);
	return fd < 0 ? -errno : fd;
}

int revoke_vfio_export(struct revoke_vfio *v, uint64_t offset, uint64_t length)
{
	int fd = __revoke_vfio_export(v, REVOKE_IVSHMEM_BAR, offset, length, 0, 1);

	igt_assert_f(fd >= 0, "VFIO_DEVICE_FEATURE_DMA_BUF of BAR %d failed: %s\n",
		     REVOKE_IVSHMEM_BAR, strerror(-fd));
	return fd;
}

static int config_io(struct revoke_vfio *v, bool write, uint16_t *value)
{
	ssize_t n;

	if (write)
		n = pwrite(v->device, value, sizeof(*value), v->config_offset + PCI_COMMAND);
	else
		n = pread(v->device, value, sizeof(*value), v->config_offset + PCI_COMMAND);
	if (n < 0)
		return -errno;
	return n == sizeof(*value) ? 0 : -EIO;
}

int __revoke_vfio_set_memory(struct revoke_vfio *v, bool enable)
{
	uint16_t cmd;
	int ret = config_io(v, false, &cmd);

	if (ret)
		return ret;
	if (enable)
		cmd |= PCI_COMMAND_MEMORY;
	else
		cmd &= ~PCI_COMMAND_MEMORY;
	return config_io(v, true, &cmd);
}

void revoke_vfio_set_memory(struct revoke_vfio *v, bool enable)
{
	int ret = __revoke_vfio_set_memory(v, enable);

	igt_assert_f(!ret, "%s PCI_COMMAND_MEMORY of %s: %s\n", enable ? "setting" : "clearing",
		     v->bdf, strerror(-ret));
}

bool revoke_vfio_memory_enabled(struct revoke_vfio *v)
{
	uint16_t cmd;

	igt_assert_eq(config_io(v, false, &cmd), 0);
	return cmd & PCI_COMMAND_MEMORY;
}

bool revoke_vfio_has_reset(struct revoke_vfio *v)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };

	igt_assert_eq(ioctl(v->device, VFIO_DEVICE_GET_INFO, &info), 0);
	return info.flags & VFIO_DEVICE_FLAGS_RESET;
}

int __revoke_vfio_reset(struct revoke_vfio *v)
{
	return ioctl(v->device, VFIO_DEVICE_RESET) ? -errno : 0;
}

int __revoke_iommufd_map(struct revoke_vfio *v, int dmabuf, uint64_t length, uint64_t iova)
{
	struct iommu_ioas_map_file map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = v->ioas_id,
		.fd = dmabuf,
		.length = length,
		.iova = iova,
	};

	return ioctl(v->iommufd, IOMMU_IOAS_MAP_FILE, &map) ? -errno : 0;
}

int __revoke_iommufd_get_pa(struct revoke_vfio *v, uint64_t iova, uint64_t *phys)
{
	struct iommu_ioas_noiommu_get_pa get = {
		.size = sizeof(get),
		.ioas_id = v->ioas_id,
		.iova = iova,
		.length = 4096,
	};

	if (ioctl(v->iommufd, IOMMU_IOAS_NOIOMMU_GET_PA, &get))
		return -errno;
	*phys = get.out_phys;
	return 0;
}
