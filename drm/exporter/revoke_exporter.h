/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * uAPI of the revocable dma-buf test exporter (/dev/revoke_exporter, root
 * only). It exports dma-bufs backed by pages it owns and takes them away
 * from their importers the way VFIO does, so importers can be tested
 * against the revoke contract of dma_buf_invalidate_mappings().
 *
 * Every ioctl is issued on the misc device and names a dma-buf by its fd.
 * Errors common to them: EBADF (fd is not open), EINVAL (fd is not a
 * dma-buf, or reserved fields or flags are set), EOPNOTSUPP (the dma-buf
 * belongs to another exporter), EFAULT.
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
 * CREATE flags. By default, as VFIO, importers that cannot be revoked
 * (static attachments, or dynamic ones without invalidate_mappings) are
 * refused with EOPNOTSUPP.
 */
#define REVOKE_EXPORTER_ALLOW_STATIC	0x1 /* accept non-revocable importers */
#define REVOKE_EXPORTER_REQUIRE_P2P	0x2 /* refuse importers without peer2peer */
#define REVOKE_EXPORTER_PIN		0x4 /* offer pin/unpin */
#define REVOKE_EXPORTER_MMAP		0x8 /* offer mmap of the dma-buf fd */
#define REVOKE_EXPORTER_CREATE_FLAGS	0xf

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
 * @pad: must be 0
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
 * @flags: must be 0
 * @timeout_ns: bound for each of the two waits, fences and unmaps; 1 ns to
 *		60 s (EINVAL otherwise); a wait that times out lasted at
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
 * @pad: must be 0
 * @holder: out: see @holders
 *
 * REVOKE: under the reservation lock, mark the buffer revoked, invalidate
 * the importers' mappings and wait for the fences; unlock; wait until
 * every mapping is unmapped. Errors: EALREADY (already revoked); ETIMEDOUT
 * (a wait passed @timeout_ns: the buffer stays revoked, and its pages stay
 * alive until the last mapping is gone); EINTR (a signal ended a wait);
 * ECANCELED (a RESTORE ended the unmap wait). The out fields are written
 * on success and on ETIMEDOUT, EINTR and ECANCELED.
 *
 * MOVE: under the reservation lock, wait for the fences, copy the contents
 * to new pages, invalidate the importers' mappings, switch to the new
 * pages; unlock; wait until the old pages are unmapped. Importers re-map
 * and see the same data. Errors: ENODEV (revoked), EBUSY (pinned),
 * ETIMEDOUT, EINTR.
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
	__u32 pad;
	struct revoke_exporter_holder holder[REVOKE_EXPORTER_MAX_HOLDERS];
};

/**
 * struct revoke_exporter_buf - RESTORE: the buffer may be mapped again
 * @fd: the dma-buf
 * @flags: must be 0
 *
 * Clears the revoked state and then invalidates, under one hold of the
 * reservation lock, so importers told to re-map find the buffer mappable.
 * Errors: EALREADY (not revoked).
 */
struct revoke_exporter_buf {
	__s32 fd;
	__u32 flags;
};

/**
 * struct revoke_exporter_fail_map - FAIL_MAP: fault injection
 * @fd: the dma-buf
 * @error: the errno the next map of the buffer fails with, 1 to 4095;
 *	   0 cancels a pending injection
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
 * @pad: out: 0
 * @attach: out: attach calls that succeeded
 * @detach: out: detach calls
 * @map: out: map calls that succeeded
 * @unmap: out: unmap calls
 * @map_failed: out: map calls that failed (revoked, injected or no memory)
 * @revoke: out: REVOKE calls that revoked
 * @restore: out: RESTORE calls that restored
 * @move: out: MOVE calls that moved
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
#define REVOKE_IMPORTER_FLAGS		0xf

/**
 * struct revoke_exporter_import - IMPORT: attach the module's test importer
 * @fd: any dma-buf
 * @flags: REVOKE_IMPORTER_*
 * @unmap_delay_ms: how the importer answers invalidate_mappings: 0 unmaps
 *		    in the callback; otherwise a worker unmaps this many
 *		    milliseconds later (at most 60000)
 * @importer_fd: out: the importer; closing it unmaps and detaches
 *
 * Attaches and maps at once. Errors: the exporter's attach or map error.
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
 */
struct revoke_importer_status {
	__u32 mapped;
	__u32 map_error;
	__u32 invalidations;
	__u32 maps;
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

/* On an importer fd: MAP maps again (after an invalidation), UNMAP unmaps. */
#define REVOKE_IMPORTER_IOCTL_MAP	_IO(REVOKE_EXPORTER_IOC_MAGIC, 0x40)
#define REVOKE_IMPORTER_IOCTL_UNMAP	_IO(REVOKE_EXPORTER_IOC_MAGIC, 0x41)
#define REVOKE_IMPORTER_IOCTL_STATUS \
	_IOR(REVOKE_EXPORTER_IOC_MAGIC, 0x42, struct revoke_importer_status)

#endif /* _UAPI_REVOKE_EXPORTER_H */
