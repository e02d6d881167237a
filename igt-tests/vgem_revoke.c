// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The dma-buf revoke test authors
 */

/**
 * TEST: vgem revoke
 * Description: vgem as a revocable dynamic importer: buffers of a revoking
 *		exporter are imported, mapped through vgem and fenced by vgem;
 *		revokes unmap them in bounded time, accesses after a revoke
 *		fail cleanly, and restores and moves bring the data back.
 * Category: Core
 * Mega feature: General Core features
 * Sub-category: DMA-BUF
 * Functionality: dma-buf revoke
 * Feature: prime, vgem
 * Test category: functionality test
 *
 * SUBTEST: import-revocable
 * Description: The exporter, which refuses importers that cannot be
 *		revoked, accepts vgem's import and counts it as a dynamic,
 *		revocable attachment.
 *
 * SUBTEST: revoke-idle-import
 * Description: Revoking a buffer vgem imported but never mapped needs no
 *		unmap wait.
 *
 * SUBTEST: mmap-import
 * Description: Data written through the exporter's mapping is read
 *		through vgem's mapping of the import, and back.
 *
 * SUBTEST: mmap-needs-exporter-mmap
 * Description: vgem's mapping of an import is the exporter's: MAP_DUMB
 *		gives the import an offset, but mmap fails with EINVAL, as an
 *		mmap of the dma-buf does, when the exporter offers none, and a
 *		private mapping fails as the exporter refuses it.
 *
 * SUBTEST: mapping-outlives-import
 * Description: vgem's mapping of an import is the exporter's: it keeps
 *		working after the handle, the vgem file and the vgem module
 *		are gone, is shared with a forked child, and a revoke still
 *		takes it away.
 *
 * SUBTEST: mapping-cannot-grow
 * Description: vgem's mapping of an import whose exporter's mmap leaves
 *		VM_DONTEXPAND to its caller (as shmem's does) cannot grow
 *		past the object: vgem sets the flag itself, and the core's
 *		warning about it stays quiet.
 *
 * SUBTEST: data-survives-revoke
 * Description: A vgem job maps the attachment (a bounce buffer in a
 *		swiotlb=force guest) and keeps no mapping; data written through
 *		vgem's mapping is in the exporter's pages at once and is still
 *		there after a revoke and a restore, and after a move.
 *
 * SUBTEST: odd-segments
 * Description: A mapping whose first page is two half-page segments, as
 *		the scatterlist and DMA API allow, is read through vgem's
 *		mapping as the exporter wrote it, page for page.
 *
 * SUBTEST: sigbus-after-revoke
 * Description: After a job vgem keeps no DMA mapping of the import; a
 *		revoke takes the mapping through vgem away (the exporter's
 *		own) before it returns; the next access gets SIGBUS, and after
 *		the restore it sees the data.
 *
 * SUBTEST: sigbus-write-after-revoke
 * Description: A write through vgem's mapping of a revoked import gets
 *		SIGBUS and reaches no memory; after the restore the data is
 *		as before the revoke.
 *
 * SUBTEST: move-through-vgem
 * Description: After the exporter moves the buffer to new pages, vgem's
 *		mapping sees the same data, and writes reach the new pages.
 *
 * SUBTEST: move-async-through-vgem
 * Description: After an asynchronous move, whose copy is still pending
 *		behind a kernel fence, vgem's mapping (the exporter's) waits
 *		for the copy and sees the data, never the new pages' stale
 *		contents; vgem's FENCE_ATTACH, which maps for the job, gets
 *		EBUSY while the copy's kernel fence is pending.
 *
 * SUBTEST: bar-refused
 * Description: vgem is no peer-to-peer importer: the exporter refuses its
 *		import of BAR memory with EOPNOTSUPP.
 *
 * SUBTEST: fence-write-wait
 * Description: With a vgem write fence on the import, the revoke waits for
 *		it and finishes within the bound after it is signalled (20
 *		runs); the fence, not a mapping, holds the revoke.
 *
 * SUBTEST: fence-read-wait
 * Description: The same with a vgem read fence.
 *
 * SUBTEST: fence-expiry
 * Description: A vgem fence nobody signals expires after 10 s, and the
 *		revoke finishes then.
 *
 * SUBTEST: fence-attach-revoked
 * Description: FENCE_ATTACH on a revoked import fails with the exporter's
 *		ENODEV, and works again after the restore.
 *
 * SUBTEST: ioctls-on-revoked
 * Description: vgem's ioctls on a revoked import: MAP_DUMB and mmap work
 *		(the access gets SIGBUS), exporting it again gives the same
 *		dma-buf, FENCE_ATTACH gets ENODEV, importing it into another
 *		file gets ENODEV, and closing it works; after the restore the
 *		import maps and fences again.
 *
 * SUBTEST: fence-attach-interrupted
 * Description: A FENCE_ATTACH that waits for the reservation lock held by
 *		a revoke is interrupted by a signal (EINTR).
 *
 * SUBTEST: many-importers
 * Description: Sixteen vgem files import one buffer, map it through
 *		vgem and run a job on it; vgem keeps no DMA mapping, and a
 *		revoke takes every CPU mapping away before it returns.
 *
 * SUBTEST: close-vgem-during-revoke
 * Description: Closing the vgem file whose fence a revoke waits for
 *		signals the fence and lets the revoke finish.
 *
 * SUBTEST: unload-with-imports
 * Description: vgem cannot be unloaded while a file holds imports; once it
 *		is closed vgem unloads and every attachment is gone.
 */

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "igt.h"
#include "igt_kmod.h"
#include "igt_vgem.h"
#include "dmabuf_sync_file.h"
#include "revoke_bounds.h"
#include "revoke_exporter_helpers.h"
#include "revoke_vgem_helpers.h"
#include "revoke_watchdog.h"
#include "sw_sync.h"
#include "vgem_drm.h"

