/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the revocable dma-buf test exporter (drm/exporter/): open it,
 * create buffers, run its sequences, attach its test importer. Functions
 * with two leading underscores return 0 or -errno; the others assert.
 */
#ifndef REVOKE_EXPORTER_HELPERS_H
#define REVOKE_EXPORTER_HELPERS_H

#include <stdint.h>

#include "revoke_exporter.h"

#define REVOKE_EXPORTER_MODULE "revoke_exporter"

int revoke_exporter_open(void);

int __revoke_exporter_create(int dev, uint64_t size, uint32_t flags, int *dmabuf);
int revoke_exporter_create(int dev, uint64_t size, uint32_t flags);

int __revoke_exporter_revoke(int dev, int dmabuf, uint64_t timeout_ns,
			     struct revoke_exporter_revoke *out);
void revoke_exporter_revoke(int dev, int dmabuf, struct revoke_exporter_revoke *out);
int __revoke_exporter_move(int dev, int dmabuf, uint64_t timeout_ns,
			   struct revoke_exporter_revoke *out);
int __revoke_exporter_restore(int dev, int dmabuf);
void revoke_exporter_restore(int dev, int dmabuf);
int __revoke_exporter_query(int dev, int dmabuf, struct revoke_exporter_query *q);
void revoke_exporter_query(int dev, int dmabuf, struct revoke_exporter_query *q);
int __revoke_exporter_fail_map(int dev, int dmabuf, uint32_t error);

int __revoke_importer_attach(int dev, int dmabuf, uint32_t flags, uint32_t unmap_delay_ms,
			     int *importer);
int revoke_importer_attach(int dev, int dmabuf, uint32_t flags, uint32_t unmap_delay_ms);
int __revoke_importer_map(int importer);
void revoke_importer_unmap(int importer);
void revoke_importer_status(int importer, struct revoke_importer_status *status);

/* Whether @dmabuf's state and counters balance: every attach and map was
 * undone except the live ones. */
void revoke_exporter_assert_balanced(int dev, int dmabuf);

/* Nanosecond percentile (0..100) of @n samples, which are sorted. */
uint64_t revoke_percentile(uint64_t *samples, unsigned int n, unsigned int pct);

#endif /* REVOKE_EXPORTER_HELPERS_H */
