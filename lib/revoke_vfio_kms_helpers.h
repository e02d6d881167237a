/* SPDX-License-Identifier: MIT */
/*
 * VFIO's dma-buf of a BAR on virtio-gpu's screen, for vfio_revoke and the
 * vfio_revoke_latency benchmark: import it as a framebuffer, scan it out,
 * and revoke it the three ways VFIO does (memory disable, reset, close),
 * timed from userspace: VFIO returns from each only after every importer
 * unmapped. Functions with two leading underscores return 0 or -errno;
 * the others assert.
 */
#ifndef REVOKE_VFIO_KMS_HELPERS_H
#define REVOKE_VFIO_KMS_HELPERS_H

#include <stdint.h>

#include "revoke_kms_helpers.h"
#include "revoke_vfio_helpers.h"

enum revoke_vfio_trigger {
	REVOKE_VFIO_MEMORY_DISABLE,
	REVOKE_VFIO_RESET,
	REVOKE_VFIO_CLOSE,
};

extern const char * const revoke_vfio_trigger_name[];

/* VFIO's buffer of the BAR, imported into virtio-gpu as a framebuffer. */
struct revoke_vfio_import {
	int dmabuf;
	uint32_t handle;
	struct igt_fb fb;
};

/*
 * Tells igt_runner to ignore what VFIO logs when told to: the taint of a
 * no-IOMMU bind, resets on open and close, no-IOMMU opens.
 */
void revoke_vfio_ignore_notices(void);

int __revoke_vfio_import_fd(struct revoke_kms *k, int dmabuf, uint32_t *handle);
/* Exports a framebuffer's worth of the BAR and imports it as one. */
struct revoke_vfio_import revoke_vfio_import_bar(struct revoke_vfio *v, struct revoke_kms *k);
void revoke_vfio_release_bar(struct revoke_kms *k, struct revoke_vfio_import *imp);

/* A commit of the import works (and the plane shows it), or fails with ENODEV. */
void revoke_vfio_assert_on_screen(struct revoke_kms *k, struct revoke_vfio_import *imp);
void revoke_vfio_assert_commit_revoked(struct revoke_kms *k, struct revoke_vfio_import *imp);

/* Revokes by @t; *@ns is how long the write, ioctl or close took. */
int __revoke_vfio_revoke_by(struct revoke_vfio *v, enum revoke_vfio_trigger t, uint64_t *ns);

#endif /* REVOKE_VFIO_KMS_HELPERS_H */