IGT_TEST_DESCRIPTION("Tests vgem as a revocable dynamic importer of dma-bufs.");

#define BUF_SIZE (64 * 4096)

static int dev = -1;

static void test_import_revocable(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0);
	struct revoke_exporter_revoke r;
	struct revoke_exporter_query q;
	int vgem = drm_open_driver(DRIVER_VGEM);
	struct drm_prime_handle args = { .fd = dmabuf };

	igt_assert_f(igt_ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &args) == 0,
		     "the exporter refused vgem's import (%m): vgem attaches statically, as without drm/patches/\n");
	revoke_exporter_query(dev, dmabuf, &q);
	igt_assert_eq(q.attachments, 1);
	revoke_exporter_revoke(dev, dmabuf, &r);
	igt_assert_eq(r.attachments, 1);
	igt_assert_eq(r.dynamic, 1);
	igt_assert_eq(r.revocable, 1);
	drm_close_driver(vgem);
	revoke_exporter_release(dev, dmabuf);
}

static void test_revoke_idle_import(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0);
	struct revoke_vgem_import imp = revoke_vgem_import(dmabuf, BUF_SIZE);
	struct revoke_exporter_revoke r;

	revoke_exporter_revoke(dev, dmabuf, &r);
	igt_assert_eq(r.mappings_before, 0);
	igt_assert_lt_u64(r.unmap_wait_ns, revoke_bound_step_ns());
	revoke_vgem_close(dev, &imp, dmabuf);
}

/* A buffer of the exporter (with MMAP) imported into vgem, mapped through both. */
struct shared_buffer {
	int dmabuf;
	struct revoke_vgem_import imp;
	uint32_t *exp;	/* the exporter's own mapping */
	uint32_t *map;	/* the mapping through vgem */
};

static struct shared_buffer shared_buffer_create(uint32_t flags)
{
	struct shared_buffer b = {
		.dmabuf = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_MMAP | flags),
	};

	b.imp = revoke_vgem_import(b.dmabuf, BUF_SIZE);
	b.exp = revoke_exporter_mmap(b.dmabuf, BUF_SIZE);
	b.map = revoke_vgem_mmap(&b.imp);
	return b;
}

static void shared_buffer_release(struct shared_buffer *b)
{
	munmap(b->map, BUF_SIZE);
	munmap(b->exp, BUF_SIZE);
	revoke_vgem_close(dev, &b->imp, b->dmabuf);
}

static void test_mmap_import(void)
{
	struct shared_buffer b = shared_buffer_create(0);

	revoke_fill(b.exp, BUF_SIZE, 0x1234);
	revoke_check(b.map, BUF_SIZE, 0x1234);
	revoke_fill(b.map, BUF_SIZE, 0x5678);
	revoke_check(b.exp, BUF_SIZE, 0x5678);
	shared_buffer_release(&b);
}

