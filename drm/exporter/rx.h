/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Revocable dma-buf test exporter: what its parts share.
 */
#ifndef RX_H
#define RX_H

#include <linux/dma-buf.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "revoke_exporter.h"

struct device;
struct pci_driver;
struct rx_bar;

#define RX_MAX_POISON_HOLDERS 4

/**
 * struct rx_poison - who had held memory that is now poisoned
 * @holders: how many attachments had mapped it when it was given back
 * @id: the first RX_MAX_POISON_HOLDERS of them, by number
 * @device: and by device name
 * @dynamic: and whether they were dynamic
 */
struct rx_poison {
	u32 holders;
	u32 id[RX_MAX_POISON_HOLDERS];
	char device[RX_MAX_POISON_HOLDERS][32];
	bool dynamic[RX_MAX_POISON_HOLDERS];
};

/**
 * struct rx_memory - the memory behind a buffer
 * @ref: held by the buffer while it is its memory, by each mapping, and by
 *	 the worker of an asynchronous move
 * @mappings: live mappings of this memory
 * @npages: size in pages
 * @pages: the pages, for memory with struct pages
 * @bar: for BAR memory: the device, referenced
 * @bar_first: for BAR memory: its first page in the BAR
 * @poisoned: the memory holds the poison pattern since importers gave it
 *	      back; protected by the buffer's reservation lock
 * @poison: who had held it
 * @node: in the buffer's quarantine, once poisoned after a move
 *
 * MOVE gives a buffer new memory; the old one lives until its last mapping
 * is unmapped and its poison was checked, so no importer can reach a freed
 * page, and a late write is seen.
 */
struct rx_memory {
	struct kref ref;
	atomic_t mappings;
	unsigned long npages;
	struct page **pages;
	struct rx_bar *bar;
	unsigned long bar_first;
	bool poisoned;
	struct rx_poison poison;
	struct list_head node;
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
 * @late_writes: words found changed in poisoned memory
 * @late_write_offset: byte offset of the first
 * @late_write_holder: the first attachment that had held it
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
	u32 late_writes;
	u64 late_write_offset;
	u32 late_write_holder;
};

/**
 * struct rx_buffer - one exported dma-buf
 * @dmabuf: the dma-buf
 * @flags: REVOKE_EXPORTER_* create flags
 * @memory: current memory; protected by the reservation lock
 * @saved: while revoked with poisoned memory, its contents; protected by
 *	   the lock
 * @quarantine: poisoned memory a move left behind, until it is checked;
 *		protected by the lock
 * @revoked: true while importers may not map; protected by the lock
 * @gone: the BAR's device went away: revoked for good; protected by the
 *	  lock
 * @generation: number of moves; protected by the lock
 * @restores: number of restores, which end a pending unmap wait;
 *	      written under the lock
 * @rescue: set by RESCUE to end an unbounded fence wait
 * @pins: pin count of dynamic importers; protected by the lock
 * @fail_next_map: errno for the next map, 0 for none; protected by the lock
 * @next_attach_id: last attachment number handed out; protected by the lock
 * @attachments: the rx_attachments; protected by the lock
 * @count: event counters; protected by the lock
 * @mappings: live mappings, read without the lock by waiters
 * @unmap_wq: woken by every unmap, restore and rescue
 * @bar_node: in the BAR's list of buffers, for BAR memory
 * @freeze_node: in the list of buffers revoked at a freeze, for
 *		 REVOKE_EXPORTER_REVOKE_AT_FREEZE
 */
struct rx_buffer {
	struct dma_buf *dmabuf;
	u32 flags;
	struct rx_memory *memory;
	void *saved;
	struct list_head quarantine;
	bool revoked;
	bool gone;
	u32 generation;
	u32 restores;
	atomic_t rescue;
	u32 pins;
	u32 fail_next_map;
	u32 next_attach_id;
	struct list_head attachments;
	struct rx_counters count;
	atomic_t mappings;
	wait_queue_head_t unmap_wq;
	struct list_head bar_node;
	struct list_head freeze_node;
};

/**
 * struct rx_attachment - the exporter's view of one attachment
 * @node: in rx_buffer.attachments
 * @attach: the attachment
 * @id: number of the attachment in this buffer, from 1
 * @flags: REVOKE_EXPORTER_ATTACH_*
 * @mappings: live mappings of this attachment; protected by the lock
 * @maps: its struct rx_mapping; protected by the lock
 */
