// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "igt_core.h"
#include "igt_sysfs.h"
#include "revoke_pci_helpers.h"

#define PCI_DEVICES "/sys/bus/pci/devices"

/* IGT's sysfs access takes a directory and an attribute: split @path. */
static int sysfs_dir(const char *path, const char **attr)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	igt_assert(slash && slash - path < (int)sizeof(dir));
	memcpy(dir, path, slash - path);
	dir[slash - path] = '\0';
	*attr = slash + 1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

bool revoke_sysfs_read(const char *path, char *buf, size_t len)
{
	const char *attr;
	int dir = sysfs_dir(path, &attr), n;

	if (dir < 0)
		return false;
	n = igt_sysfs_read(dir, attr, buf, len - 1);
	close(dir);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

int revoke_sysfs_write(const char *path, const char *value)
{
	const char *attr;
	int dir = sysfs_dir(path, &attr), n;

	if (dir < 0)
		return dir;
	n = igt_sysfs_write(dir, attr, value, strlen(value));
	close(dir);
	return n < 0 ? n : 0;
}

static unsigned long sysfs_hex(const char *bdf, const char *file)
{
	char path[PATH_MAX], value[32] = "";

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/%s", bdf, file);
	revoke_sysfs_read(path, value, sizeof(value));
	return strtoul(value, NULL, 16);
}

/* Reads BAR @bar's line of the device's resource file; false when absent. */
static bool read_bar(const char *bdf, int bar, uint64_t *start, uint64_t *size)
{
	unsigned long long s = 0, e = 0;
	char path[PATH_MAX];
	bool ok = true;
	FILE *f;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/resource", bdf);
	f = fopen(path, "r");
	if (!f)
		return false;
	for (int i = 0; ok && i <= bar; i++)
		ok = fscanf(f, "%llx %llx %*x", &s, &e) == 2;
	fclose(f);
	if (!ok || e <= s)
		return false;
	*start = s;
	*size = e - s + 1;
	return true;
}

bool revoke_pci_find_ivshmem(uint64_t bar_size, char *bdf, size_t len)
{
	DIR *dir = opendir(PCI_DEVICES);
	uint64_t start, size;
	struct dirent *e;
	bool found = false;

	if (!dir)
		return false;
	while (!found && (e = readdir(dir))) {
		if (e->d_name[0] == '.' || strlen(e->d_name) >= len)
			continue;
		if (sysfs_hex(e->d_name, "vendor") != REVOKE_IVSHMEM_VENDOR ||
		    sysfs_hex(e->d_name, "device") != REVOKE_IVSHMEM_DEVICE ||
		    !read_bar(e->d_name, REVOKE_IVSHMEM_BAR, &start, &size) || size != bar_size)
			continue;
		memcpy(bdf, e->d_name, strlen(e->d_name) + 1);
		found = true;
	}
	closedir(dir);
	return found;
}

void revoke_pci_bar(const char *bdf, int bar, uint64_t *start, uint64_t *size)
{
	igt_assert_f(read_bar(bdf, bar, start, size), "BAR %d of %s is not assigned\n", bar, bdf);
}

void revoke_pci_driver(const char *bdf, char *name, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver", bdf);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		name[0] = '\0';
		return;
	}
	target[n] = '\0';
	snprintf(name, len, "%s", strrchr(target, '/') + 1);
}

int __revoke_pci_unbind(const char *bdf)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver/unbind", bdf);
	return revoke_sysfs_write(path, bdf);
}

void revoke_pci_bind(const char *bdf, const char *driver)
{
	char path[PATH_MAX], bound[64];

	revoke_pci_driver(bdf, bound, sizeof(bound));
	if (!strcmp(bound, driver))
		return;
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver_override", bdf);
	igt_assert_eq(revoke_sysfs_write(path, driver), 0);
	if (bound[0])
		igt_assert_eq(__revoke_pci_unbind(bdf), 0);
	igt_assert_eq(revoke_sysfs_write("/sys/bus/pci/drivers_probe", bdf), 0);
	revoke_pci_driver(bdf, bound, sizeof(bound));
	igt_assert_f(!strcmp(bound, driver), "%s did not bind %s (driver: %s)\n",
		     driver, bdf, bound[0] ? bound : "none");
}