static void test_mmap_needs_exporter_mmap(void)
{
	int plain = revoke_exporter_create(dev, BUF_SIZE, 0);
	int mappable = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_MMAP);
	struct revoke_vgem_import imp = revoke_vgem_import(plain, BUF_SIZE);
	struct revoke_vgem_import other = revoke_vgem_import(mappable, BUF_SIZE);
	struct drm_mode_map_dumb arg = { .handle = imp.bo.handle };
	void *ptr;

	igt_assert_eq(igt_ioctl(imp.vgem, DRM_IOCTL_MODE_MAP_DUMB, &arg), 0);
	ptr = mmap(NULL, BUF_SIZE, PROT_READ, MAP_SHARED, imp.vgem, arg.offset);
	igt_assert(ptr == MAP_FAILED);
	igt_assert_eq(errno, EINVAL);
	ptr = mmap(NULL, BUF_SIZE, PROT_READ, MAP_SHARED, plain, 0);
	igt_assert(ptr == MAP_FAILED);
	igt_assert_eq(errno, EINVAL);

	/* The exporter takes shared mappings only. */
	arg = (struct drm_mode_map_dumb){ .handle = other.bo.handle };
	igt_assert_eq(igt_ioctl(other.vgem, DRM_IOCTL_MODE_MAP_DUMB, &arg), 0);
	ptr = mmap(NULL, BUF_SIZE, PROT_READ, MAP_PRIVATE, other.vgem, arg.offset);
	igt_assert(ptr == MAP_FAILED);
	igt_assert_eq(errno, EINVAL);

	revoke_vgem_close(dev, &other, mappable);
	revoke_vgem_close(dev, &imp, plain);
}

static void test_mapping_outlives_import(void)
{
	struct shared_buffer b = shared_buffer_create(0);
	struct revoke_exporter_revoke r;
	uint32_t value;

	revoke_fill(b.exp, BUF_SIZE, 0x5151);
	gem_close(b.imp.vgem, b.imp.bo.handle);
	drm_close_driver(b.imp.vgem);
	revoke_vgem_reload_at_exit();
	igt_assert_eq(igt_kmod_unload("vgem"), 0);
	revoke_check(b.map, BUF_SIZE, 0x5151);

	igt_fork(child, 1)
		revoke_fill(b.map, BUF_SIZE, 0x6161);
	igt_waitchildren();
	revoke_check(b.exp, BUF_SIZE, 0x6161);

	revoke_exporter_revoke(dev, b.dmabuf, &r);
	igt_assert_eq(r.attachments, 0);
	igt_assert(!revoke_read_word(b.map, &value));
	revoke_exporter_restore(dev, b.dmabuf);
	revoke_check(b.map, BUF_SIZE, 0x6161);
	munmap(b.map, BUF_SIZE);
	munmap(b.exp, BUF_SIZE);
	revoke_exporter_release(dev, b.dmabuf);
	igt_assert_eq(igt_kmod_load("vgem", NULL), 0);
}

/* Whether the mapping at @addr has VM_DONTEXPAND ("de" in smaps' VmFlags). */
static bool mapping_cannot_grow(const void *addr)
{
	char line[512], start[32];
	bool found = false, de = false;
	FILE *f = fopen("/proc/self/smaps", "r");

	igt_assert(f);
	snprintf(start, sizeof(start), "%lx-", (unsigned long)addr);
	while (fgets(line, sizeof(line), f)) {
		char *space = strchr(line, ' ');

		/* A mapping's first line starts with its range, the others "Name:". */
		if (space && space > line && space[-1] != ':')
			found = !strncmp(line, start, strlen(start));
		else if (found && !strncmp(line, "VmFlags:", 8)) {
			de = strstr(line, " de") != NULL;
			break;
		}
	}
	fclose(f);
	igt_assert_f(found, "no mapping at %p in smaps\n", addr);
	return de;
}

static void test_mapping_cannot_grow(void)
{
	struct shared_buffer b = shared_buffer_create(REVOKE_EXPORTER_MMAP_EXPANDABLE);
	bool exp_de = mapping_cannot_grow(b.exp), vgem_de = mapping_cannot_grow(b.map);

	revoke_fill(b.exp, BUF_SIZE, 0x4444);
	revoke_check(b.map, BUF_SIZE, 0x4444);
	shared_buffer_release(&b);
	/* The exporter's own mapping shows the mode works. */
	igt_assert(!exp_de);
	igt_assert_f(vgem_de, "vgem's mapping of the import may grow past the object\n");
}

