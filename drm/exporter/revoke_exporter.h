/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * uAPI of the revocable dma-buf test exporter (/dev/revoke_exporter, root
 * only). It exports dma-bufs backed by pages it owns, or by the BAR of a
 * PCI device it drives, and takes them away from their importers the way
 * VFIO does, so importers can be tested against the revoke contract of
 * dma_buf_invalidate_mappings().
 *
 * Every ioctl is issued on the misc device and names a dma-buf by its fd.
 * Errors common to them: EBADF (fd is not open), EINVAL (fd is not a
 * dma-buf, or flags are set that the ioctl does not know), EOPNOTSUPP (the
 * dma-buf belongs to another exporter), EFAULT, EINTR (a signal came while
 * waiting for the buffer's reservation lock), EMFILE (no fd for a new
 * file), ENOMEM.
 *
 * The module also offers a test importer (IMPORT), so the exporter's
 * sequences can be exercised with importers of known behaviour.
 */
#ifndef _UAPI_REVOKE_EXPORTER_H
#define _UAPI_REVOKE_EXPORTER_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define REVOKE_EXPORTER_DEVICE "/dev/revoke_exporter"

/*
 * CREATE flags. By default a buffer behaves like VFIO's dma-buf of a BAR,
 * except for its memory (pages with struct page unless BAR is given):
 * - importers that cannot be revoked (static attachments, or dynamic ones
 *   without invalidate_mappings) are refused with EOPNOTSUPP;
 * - REVOKE and RESTORE hold the exporter's outer lock for writing from
 *   start to end, as VFIO holds memory_lock; CPU faults of the buffer's own
 *   mmap take it for reading and wait meanwhile (MOVE, which VFIO has not,
 *   does not take it);
 * - REVOKE waits for the fences without a timeout and without being
 *   interruptible, as VFIO does (only RESCUE ends that wait, or the
 *   caller's death: a killed test leaves the buffer revoked);
 * - RESTORE invalidates while the buffer is still revoked, waits for the
 *   fences, unlocks, and only then clears the revoked state, as VFIO does:
 *   an importer that re-maps from its callback gets ENODEV there;
 * - the memory importers gave back is poisoned once the last of them
 *   unmapped, and checked later (see struct revoke_exporter_query).
 * Importers without peer2peer are admitted, as exporters of system memory
 * do, unless the buffer requires peer-to-peer (REQUIRE_P2P, BAR), as VFIO
 * always does. The other flags bring back the friendlier behaviour a test
 * names.
 */
#define REVOKE_EXPORTER_ALLOW_STATIC	0x1 /* accept non-revocable importers */
#define REVOKE_EXPORTER_REQUIRE_P2P	0x2 /* refuse importers without peer2peer */
#define REVOKE_EXPORTER_PIN		0x4 /* offer pin/unpin */
#define REVOKE_EXPORTER_MMAP		0x8 /* offer mmap of the dma-buf fd */
/* RESTORE clears the revoked state first, then invalidates, in one hold. */
#define REVOKE_EXPORTER_RESTORE_CLEAR_FIRST	0x10
/* REVOKE's fence wait is bounded by timeout_ns and interruptible. */
#define REVOKE_EXPORTER_BOUNDED_FENCE_WAIT	0x20
/* No outer lock: a RESTORE can end a REVOKE's unmap wait (ECANCELED). */
#define REVOKE_EXPORTER_NO_OUTER_LOCK	0x40
/*
 * Memory of the BAR of the PCI device bound to the exporter (an
 * ivshmem-plain device, bound through driver_override), without struct
 * pages, mapped for importers as dma_buf_phys_vec_to_sgt() maps VFIO's:
 * peer-to-peer only, so REQUIRE_P2P is implied, and only for PCI devices
 * with a peer-to-peer path to it. No MOVE (EOPNOTSUPP). CREATE fails with
 * ENODEV when no device is bound and ENOSPC when its BAR is full.
 */
#define REVOKE_EXPORTER_BAR		0x80
/*
 * Mappings of pages whose first page is split in two segments of half a
 * page each, as the scatterlist and DMA API allow: importers must not
 * assume whole pages per segment. Not with BAR (EINVAL).
 */