struct rx_attachment {
	struct list_head node;
	struct dma_buf_attachment *attach;
	u32 id;
	u32 flags;
	u32 mappings;
	struct list_head maps;
};

/* rx_main.c: VFIO's memory_lock of the exporter's one "device". */
extern struct rw_semaphore rx_memory_lock;

/* rx_memory.c */
struct rx_memory *rx_memory_alloc(unsigned long npages, bool bar);
struct rx_memory *rx_memory_alloc_like(struct rx_memory *old);
void rx_memory_put(struct rx_memory *mem);
struct sg_table *rx_memory_map(struct rx_memory *mem, struct dma_buf_attachment *attach,
			       enum dma_data_direction dir, bool odd);
void rx_memory_unmap(struct rx_memory *mem, struct dma_buf_attachment *attach,
		     struct sg_table *sgt, enum dma_data_direction dir);
unsigned long rx_memory_pfn(struct rx_memory *mem, unsigned long pgoff);
void rx_memory_copy(struct rx_memory *dst, struct rx_memory *src);
void rx_memory_save(struct rx_memory *mem, void *to);
void rx_memory_load(struct rx_memory *mem, const void *from);
void rx_memory_fill(struct rx_memory *mem, u32 word);
unsigned long rx_memory_check(struct rx_memory *mem, u32 word, u64 *first);

/* rx_bar.c */
extern struct pci_driver rx_bar_driver;
struct rx_bar *rx_bar_get(void);
void rx_bar_put(struct rx_bar *bar);
int rx_bar_alloc(struct rx_bar *bar, unsigned long npages, unsigned long *first);
void rx_bar_free(struct rx_bar *bar, unsigned long first, unsigned long npages);
struct sg_table *rx_bar_map(struct rx_bar *bar, unsigned long first, unsigned long npages,
			    struct dma_buf_attachment *attach, enum dma_data_direction dir);
void rx_bar_unmap(struct dma_buf_attachment *attach, struct sg_table *sgt,
		  enum dma_data_direction dir);
phys_addr_t rx_bar_phys(struct rx_bar *bar, unsigned long page);
void *rx_bar_va(struct rx_bar *bar, unsigned long page);
bool rx_bar_access_begin(struct rx_bar *bar);
void rx_bar_access_end(struct rx_bar *bar);
int rx_bar_get_device(struct device **dev);
int rx_bar_add_buffer(struct rx_bar *bar, struct rx_buffer *buf);
void rx_bar_del_buffer(struct rx_bar *bar, struct rx_buffer *buf);

/* rx_buffer.c */
int rx_buffer_create(u64 size, u32 flags, struct dma_buf **dmabuf);
struct rx_buffer *rx_buffer_get(int fd);
struct page *rx_buffer_first_page(struct dma_buf *dmabuf);
bool rx_buffer_is_ours(struct dma_buf *dmabuf);
void rx_buffer_put(struct rx_buffer *buf);
int rx_buffer_query(struct rx_buffer *buf, struct revoke_exporter_query *args);
int rx_buffer_fail_next_map(struct rx_buffer *buf, u32 error);

/* rx_sequence.c */
int rx_buffer_revoke(struct rx_buffer *buf, struct revoke_exporter_revoke *args);
int rx_buffer_restore(struct rx_buffer *buf);
int rx_buffer_move(struct rx_buffer *buf, struct revoke_exporter_revoke *args);
void rx_buffer_rescue(struct rx_buffer *buf);
void rx_buffer_gone(struct rx_buffer *buf);
void rx_poison_record(struct rx_buffer *buf, struct rx_memory *mem);
void rx_poison_check(struct rx_buffer *buf);
void rx_poison_release(struct rx_buffer *buf);

/* rx_move_fence.c */
int rx_move_fence_init(void);
void rx_move_fence_fini(void);

/* rx_freeze.c */
int rx_freeze_init(void);
void rx_freeze_fini(void);
void rx_freeze_add(struct rx_buffer *buf);
void rx_freeze_del(struct rx_buffer *buf);
struct dma_fence *rx_move_start(struct rx_buffer *buf, struct rx_memory *from,
				struct rx_memory *to, unsigned int delay_ms);

/* rx_importer.c */
struct file *rx_importer_create(struct device *dev, struct revoke_exporter_import *args);

#endif /* RX_H */