static void test_data_survives_revoke(void)
{
	struct shared_buffer b = shared_buffer_create(0);
	struct revoke_exporter_revoke r;
	struct revoke_exporter_query q;

	revoke_fill(b.exp, BUF_SIZE, 0x1111);
	/*
	 * The job mapped vgem's attachment (with swiotlb=force, a bounce copy
	 * of 0x1111) and must not have kept it: its unmap, or the exporter's
	 * syncs of a kept mapping, would bring 0x1111 back later.
	 */
	revoke_vgem_job(&b.imp);
	revoke_exporter_query(dev, b.dmabuf, &q);
	igt_assert_eq(q.mappings, 0);
	revoke_fill(b.map, BUF_SIZE, 0x2222);
	revoke_check(b.exp, BUF_SIZE, 0x2222);

	revoke_exporter_revoke(dev, b.dmabuf, &r);
	igt_assert_eq(r.mappings_after, 0);
	revoke_exporter_restore(dev, b.dmabuf);
	revoke_check(b.exp, BUF_SIZE, 0x2222);
	revoke_check(b.map, BUF_SIZE, 0x2222);

	/* And once more through a move, after another job. */
	revoke_vgem_job(&b.imp);
	revoke_fill(b.map, BUF_SIZE, 0x3333);
	igt_assert_eq(__revoke_exporter_move(dev, b.dmabuf, 10 * NSEC_PER_SEC, &r), 0);
	revoke_check(b.exp, BUF_SIZE, 0x3333);
	revoke_check(b.map, BUF_SIZE, 0x3333);

	shared_buffer_release(&b);
}

static void test_odd_segments(void)
{
	struct shared_buffer b = shared_buffer_create(REVOKE_EXPORTER_ODD_SEGMENTS);
	uint32_t value = 0;
	ssize_t bad;

	revoke_fill(b.exp, BUF_SIZE, 0x0dd);
	/* A page the mapping did not cover would be faulted on for ever. */
	igt_set_timeout(10, "reading vgem's mapping of split segments");
	bad = revoke_first_mismatch(b.map, BUF_SIZE, 0x0dd);
	igt_reset_timeout();
	if (bad >= 0)
		value = b.map[bad];
	/* Released before asserting, so a failure here stays its own. */
	shared_buffer_release(&b);
	igt_assert_f(bad < 0, "word %zd (page %zd) reads %#x, not %#x\n", bad, bad * 4 / 4096,
		     value, (uint32_t)(0x0dd ^ bad));
}

static void test_sigbus_after_revoke(void)
{
	struct shared_buffer b = shared_buffer_create(0);
	uint32_t value;
	struct revoke_exporter_revoke r;

	revoke_fill(b.exp, BUF_SIZE, 0xabcd);
	revoke_check(b.map, BUF_SIZE, 0xabcd);
	revoke_vgem_job(&b.imp);

	revoke_exporter_revoke(dev, b.dmabuf, &r);
	igt_info("mapped vgem import: invalidate %.3f ms, unmap wait %.3f ms\n",
		 r.invalidate_ns / 1e6, r.unmap_wait_ns / 1e6);
	/* vgem keeps no DMA mapping between jobs; the CPU mapping is zapped. */
	igt_assert_eq(r.mappings_before, 0);
	igt_assert_eq(r.mappings_after, 0);
	for (size_t off = 0; off < BUF_SIZE / 4; off += 1024)
		igt_assert_f(!revoke_read_word(b.map + off, &value),
			     "read at word %zu after the revoke\n", off);

	revoke_exporter_restore(dev, b.dmabuf);
	revoke_check(b.map, BUF_SIZE, 0xabcd);
	shared_buffer_release(&b);
}

static void test_sigbus_write_after_revoke(void)
{
	struct shared_buffer b = shared_buffer_create(0);
	struct revoke_exporter_revoke r;
	struct revoke_exporter_query q;

	revoke_fill(b.exp, BUF_SIZE, 0xbead);
	revoke_check(b.map, BUF_SIZE, 0xbead);
	revoke_exporter_revoke(dev, b.dmabuf, &r);
	for (size_t off = 0; off < BUF_SIZE / 4; off += 1024)
		igt_assert_f(!revoke_write_word(b.map + off, 0),
			     "write at word %zu after the revoke\n", off);
	revoke_exporter_query(dev, b.dmabuf, &q);
	igt_assert_eq(q.late_writes, 0);
	revoke_exporter_restore(dev, b.dmabuf);
	revoke_check(b.map, BUF_SIZE, 0xbead);
	shared_buffer_release(&b);
}

