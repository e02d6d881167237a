/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Revocable dma-buf test exporter: what its parts share.
 */
#ifndef RX_H
#define RX_H

#include <linux/dma-buf.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "revoke_exporter.h"

struct device;

/**
 * struct rx_backing - the pages behind a buffer
 * @ref: held by the buffer while they are its pages and by each mapping
 * @mappings: live mappings of these pages
 * @npages: number of pages
 * @pages: the pages
 *
 * MOVE gives a buffer new backing; the old one lives until its last
 * mapping is unmapped, so no importer can reach a freed page.
 */
struct rx_backing {
	struct kref ref;
	atomic_t mappings;
	unsigned long npages;
	struct page **pages;
};

/**
 * struct rx_counters - what happened to a buffer, for QUERY
 * @attach: successful attaches
 * @detach: detaches
 * @map: successful maps
 * @unmap: unmaps
 * @map_failed: failed maps
 * @revoke: revocations
 * @restore: restorations
 * @move: moves
 */
struct rx_counters {
	u64 attach;
	u64 detach;
	u64 map;
	u64 unmap;
	u64 map_failed;
	u64 revoke;
	u64 restore;
	u64 move;
};

/**
 * struct rx_buffer - one exported dma-buf
 * @dmabuf: the dma-buf
 * @flags: REVOKE_EXPORTER_* create flags
 * @backing: current pages; protected by the reservation lock
 * @revoked: true while importers may not map; protected by the lock
 * @generation: number of moves; protected by the lock
 * @restores: number of restores, which end a pending unmap wait;
 *	      written under the lock
 * @pins: pin count of dynamic importers; protected by the lock
 * @fail_next_map: errno for the next map, 0 for none; protected by the lock
 * @next_attach_id: last attachment number handed out; protected by the lock
 * @attachments: the rx_attachments; protected by the lock
 * @count: event counters; protected by the lock
 * @mappings: live mappings, read without the lock by waiters
 * @unmap_wq: woken by every unmap and restore
 */
struct rx_buffer {
	struct dma_buf *dmabuf;
	u32 flags;
	struct rx_backing *backing;
	bool revoked;
	u32 generation;
	u32 restores;
	u32 pins;
	u32 fail_next_map;
	u32 next_attach_id;
	struct list_head attachments;
	struct rx_counters count;
	atomic_t mappings;
	wait_queue_head_t unmap_wq;
};

/**
 * struct rx_attachment - the exporter's view of one attachment
 * @node: in rx_buffer.attachments
 * @attach: the attachment
 * @id: number of the attachment in this buffer, from 1
 * @flags: REVOKE_EXPORTER_ATTACH_*
 * @mappings: live mappings of this attachment; protected by the lock
 */
struct rx_attachment {
	struct list_head node;
	struct dma_buf_attachment *attach;
	u32 id;
	u32 flags;
	u32 mappings;
};

int rx_buffer_create(u64 size, u32 flags);
struct rx_buffer *rx_buffer_get(int fd);
void rx_buffer_put(struct rx_buffer *buf);
int rx_buffer_revoke(struct rx_buffer *buf, struct revoke_exporter_revoke *args);
int rx_buffer_restore(struct rx_buffer *buf);
int rx_buffer_move(struct rx_buffer *buf, struct revoke_exporter_revoke *args);
int rx_buffer_query(struct rx_buffer *buf, struct revoke_exporter_query *args);
int rx_buffer_fail_next_map(struct rx_buffer *buf, u32 error);

int rx_importer_create(struct device *dev, struct revoke_exporter_import *args);

#endif /* RX_H */
