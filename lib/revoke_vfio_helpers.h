/* SPDX-License-Identifier: MIT */
/*
 * Helpers for VFIO's dma-buf exporter: an ivshmem-plain device (its BAR 2
 * is plain memory) bound to vfio-pci in no-IOMMU mode, opened through its
 * group or its device cdev, and the three ways VFIO revokes the dma-bufs
 * of a BAR: clearing PCI_COMMAND_MEMORY, VFIO_DEVICE_RESET and closing the
 * device. iommufd, VFIO's own importer, is the reference beside them.
 * Functions with two leading underscores return 0 or -errno (or an fd);
 * the others assert.
 */
#ifndef REVOKE_VFIO_HELPERS_H
#define REVOKE_VFIO_HELPERS_H

#include <stdbool.h>
#include <stdint.h>

/* Older <linux/stddef.h> lacks the annotation newer uAPI headers use. */
#ifndef __counted_by
#define __counted_by(member)
#endif
#include "vfio.h"

#include "revoke_pci_helpers.h"

/* VFIO's ivshmem-plain device (the exporter's BAR device is larger). */
#define REVOKE_VFIO_IVSHMEM_SIZE (8u << 20)

struct revoke_vfio {
	char bdf[32];
	uint64_t bar_start, bar_size;
	/* group path: container and group; cdev path: iommufd */
	int container, group, iommufd;
	int device;
	uint64_t config_offset;
	uint32_t ioas_id;
};

/*
 * Finds VFIO's ivshmem-plain device and makes sure vfio-pci drives it,
 * binding it when needed; skips with the reason when VFIO, no-IOMMU mode
 * or the device is missing.
 */
void revoke_vfio_require(struct revoke_vfio *v);

/* Opens the device through its no-IOMMU group and a container. */
void revoke_vfio_open_group(struct revoke_vfio *v);

/*
 * Opens the device through its cdev, bound to a new iommufd and attached
 * to an IOAS of it (v->ioas_id), where iommufd imports dma-bufs.
 */
void revoke_vfio_open_cdev(struct revoke_vfio *v);

/* Closes the device only: its dma-bufs are revoked for good. */
void revoke_vfio_close_device(struct revoke_vfio *v);

/* Closes everything revoke_vfio_open_*() opened. */
void revoke_vfio_close(struct revoke_vfio *v);

/* VFIO_DEVICE_FEATURE_DMA_BUF of @length bytes at @offset of BAR @bar. */
int __revoke_vfio_export(struct revoke_vfio *v, uint32_t bar, uint64_t offset,
			 uint64_t length, uint32_t flags, uint32_t nr_ranges);
int revoke_vfio_export(struct revoke_vfio *v, uint64_t offset, uint64_t length);

/* Sets or clears PCI_COMMAND_MEMORY through VFIO's config region. */
int __revoke_vfio_set_memory(struct revoke_vfio *v, bool enable);
void revoke_vfio_set_memory(struct revoke_vfio *v, bool enable);
bool revoke_vfio_memory_enabled(struct revoke_vfio *v);

/* Whether VFIO_DEVICE_RESET is there: behind a PCIe port, not on q35's root bus. */
bool revoke_vfio_has_reset(struct revoke_vfio *v);
int __revoke_vfio_reset(struct revoke_vfio *v);

/* IOMMU_IOAS_MAP_FILE of the whole of @dmabuf at @iova (cdev path). */
int __revoke_iommufd_map(struct revoke_vfio *v, int dmabuf, uint64_t length, uint64_t iova);

/* IOMMU_IOAS_NOIOMMU_GET_PA: the bus address @iova maps to. */
int __revoke_iommufd_get_pa(struct revoke_vfio *v, uint64_t iova, uint64_t *phys);

#endif