static void test_move_async_through_vgem(void)
{
	struct shared_buffer b = shared_buffer_create(0);
	struct revoke_move_thread m;
	uint32_t fence;
	int ret;

	revoke_fill(b.map, BUF_SIZE, 0x4343);
	revoke_move_thread_start(&m, dev, b.dmabuf, 300);
	/* The copy is still pending: vgem must wait for it. */
	igt_assert_f(b.map[0] != REVOKE_EXPORTER_STALE_WORD,
		     "vgem's mapping showed the new pages before their copy\n");
	revoke_check(b.map, BUF_SIZE, 0x4343);
	igt_assert_eq(revoke_move_thread_join(&m), 0);
	revoke_fill(b.map, BUF_SIZE, 0x3434);
	revoke_check(b.exp, BUF_SIZE, 0x3434);

	/*
	 * That wait was the exporter's (the mapping is its own). vgem's
	 * FENCE_ATTACH, which maps for the job, takes the copy's kernel fence
	 * for a conflicting writer: EBUSY while it is pending, then it maps.
	 */
	revoke_vgem_job(&b.imp);
	revoke_move_thread_start(&m, dev, b.dmabuf, 1000);
	ret = __revoke_vgem_fence_attach(b.imp.vgem, b.imp.bo.handle, 0, &fence);
	if (ret == 0) {
		/* Only if the copy was done first (a stall of a second). */
		igt_assert_f(!dmabuf_busy(b.dmabuf, DMA_BUF_SYNC_READ),
			     "FENCE_ATTACH went ahead of a pending copy\n");
		igt_info("the copy was done before FENCE_ATTACH could meet it\n");
		vgem_fence_signal(b.imp.vgem, fence);
	} else {
		igt_assert_eq(ret, -EBUSY);
	}
	igt_assert_eq(revoke_move_thread_join(&m), 0);
	revoke_vgem_job(&b.imp);
	revoke_check(b.map, BUF_SIZE, 0x3434);

	shared_buffer_release(&b);
}

static void test_bar_refused(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_BAR);
	int vgem = drm_open_driver(DRIVER_VGEM);
	struct drm_prime_handle args = { .fd = dmabuf };

	igt_assert_eq(igt_ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &args), -1);
	igt_assert_eq(errno, EOPNOTSUPP);
	drm_close_driver(vgem);
	revoke_exporter_release(dev, dmabuf);
}

static void test_move_through_vgem(void)
{
	struct shared_buffer b = shared_buffer_create(0);
	struct revoke_exporter_revoke r;

	revoke_fill(b.map, BUF_SIZE, 0x4242);
	revoke_vgem_job(&b.imp);
	igt_assert_eq(__revoke_exporter_move(dev, b.dmabuf, 10 * NSEC_PER_SEC, &r), 0);
	igt_assert_eq(r.mappings_after, 0);
	revoke_check(b.map, BUF_SIZE, 0x4242);
	revoke_fill(b.map, BUF_SIZE, 0x2424);
	revoke_check(b.exp, BUF_SIZE, 0x2424);
	shared_buffer_release(&b);
}

static void fence_wait(uint32_t flags)
{
	enum { RUNS = 20 };
	uint64_t slowest = 0;
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0);
	struct revoke_vgem_import imp = revoke_vgem_import(dmabuf, BUF_SIZE);

	for (int i = 0; i < RUNS; i++) {
		struct revoke_thread t;
		uint64_t signal_ns;
		uint32_t fence;

		fence = vgem_fence_attach(imp.vgem, &imp.bo, flags);
		revoke_thread_start(&t, dev, dmabuf, 30 * NSEC_PER_SEC);
		revoke_wait_until_blocked(&t.tid, &t.done);
		igt_assert_f(!t.done, "revoke %d finished before its fence was signalled\n", i);
		signal_ns = revoke_now_ns();
		vgem_fence_signal(imp.vgem, fence);
		igt_assert_eq(revoke_thread_join(&t), 0);
		igt_assert_lt_u64(signal_ns, t.done_ns);
		/* The fence holds the revoke, not a mapping: vgem keeps none. */
		igt_assert_eq(t.result.mappings_before, 0);
		igt_assert_eq(t.result.mappings_after, 0);
		igt_assert_lt_u64(t.done_ns - signal_ns, revoke_bound_step_ns());
		if (t.done_ns - signal_ns > slowest)
			slowest = t.done_ns - signal_ns;
		revoke_exporter_restore(dev, dmabuf);
	}
	igt_info("vgem %s fence: the slowest of %d revokes ended %.3f ms after the signal\n",
		 flags & VGEM_FENCE_WRITE ? "write" : "read", RUNS, slowest / 1e6);
	revoke_vgem_close(dev, &imp, dmabuf);
}

