/* SPDX-License-Identifier: MIT */
/*
 * vgem as the importer of the revocable test exporter's buffers: import
 * into a vgem file of its own, map through vgem, fence, and release with
 * the exporter's books checked. Functions with two leading underscores
 * return 0 or -errno; the others assert.
 */
#ifndef REVOKE_VGEM_HELPERS_H
#define REVOKE_VGEM_HELPERS_H

#include <stddef.h>
#include <stdint.h>

#include "igt_vgem.h"

struct revoke_vgem_import {
	int vgem;		/* a vgem file of the import's own */
	struct vgem_bo bo;	/* the import in it */
};

/* Imports @dmabuf of @size bytes into a new vgem file. */
struct revoke_vgem_import revoke_vgem_import(int dmabuf, uint64_t size);

/*
 * A read-write mapping of the import through vgem, which vgem hands to the
 * exporter's mmap: the exporter must have been created with MMAP.
 */
uint32_t *revoke_vgem_mmap(struct revoke_vgem_import *imp);

/*
 * A vgem job on the import: a fence attached (vgem has the exporter map
 * the attachment and unmaps it again) and signalled.
 */
void revoke_vgem_job(struct revoke_vgem_import *imp);

int __revoke_vgem_fence_attach(int vgem, uint32_t handle, uint32_t flags, uint32_t *fence);

/* A read-write mapping of the dma-buf itself (created with MMAP). */
uint32_t *revoke_exporter_mmap(int dmabuf, size_t size);

/*
 * Closes @dmabuf once its importers are gone, after checking that they
 * took their attachments and mappings with them and the counters balance.
 */
void revoke_exporter_release(int dev, int dmabuf);

/* For subtests that unload vgem: an exit handler loads it again. */
void revoke_vgem_reload_at_exit(void);

/* Closes the vgem file of @imp, which must detach the import, then @dmabuf. */
void revoke_vgem_close(int dev, struct revoke_vgem_import *imp, int dmabuf);

#endif /* REVOKE_VGEM_HELPERS_H */
