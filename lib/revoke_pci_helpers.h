/* SPDX-License-Identifier: MIT */
/*
 * PCI devices through sysfs: find one by ID and BAR size, bind it to a
 * driver of our choice (driver_override), unbind it. The exporter's BAR
 * memory and VFIO each take an ivshmem-plain device, told apart by the
 * size of BAR 2. Functions with two leading underscores return 0 or
 * -errno; the others assert.
 */
#ifndef REVOKE_PCI_HELPERS_H
#define REVOKE_PCI_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REVOKE_IVSHMEM_VENDOR 0x1af4
#define REVOKE_IVSHMEM_DEVICE 0x1110
/* ivshmem-plain's shared memory */
#define REVOKE_IVSHMEM_BAR 2

bool revoke_sysfs_read(const char *path, char *buf, size_t len);
int revoke_sysfs_write(const char *path, const char *value);

/*
 * The first ivshmem-plain device whose BAR 2 is @bar_size bytes, into
 * @bdf; false when there is none.
 */
bool revoke_pci_find_ivshmem(uint64_t bar_size, char *bdf, size_t len);

/* Where BAR @bar of @bdf is, in CPU physical addresses. */
void revoke_pci_bar(const char *bdf, int bar, uint64_t *start, uint64_t *size);

/* The name of the driver bound to @bdf, or "" when none is. */
void revoke_pci_driver(const char *bdf, char *name, size_t len);

/* Makes @driver (and only it) drive @bdf. */
void revoke_pci_bind(const char *bdf, const char *driver);
/* Unbinds @bdf from its driver, which must let go. */
int __revoke_pci_unbind(const char *bdf);

#endif /* REVOKE_PCI_HELPERS_H */