static void test_fence_expiry(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0);
	struct revoke_vgem_import imp = revoke_vgem_import(dmabuf, BUF_SIZE);
	struct revoke_exporter_revoke r;
	uint64_t bound;
	int err;

	vgem_fence_attach(imp.vgem, &imp.bo, VGEM_FENCE_WRITE);
	/* The wait is meant to last the fence's 10 s: not the watchdog's business. */
	bound = revoke_watchdog_set_bound(20 * NSEC_PER_SEC);
	err = __revoke_exporter_revoke(dev, dmabuf, 30 * NSEC_PER_SEC, &r);
	revoke_watchdog_set_bound(bound);
	/* Released before asserting, so a failure here stays its own. */
	revoke_vgem_close(dev, &imp, dmabuf);

	igt_assert_eq(err, 0);
	igt_info("unsignalled vgem fence: the revoke waited %.3f s for it\n", r.fence_wait_ns / 1e9);
	igt_assert_lte_u64(9 * NSEC_PER_SEC, r.fence_wait_ns);
	igt_assert_lt_u64(r.fence_wait_ns, revoke_bound_jiffies_ns(10 * NSEC_PER_SEC));
}

static void test_fence_attach_revoked(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0);
	struct revoke_vgem_import imp = revoke_vgem_import(dmabuf, BUF_SIZE);
	struct revoke_exporter_revoke r;
	uint32_t fence = 0;

	revoke_exporter_revoke(dev, dmabuf, &r);
	igt_assert_eq(__revoke_vgem_fence_attach(imp.vgem, imp.bo.handle, VGEM_FENCE_WRITE, &fence), -ENODEV);
	revoke_exporter_restore(dev, dmabuf);
	igt_assert_eq(__revoke_vgem_fence_attach(imp.vgem, imp.bo.handle, VGEM_FENCE_WRITE, &fence), 0);
	vgem_fence_signal(imp.vgem, fence);
	revoke_vgem_close(dev, &imp, dmabuf);
}

static void test_ioctls_on_revoked(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_MMAP);
	struct revoke_vgem_import imp = revoke_vgem_import(dmabuf, BUF_SIZE);
	int other = drm_open_driver(DRIVER_VGEM);
	struct drm_prime_handle prime = { .fd = dmabuf };
	struct revoke_exporter_revoke r;
	struct stat st_import, st_export;
	uint32_t *map, value, fence = 0;
	int exported;

	revoke_exporter_revoke(dev, dmabuf, &r);

	/* The mapping is made lazily: only the access fails. */
	map = revoke_vgem_mmap(&imp);
	igt_assert(!revoke_read_word(map, &value));

	exported = prime_handle_to_fd(imp.vgem, imp.bo.handle);
	igt_assert_eq(fstat(exported, &st_export), 0);
	igt_assert_eq(fstat(dmabuf, &st_import), 0);
	igt_assert_eq(st_export.st_ino, st_import.st_ino);
	close(exported);

	igt_assert_eq(__revoke_vgem_fence_attach(imp.vgem, imp.bo.handle, 0, &fence), -ENODEV);
	igt_assert_eq(igt_ioctl(other, DRM_IOCTL_PRIME_FD_TO_HANDLE, &prime), -1);
	igt_assert_eq(errno, ENODEV);

	revoke_exporter_restore(dev, dmabuf);
	igt_assert(revoke_read_word(map, &value));
	igt_assert_eq(__revoke_vgem_fence_attach(imp.vgem, imp.bo.handle, 0, &fence), 0);
	vgem_fence_signal(imp.vgem, fence);
	munmap(map, BUF_SIZE);

	/* The file whose import failed imports and maps it now. */
	igt_assert_eq(igt_ioctl(other, DRM_IOCTL_PRIME_FD_TO_HANDLE, &prime), 0);
	map = vgem_mmap(other, &(struct vgem_bo){ .handle = prime.handle, .size = BUF_SIZE },
			PROT_READ);
	igt_assert(revoke_read_word(map, &value));
	munmap(map, BUF_SIZE);
	gem_close(other, prime.handle);

	/* Closing the revoked import drops vgem's attachment. */
	revoke_exporter_revoke(dev, dmabuf, &r);
	gem_close(imp.vgem, imp.bo.handle);
	drm_close_driver(other);
	revoke_exporter_restore(dev, dmabuf);
	revoke_vgem_close(dev, &imp, dmabuf);
}

struct attach_thread {
	pthread_t thread;
	volatile pid_t tid;
	struct revoke_vgem_import *imp;
	int ret;
	volatile bool done;
};