#define REVOKE_EXPORTER_ODD_SEGMENTS	0x100
/*
 * The fd's mmap leaves VM_DONTEXPAND to its caller, as exporters whose
 * mmap is shmem's do: an importer that maps through the exporter must
 * keep its mapping from growing itself. Only with MMAP (EINVAL).
 */
#define REVOKE_EXPORTER_MMAP_EXPANDABLE	0x200
/*
 * REVOKE in the late phase of every system freeze (hibernation, or its
 * "platform" pm_test), after all devices' freeze callbacks, as a device
 * whose memory goes away during the sleep: importers are invalidated while
 * their own devices are frozen. The fence wait is unbounded, the unmap wait
 * 5 s; the result is logged, a failure, or a revoke longer than the module
 * parameter freeze_bound_ms (if not 0), as an error. The buffer stays
 * revoked until RESTORE.
 */
#define REVOKE_EXPORTER_REVOKE_AT_FREEZE	0x400
#define REVOKE_EXPORTER_CREATE_FLAGS	0x7ff

#define REVOKE_EXPORTER_MAX_SIZE	0x40000000ull

/**
 * struct revoke_exporter_create - CREATE: a new dma-buf
 * @size: bytes; a non-zero multiple of the page size, at most
 *	  REVOKE_EXPORTER_MAX_SIZE (EINVAL otherwise)
 * @flags: REVOKE_EXPORTER_* create flags (EINVAL for others)
 * @fd: out: the dma-buf, O_RDWR | O_CLOEXEC
 */
struct revoke_exporter_create {
	__u64 size;
	__u32 flags;
	__s32 fd;
};

#define REVOKE_EXPORTER_MAX_HOLDERS 4

/**
 * struct revoke_exporter_holder - an attachment that still holds a mapping
 * @id: the attachment's number, counted from 1 per buffer
 * @flags: REVOKE_EXPORTER_ATTACH_* of the attachment
 * @mappings: how many mappings it holds
 * @pad: 0
 * @device: the importing device's name
 */
struct revoke_exporter_holder {
	__u32 id;
	__u32 flags;
	__u32 mappings;
	__u32 pad;
	char device[32];
};

#define REVOKE_EXPORTER_ATTACH_DYNAMIC		0x1
#define REVOKE_EXPORTER_ATTACH_REVOCABLE	0x2
#define REVOKE_EXPORTER_ATTACH_P2P		0x4