static void *attach_thread_fn(void *data)
{
	struct attach_thread *a = data;
	uint32_t fence = 0;

	a->tid = gettid();
	a->ret = __revoke_vgem_fence_attach(a->imp->vgem, a->imp->bo.handle, 0, &fence);
	a->done = true;
	return NULL;
}

static void test_fence_attach_interrupted(void)
{
	struct sigaction old;
	int timeline = sw_sync_timeline_create();
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0);
	struct revoke_vgem_import imp = revoke_vgem_import(dmabuf, BUF_SIZE);
	struct attach_thread a = { .imp = &imp };
	struct revoke_thread t;
	int fence;

	/*
	 * A read fence holds the revoke in its fence wait, under the lock,
	 * and does not conflict with a vgem read fence: FENCE_ATTACH gets
	 * past its busy check and waits for the lock.
	 */
	fence = sw_sync_timeline_create_fence(timeline, 1);
	dmabuf_import_sync_file(dmabuf, DMA_BUF_SYNC_READ, fence);
	close(fence);
	revoke_thread_start(&t, dev, dmabuf, 30 * NSEC_PER_SEC);
	revoke_wait_until_blocked(&t.tid, &t.done);

	revoke_interrupting_signal(SIGUSR1, &old);
	igt_assert_eq(pthread_create(&a.thread, NULL, attach_thread_fn, &a), 0);
	revoke_wait_until_blocked(&a.tid, &a.done);
	pthread_kill(a.thread, SIGUSR1);
	igt_assert_eq(pthread_join(a.thread, NULL), 0);
	sigaction(SIGUSR1, &old, NULL);
	igt_assert_eq(a.ret, -EINTR);
	igt_assert(!t.done);

	sw_sync_timeline_inc(timeline, 1);
	igt_assert_eq(revoke_thread_join(&t), 0);
	revoke_vgem_close(dev, &imp, dmabuf);
	close(timeline);
}

static void test_many_importers(void)
{
	enum { IMPORTERS = 16 };
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_MMAP);
	uint32_t *exp = revoke_exporter_mmap(dmabuf, BUF_SIZE), *maps[IMPORTERS], value;
	struct revoke_vgem_import imps[IMPORTERS];
	struct revoke_exporter_revoke r;

	revoke_fill(exp, BUF_SIZE, 0x7777);
	for (int i = 0; i < IMPORTERS; i++) {
		imps[i] = revoke_vgem_import(dmabuf, BUF_SIZE);
		maps[i] = revoke_vgem_mmap(&imps[i]);
		igt_assert_eq_u32(maps[i][i], 0x7777 ^ i);
		revoke_vgem_job(&imps[i]);
	}
	revoke_exporter_revoke(dev, dmabuf, &r);
	igt_info("%d mapped vgem importers: invalidate %.3f ms, unmap wait %.3f ms\n", IMPORTERS,
		 r.invalidate_ns / 1e6, r.unmap_wait_ns / 1e6);
	igt_assert_eq(r.attachments, IMPORTERS);
	igt_assert_eq(r.revocable, IMPORTERS);
	igt_assert_eq(r.mappings_before, 0);
	igt_assert_eq(r.mappings_after, 0);
	for (int i = 0; i < IMPORTERS; i++)
		igt_assert(!revoke_read_word(maps[i], &value));
	revoke_exporter_restore(dev, dmabuf);
	for (int i = 0; i < IMPORTERS; i++) {
		revoke_check(maps[i], BUF_SIZE, 0x7777);
		munmap(maps[i], BUF_SIZE);
		drm_close_driver(imps[i].vgem);
	}
	munmap(exp, BUF_SIZE);
	revoke_exporter_release(dev, dmabuf);
}

static void test_close_vgem_during_revoke(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0);
	struct revoke_vgem_import imp = revoke_vgem_import(dmabuf, BUF_SIZE);
	struct revoke_thread t;
	uint64_t close_ns;

	vgem_fence_attach(imp.vgem, &imp.bo, VGEM_FENCE_WRITE);

	revoke_thread_start(&t, dev, dmabuf, 30 * NSEC_PER_SEC);
	revoke_wait_until_blocked(&t.tid, &t.done);
	close_ns = revoke_now_ns();
	drm_close_driver(imp.vgem);
	igt_assert_eq(revoke_thread_join(&t), 0);
	igt_info("close to revoke completion: %.3f ms\n", (t.done_ns - close_ns) / 1e6);
	/* Well before the fence would have expired. */
	igt_assert_lt_u64(t.done_ns - close_ns, revoke_bound_step_ns());
	revoke_exporter_release(dev, dmabuf);
}