/**
 * struct revoke_exporter_revoke - REVOKE and MOVE: the sequence and its timing
 * @fd: the dma-buf
 * @flags: REVOKE: must be 0; MOVE: REVOKE_EXPORTER_MOVE_*
 * @timeout_ns: bound of each wait: the unmap wait, the fence wait of MOVE
 *		and of REVOKE with REVOKE_EXPORTER_BOUNDED_FENCE_WAIT, and
 *		MOVE's wait for its asynchronous copy; 1 ns to 60 s (EINVAL
 *		otherwise); a fence or unmap wait that times out lasted at
 *		least this long on CLOCK_MONOTONIC
 * @invalidate_ns: out: time spent in dma_buf_invalidate_mappings(), that
 *		   is in the importers' callbacks
 * @fence_wait_ns: out: time waiting for all fences (BOOKKEEP) to signal
 * @unmap_wait_ns: out: time waiting until every importer had unmapped
 * @signal_to_done_ns: out: when fences were pending as the fence wait
 *		       began, the time from the last of them signalling to the
 *		       end of the sequence (after the unmap wait); else 0
 * @attachments: out: attachments when the sequence started
 * @dynamic: out: of those, dynamic ones
 * @static_: out: of those, static ones
 * @revocable: out: of those, ones dma_buf_attach_revocable() accepts
 * @mappings_before: out: live mappings when the sequence started
 * @mappings_after: out: live mappings when the ioctl returned
 * @holders: out: with ETIMEDOUT from the unmap wait, how many attachments
 *	     still hold a mapping; the first REVOKE_EXPORTER_MAX_HOLDERS are
 *	     in @holder
 * @delay_ms: MOVE with REVOKE_EXPORTER_MOVE_ASYNC: the copy starts this
 *	      many milliseconds after MOVE unlocked, at most 1000; else 0
 * @holder: out: see @holders
 * @locked_ns: out: REVOKE: time the exporter's outer lock was held for
 *	       writing, during which CPU faults of the buffer's mmap wait (0
 *	       with REVOKE_EXPORTER_NO_OUTER_LOCK); MOVE: 0
 * @poisoned: out: bytes poisoned at the end, because importers had mapped
 *	      them and gave them back; 0 when nothing was poisoned (no
 *	      mapping, or no memory to keep the contents in: unchecked)
 *
 * REVOKE: under the reservation lock, mark the buffer revoked, invalidate
 * the importers' mappings and wait for the fences; unlock; wait until
 * every mapping is unmapped; save the contents and poison the memory.
 * Errors: EALREADY (already revoked); ETIMEDOUT (a wait passed
 * @timeout_ns: the buffer stays revoked, and its memory stays alive until
 * the last mapping is gone); EINTR (a signal ended a bounded fence wait or
 * the unmap wait, or a fatal one the unbounded fence wait); ECANCELED (a
 * RESTORE ended the unmap wait, only with REVOKE_EXPORTER_NO_OUTER_LOCK);
 * ECONNABORTED (RESCUE ended the fence wait). The out fields are written
 * on success and on these errors.
 *
 * MOVE: under the reservation lock, zap CPU mappings, invalidate the
 * importers' mappings, wait for the fences (including any an importer
 * added from its callback; bounded by @timeout_ns, interruptible), copy the
 * contents to new pages and switch to them; unlock; wait until the old
 * pages are unmapped, then poison them. When the fence wait fails, the
 * buffer stays on its old pages and its importers map them again. With
 * REVOKE_EXPORTER_MOVE_ASYNC the copy is left to a worker, and its fence
 * is published in the reservation
 * object as DMA_RESV_USAGE_KERNEL: until it signals, the new pages hold
 * REVOKE_EXPORTER_STALE_WORD in every word, and importers must wait for it
 * before they touch them, as TTM's asynchronous moves demand. Errors:
 * ENODEV (revoked), EBUSY (pinned, or an importer that cannot be
 * invalidated holds a mapping: it would go on using the old pages),
 * EOPNOTSUPP (BAR memory), ENOMEM, ETIMEDOUT, EINTR.
 */
struct revoke_exporter_revoke {
	__s32 fd;
	__u32 flags;
	__u64 timeout_ns;
	__u64 invalidate_ns;
	__u64 fence_wait_ns;
	__u64 unmap_wait_ns;
	__u64 signal_to_done_ns;
	__u32 attachments;
	__u32 dynamic;
	__u32 static_;
	__u32 revocable;
	__u32 mappings_before;
	__u32 mappings_after;
	__u32 holders;
	__u32 delay_ms;
	struct revoke_exporter_holder holder[REVOKE_EXPORTER_MAX_HOLDERS];
	__u64 locked_ns;
	__u64 poisoned;
};

/* MOVE flags */
#define REVOKE_EXPORTER_MOVE_ASYNC	0x1
#define REVOKE_EXPORTER_MAX_MOVE_DELAY_MS 1000

/* What the new pages of an asynchronous MOVE hold until the copy is done. */
#define REVOKE_EXPORTER_STALE_WORD	0x57a1e000u
/* What memory importers gave back holds until it is checked. */
#define REVOKE_EXPORTER_POISON_WORD	0xdead5a5au

/**
 * struct revoke_exporter_buf - RESTORE and RESCUE
 * @fd: the dma-buf
 * @flags: must be 0
 *
 * RESTORE: as VFIO, under the reservation lock invalidate while the buffer
 * is still revoked and wait for the fences, unlock, check the poison and
 * bring the contents back, and then clear the revoked state. With
 * REVOKE_EXPORTER_RESTORE_CLEAR_FIRST it clears the state first and then
 * invalidates, in one hold of the lock. Errors: EALREADY (not revoked, or
 * restored meanwhile), ENODEV (the BAR's device went away: revoked for
 * good), ECONNABORTED (RESCUE ended the fence wait; the buffer stays
 * revoked).
 *
 * RESCUE: ends the unbounded fence wait of a REVOKE or RESTORE running on
 * this buffer (a test's watchdog uses it, so that a fence that never
 * signals does not hang the test for good); 0 whether or not one runs.
 */
struct revoke_exporter_buf {
	__s32 fd;
	__u32 flags;
};

/**
 * struct revoke_exporter_fail_map - FAIL_MAP: fault injection
 * @fd: the dma-buf
 * @error: the errno the next map of the buffer fails with, 1 to 511
 *	   (EINVAL otherwise: the kernel keeps the rest for itself); 0
 *	   cancels a pending injection
 */
struct revoke_exporter_fail_map {
	__s32 fd;
	__u32 error;
};

#define REVOKE_EXPORTER_STATE_REVOKED	0x1
#define REVOKE_EXPORTER_STATE_PINNED	0x2

/**
 * struct revoke_exporter_query - QUERY: state and counters of a buffer
 * @fd: the dma-buf
 * @flags: must be 0
 * @size: out: bytes
 * @create_flags: out: the flags it was created with
 * @state: out: REVOKE_EXPORTER_STATE_*
 * @attachments: out: live attachments
 * @mappings: out: live mappings
 * @generation: out: how many times MOVE gave it new pages
 * @late_writes: out: words found changed in poisoned memory so far; each
 *		 finding is also logged as an error, with the attachments
 *		 that had held the memory
 * @late_write_offset: out: the byte offset of the first such word
 * @late_write_holder: out: the number of the first attachment that had
 *		       held it
 * @pad: out: 0
 * @attach: out: attach calls that succeeded
 * @detach: out: detach calls
 * @map: out: map calls that succeeded
 * @unmap: out: unmap calls
 * @map_failed: out: map calls that failed (revoked, injected or no memory)
 * @revoke: out: REVOKE calls that revoked
 * @restore: out: RESTORE calls that restored
 * @move: out: MOVE calls that moved
 *
 * QUERY also checks all poisoned memory of the buffer.
 */
struct revoke_exporter_query {
	__s32 fd;
	__u32 flags;
	__u64 size;
	__u32 create_flags;
	__u32 state;
	__u32 attachments;
	__u32 mappings;
	__u32 generation;
	__u32 late_writes;
	__u64 late_write_offset;
	__u32 late_write_holder;
	__u32 pad;
	__u64 attach;
	__u64 detach;
	__u64 map;
	__u64 unmap;
	__u64 map_failed;
	__u64 revoke;
	__u64 restore;
	__u64 move;
};

/* IMPORT flags: how the test importer attaches. */
#define REVOKE_IMPORTER_DYNAMIC		0x1 /* dma_buf_dynamic_attach() */
#define REVOKE_IMPORTER_REVOCABLE	0x2 /* with invalidate_mappings (needs DYNAMIC) */
#define REVOKE_IMPORTER_P2P		0x4 /* allow_peer2peer */
#define REVOKE_IMPORTER_PIN		0x8 /* pin while mapped (needs DYNAMIC) */
/* Map again from the callback, at once (needs REVOCABLE). */
#define REVOKE_IMPORTER_EAGER		0x10
/* A failed map holds until the next invalidation: MAPs fail with it. */
#define REVOKE_IMPORTER_LATCH		0x20
/* Attach as the PCI device of the exporter's BAR (ENODEV without one). */
#define REVOKE_IMPORTER_PEER		0x40
/*
 * A bug on purpose: remember where the first page of the mapping is in the
 * kernel, and write there on POKE even after unmapping. Only for memory
 * with struct pages (EINVAL at map otherwise). LATE_WRITER and EAGER are
 * for this exporter's buffers only (EOPNOTSUPP for others).
 */
#define REVOKE_IMPORTER_LATE_WRITER	0x80
#define REVOKE_IMPORTER_FLAGS		0xff