static void test_unload_with_imports(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_MMAP);
	struct revoke_vgem_import imp = revoke_vgem_import(dmabuf, BUF_SIZE);
	uint32_t *map = revoke_vgem_mmap(&imp);
	int err;

	revoke_vgem_reload_at_exit();
	err = revoke_module_unload_once("vgem");
	igt_assert_f(err == -EAGAIN || err == -EBUSY, "unload with live imports: %d\n", err);
	munmap(map, BUF_SIZE);
	drm_close_driver(imp.vgem);
	igt_assert_eq(igt_kmod_unload("vgem"), 0);
	revoke_exporter_release(dev, dmabuf);
	igt_assert_eq(igt_kmod_load("vgem", NULL), 0);
}

int igt_main()
{
	igt_fixture()
		dev = revoke_exporter_open_with_vgem();

	igt_describe("The revoking exporter accepts vgem's import as revocable.");
	igt_subtest("import-revocable")
		test_import_revocable();

	igt_describe("An import that was never mapped revokes without an unmap wait.");
	igt_subtest("revoke-idle-import")
		test_revoke_idle_import();

	igt_describe("Data flows between the exporter's and vgem's mappings.");
	igt_subtest("mmap-import")
		test_mmap_import();

	igt_describe("vgem's mapping of an import is refused where the exporter's mmap is.");
	igt_subtest("mmap-needs-exporter-mmap")
		test_mmap_needs_exporter_mmap();

	igt_describe("vgem's mapping of an import outlives the handle, the file and vgem.");
	igt_subtest("mapping-outlives-import")
		test_mapping_outlives_import();

	igt_describe("vgem's mapping of an import cannot grow, whatever the exporter's mmap sets.");
	igt_subtest("mapping-cannot-grow")
		test_mapping_cannot_grow();

	igt_describe("Data written through vgem survives a vgem job, a revoke and a move.");
	igt_subtest("data-survives-revoke")
		test_data_survives_revoke();

	igt_describe("Segments of half a page are mapped page for page.");
	igt_subtest("odd-segments")
		test_odd_segments();

	igt_describe("After a revoke vgem's mapping faults with SIGBUS; after restore it works.");
	igt_subtest("sigbus-after-revoke")
		test_sigbus_after_revoke();

	igt_describe("A write through vgem's mapping of a revoked import gets SIGBUS.");
	igt_subtest("sigbus-write-after-revoke")
		test_sigbus_write_after_revoke();

	igt_describe("A move is seen through vgem's mapping.");
	igt_subtest("move-through-vgem")
		test_move_through_vgem();

	igt_describe("vgem waits for an asynchronous move's copy before it shows the pages.");
	igt_subtest("move-async-through-vgem")
		test_move_async_through_vgem();

	igt_subtest_group() {
		char bdf[32];

		igt_fixture()
			revoke_exporter_require_bar(bdf, sizeof(bdf));

		igt_describe("The exporter refuses vgem's import of BAR memory.");
		igt_subtest("bar-refused")
			test_bar_refused();
	}

	igt_describe("The revoke waits for a vgem write fence and ends soon after its signal.");
	igt_subtest("fence-write-wait")
		fence_wait(VGEM_FENCE_WRITE);

	igt_describe("The revoke waits for a vgem read fence and ends soon after its signal.");
	igt_subtest("fence-read-wait")
		fence_wait(0);

	igt_describe("An unsignalled vgem fence holds the revoke until it expires.");
	igt_subtest("fence-expiry")
		test_fence_expiry();

	igt_describe("FENCE_ATTACH on a revoked import fails with ENODEV.");
	igt_subtest("fence-attach-revoked")
		test_fence_attach_revoked();

	igt_describe("vgem's ioctls on a revoked import answer cleanly.");
	igt_subtest("ioctls-on-revoked")
		test_ioctls_on_revoked();

	igt_describe("A FENCE_ATTACH blocked behind a revoke can be interrupted.");
	igt_subtest("fence-attach-interrupted")
		test_fence_attach_interrupted();

	igt_describe("Sixteen mapped vgem importers are all unmapped by one revoke.");
	igt_subtest("many-importers")
		test_many_importers();

	igt_describe("Closing the vgem file lets a revoke waiting for its fence finish.");
	igt_subtest("close-vgem-during-revoke")
		test_close_vgem_during_revoke();

	igt_describe("vgem unloads only once its imports are closed.");
	igt_subtest("unload-with-imports")
		test_unload_with_imports();

	igt_fixture()
		close(dev);
}