/**
 * struct revoke_exporter_import - IMPORT: attach the module's test importer
 * @fd: any dma-buf
 * @flags: REVOKE_IMPORTER_*
 * @unmap_delay_ms: how the importer answers invalidate_mappings: 0 unmaps
 *		    in the callback; otherwise a worker unmaps this many
 *		    milliseconds later (at most 60000)
 * @importer_fd: out: the importer; closing it unmaps and detaches
 *
 * Attaches and maps at once. Errors: EBADF or EINVAL (@fd is no
 * dma-buf), EINVAL (contradicting flags, a delay above 60 s, LATE_WRITER
 * on memory without struct pages), EOPNOTSUPP (LATE_WRITER or EAGER on
 * another exporter's dma-buf), ENODEV (PEER without the exporter's PCI
 * device), the exporter's attach or map error, ENOMEM, EMFILE.
 */
struct revoke_exporter_import {
	__s32 fd;
	__u32 flags;
	__u32 unmap_delay_ms;
	__s32 importer_fd;
};

/**
 * struct revoke_importer_status - STATUS (on an importer fd)
 * @mapped: out: 1 while the importer holds a mapping
 * @map_error: out: the errno of its last failed map, else 0
 * @invalidations: out: invalidate_mappings calls it received
 * @maps: out: mappings it made
 * @latched: out: 1 when a failed map latched (REVOKE_IMPORTER_LATCH)
 * @pad: out: 0
 */
struct revoke_importer_status {
	__u32 mapped;
	__u32 map_error;
	__u32 invalidations;
	__u32 maps;
	__u32 latched;
	__u32 pad;
};

#define REVOKE_EXPORTER_IOC_MAGIC 0xE7

#define REVOKE_EXPORTER_IOCTL_CREATE \
	_IOWR(REVOKE_EXPORTER_IOC_MAGIC, 0x00, struct revoke_exporter_create)
#define REVOKE_EXPORTER_IOCTL_REVOKE \
	_IOWR(REVOKE_EXPORTER_IOC_MAGIC, 0x01, struct revoke_exporter_revoke)
#define REVOKE_EXPORTER_IOCTL_RESTORE \
	_IOW(REVOKE_EXPORTER_IOC_MAGIC, 0x02, struct revoke_exporter_buf)
#define REVOKE_EXPORTER_IOCTL_MOVE \
	_IOWR(REVOKE_EXPORTER_IOC_MAGIC, 0x03, struct revoke_exporter_revoke)
#define REVOKE_EXPORTER_IOCTL_QUERY \
	_IOWR(REVOKE_EXPORTER_IOC_MAGIC, 0x04, struct revoke_exporter_query)
#define REVOKE_EXPORTER_IOCTL_FAIL_MAP \
	_IOW(REVOKE_EXPORTER_IOC_MAGIC, 0x05, struct revoke_exporter_fail_map)
#define REVOKE_EXPORTER_IOCTL_IMPORT \
	_IOWR(REVOKE_EXPORTER_IOC_MAGIC, 0x06, struct revoke_exporter_import)
#define REVOKE_EXPORTER_IOCTL_RESCUE \
	_IOW(REVOKE_EXPORTER_IOC_MAGIC, 0x07, struct revoke_exporter_buf)

/*
 * On an importer fd: MAP maps again (after an invalidation), UNMAP unmaps,
 * POKE writes a word where the first page was (LATE_WRITER only, EINVAL
 * otherwise; ENOENT when it never mapped).
 */
#define REVOKE_IMPORTER_IOCTL_MAP	_IO(REVOKE_EXPORTER_IOC_MAGIC, 0x40)
#define REVOKE_IMPORTER_IOCTL_UNMAP	_IO(REVOKE_EXPORTER_IOC_MAGIC, 0x41)
#define REVOKE_IMPORTER_IOCTL_POKE	_IO(REVOKE_EXPORTER_IOC_MAGIC, 0x43)
#define REVOKE_IMPORTER_IOCTL_STATUS \
	_IOR(REVOKE_EXPORTER_IOC_MAGIC, 0x42, struct revoke_importer_status)

#endif /* _UAPI_REVOKE_EXPORTER_H */
