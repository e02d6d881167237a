// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The dma-buf revoke test authors
 */

/**
 * TEST: dmabuf revoke
 * Description: The revocable dma-buf test exporter: its revoke, restore and
 *		move sequences, their fence and unmap waits, and its answers
 *		to bad input.
 * Category: Core
 * Mega feature: General Core features
 * Sub-category: DMA-BUF
 * Functionality: dma-buf revoke
 * Feature: prime
 * Test category: functionality test
 *
 * SUBTEST: create-bad-size
 * Description: CREATE refuses sizes that are zero, not page aligned or
 *		too large with EINVAL.
 *
 * SUBTEST: create-bad-flags
 * Description: CREATE refuses unknown flags, BAR memory with split
 *		segments, and MMAP_EXPANDABLE without MMAP, with EINVAL.
 *
 * SUBTEST: efault-no-leak
 * Description: CREATE and IMPORT whose result cannot be copied back fail
 *		with EFAULT and leave no fd, buffer or importer behind.
 *
 * SUBTEST: bad-fd
 * Description: Every buffer ioctl answers EBADF for a closed fd and
 *		EINVAL for an fd that is not a dma-buf.
 *
 * SUBTEST: foreign-dmabuf
 * Description: Every buffer ioctl answers EOPNOTSUPP for a dma-buf of
 *		another exporter (vgem).
 *
 * SUBTEST: bad-arguments
 * Description: Unknown flags, flags of MOVE given to REVOKE, a copy
 *		delay without an asynchronous move or above 1 s,
 *		out-of-range timeouts, errnos and unmap delays, and
 *		importer flags that contradict each other are refused with
 *		EINVAL; unknown and wrongly sized ioctls with ENOTTY.
 *
 * SUBTEST: bad-pointers
 * Description: Every ioctl answers EFAULT for a NULL or unmapped argument
 *		and leaves the buffer as it was.
 *
 * SUBTEST: importer-bad-ioctls
 * Description: The test importer's fd answers ENOTTY to ioctls that are not
 *		its own and the exporter device to the importer's; MAP and
 *		UNMAP may be repeated.
 *
 * SUBTEST: non-root-open
 * Description: The device is root only: another user gets EACCES.
 *
 * SUBTEST: revoke-idle
 * Description: A buffer nobody imported revokes at once and reports no
 *		attachments or mappings.
 *
 * SUBTEST: double-revoke
 * Description: Revoking a revoked buffer fails with EALREADY and changes
 *		nothing.
 *
 * SUBTEST: restore-without-revoke
 * Description: Restoring a buffer that is not revoked fails with EALREADY.
 *
 * SUBTEST: revoke-restore-cycle
 * Description: Revoke and restore alternate, and the state follows.
 *
 * SUBTEST: attach-after-revoke
 * Description: While revoked, attaching fails with ENODEV; after restore
 *		it works.
 *
 * SUBTEST: map-after-revoke
 * Description: An importer attached before the revoke cannot map while
 *		revoked (ENODEV) and maps again after restore.
 *
 * SUBTEST: revoke-dynamic-importer
 * Description: A revocable importer that unmaps in its callback is
 *		counted, invalidated and unmapped before the revoke returns,
 *		with no unmap wait to speak of; the memory it gave back is
 *		poisoned, and the restore brings the data back.
 *
 * SUBTEST: revoke-deferred-unmap
 * Description: An importer that unmaps from a worker makes the revoke
 *		wait that long, and no longer.
 *
 * SUBTEST: refuse-non-revocable
 * Description: By default static importers and dynamic importers without
 *		invalidate_mappings are refused with EOPNOTSUPP.
 *
 * SUBTEST: static-importer-timeout
 * Description: When non-revocable importers are allowed, a static
 *		importer never unmaps: the revoke fails with ETIMEDOUT after
 *		its timeout and names the attachment that holds the mapping.
 *
 * SUBTEST: require-p2p
 * Description: A buffer that requires peer-to-peer importers refuses
 *		others with EOPNOTSUPP.
 *
 * SUBTEST: pinned-move
 * Description: A pinned buffer cannot move (EBUSY) but can be revoked,
 *		which ends the pin.
 *
 * SUBTEST: mmap-revoke-restore
 * Description: A CPU mapping of the dma-buf gets SIGBUS while the buffer
 *		is revoked and sees the data again after restore.
 *
 * SUBTEST: mmap-refused
 * Description: mmap fails with EINVAL when the buffer does not offer it or
 *		the mapping is private.
 *
 * SUBTEST: move-keeps-data
 * Description: MOVE gives the buffer new pages with the same contents; CPU
 *		mappings and importers re-map and see the data.
 *
 * SUBTEST: move-deferred-unmap
 * Description: MOVE waits until the old pages are unmapped.
 *
 * SUBTEST: fault-injection
 * Description: FAIL_MAP makes exactly the next map fail with the errno
 *		given.
 *
 * SUBTEST: fence-wait-signal
 * Description: With an unsignalled sw_sync fence in the reservation, the
 *		revoke does not finish before the fence signals and
 *		finishes soon after, and reports the time from the signal
 *		to its end.
 *
 * SUBTEST: fence-wait-vfio
 * Description: By default the revoke waits for a fence as VFIO does: a
 *		signal does not end the wait, only the fence does.
 *
 * SUBTEST: watchdog-rescue
 * Description: A fence that never signals holds a VFIO-like revoke until
 *		the test's watchdog reports it and rescues it; the buffer
 *		stays revoked and can be restored.
 *
 * SUBTEST: fence-wait-timeout
 * Description: With the bounded fence wait, a fence that never signals
 *		makes the revoke fail with ETIMEDOUT after its timeout,
 *		leaving the buffer revoked.
 *
 * SUBTEST: revoke-interrupted
 * Description: With the bounded fence wait, a signal ends a revoke that
 *		waits for a fence with EINTR; the buffer stays revoked and
 *		can be restored.
 *
 * SUBTEST: restore-cancels-revoke
 * Description: Without the outer lock, a restore while a revoke waits for
 *		a deferred unmap ends that revoke with ECANCELED.
 *
 * SUBTEST: outer-lock-holds-faults
 * Description: A revoke holds the outer lock until its last unmap, as
 *		VFIO holds memory_lock: a CPU fault of another buffer's mmap
 *		waits that long, and the revoke reports how long it held it.
 *
 * SUBTEST: restore-catches-eager-latch
 * Description: In VFIO's order, an importer that maps again from its
 *		callback during the restore gets ENODEV; one that latches
 *		that error stays unmapped after the restore, where a lazy
 *		importer maps again.
 *
 * SUBTEST: restore-clear-first
 * Description: With the older restore order, the same eager importer
 *		finds the buffer mappable from its callback.
 *
 * SUBTEST: poison-late-write-revoke
 * Description: An importer that writes into memory after it unmapped it
 *		during a revoke is reported (QUERY and the kernel log) with
 *		its attachment, and the restore still brings the data back.
 *
 * SUBTEST: poison-late-write-move
 * Description: An importer that writes into the old pages after a move
 *		is reported with its attachment.
 *
 * SUBTEST: move-async
 * Description: An asynchronous MOVE publishes its copy as a kernel fence:
 *		an exported sync_file waits for it, and the buffer's own
 *		mapping, which waits for it, sees the data.
 *
 * SUBTEST: bar-peer-import
 * Description: BAR memory (no struct pages) is mapped peer-to-peer for an
 *		importer on the BAR's own device; revoke and restore work and
 *		the data survives.
 *
 * SUBTEST: bar-refuses
 * Description: BAR memory refuses importers without peer2peer
 *		(EOPNOTSUPP), a device with no peer-to-peer path to it
 *		(EINVAL at map), importers that want its struct pages
 *		(EINVAL) and MOVE (EOPNOTSUPP).
 *
 * SUBTEST: bar-device-removal
 * Description: Unbinding the BAR's device revokes its buffers for good
 *		and waits for the importers to unmap (one that defers its
 *		unmap holds the unbind that long); RESTORE then fails with
 *		ENODEV, and the device binds again.
 *
 * SUBTEST: close-during-revoke
 * Description: Closing the last fd of a buffer whose revoke waits keeps
 *		the buffer until the revoke returns; then it is freed.
 *
 * SUBTEST: many-buffers
 * Description: Many buffers with several importers each go through many
 *		revoke and restore cycles, and every counter balances.
 *
 * SUBTEST: module-unload
 * Description: The module cannot be unloaded while a buffer and its
 *		importer live, nor while the buffer alone does, and unloads
 *		once they are gone.
 */

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt.h"
#include "igt_kmod.h"
#include "igt_vgem.h"
#include "dmabuf_sync_file.h"
#include "revoke_bounds.h"
#include "revoke_exporter_helpers.h"
#include "revoke_pci_helpers.h"
#include "revoke_watchdog.h"
#include "sw_sync.h"

IGT_TEST_DESCRIPTION("Tests the revoke, restore and move sequences of the revocable dma-buf test exporter.");

#define BUF_SIZE (16 * 4096)
#define REVOCABLE (REVOKE_IMPORTER_DYNAMIC | REVOKE_IMPORTER_REVOCABLE)
#define PEER (REVOCABLE | REVOKE_IMPORTER_P2P | REVOKE_IMPORTER_PEER)
/* What the exporter logs when it finds a late write; expected where tested. */
#define LATE_WRITE_LOG "written after the last unmap|it had been mapped by attachment"

static int dev = -1;

static void assert_revoked(int dmabuf, bool revoked)
{
	struct revoke_exporter_query q;

	revoke_exporter_query(dev, dmabuf, &q);
	igt_assert_eq(!!(q.state & REVOKE_EXPORTER_STATE_REVOKED), revoked);
}

/* Each buffer ioctl on @fd must fail with @err. */
static void assert_buffer_ioctls_fail(int fd, int err)
{
	struct revoke_exporter_revoke r;
	struct revoke_exporter_query q;
	int importer;

	igt_assert_eq(__revoke_exporter_revoke(dev, fd, NSEC_PER_SEC, &r), -err);
	igt_assert_eq(__revoke_exporter_move(dev, fd, NSEC_PER_SEC, &r), -err);
	igt_assert_eq(__revoke_exporter_restore(dev, fd), -err);
	igt_assert_eq(__revoke_exporter_query(dev, fd, &q), -err);
	igt_assert_eq(__revoke_exporter_fail_map(dev, fd, EIO), -err);
	if (err != EOPNOTSUPP) /* the test importer attaches to any dma-buf */
		igt_assert_eq(__revoke_importer_attach(dev, fd, REVOCABLE, 0, &importer), -err);
}

static void test_create_bad_size(void)
{
	static const uint64_t sizes[] = {
		0, 1, 4095, 4097, REVOKE_EXPORTER_MAX_SIZE + 4096, ~0ull & ~4095ull,
	};
	int fd;

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++)
		igt_assert_eq(__revoke_exporter_create(dev, sizes[i], 0, &fd), -EINVAL);
	igt_assert_eq(__revoke_exporter_create(dev, 4096, 0, &fd), 0);
	close(fd);
}

static void test_create_bad_flags(void)
{
	int fd;

	for (unsigned int bit = 0; bit < 32; bit++)
		if (!(REVOKE_EXPORTER_CREATE_FLAGS & (1u << bit)))
			igt_assert_eq(__revoke_exporter_create(dev, 4096, 1u << bit, &fd),
				      -EINVAL);
	/* BAR memory has no pages to split. */
	igt_assert_eq(__revoke_exporter_create(dev, 4096, REVOKE_EXPORTER_BAR |
					       REVOKE_EXPORTER_ODD_SEGMENTS, &fd), -EINVAL);
	/* No mmap, nothing to expand. */
	igt_assert_eq(__revoke_exporter_create(dev, 4096, REVOKE_EXPORTER_MMAP_EXPANDABLE, &fd),
		      -EINVAL);
	igt_assert_eq(__revoke_exporter_create(dev, 4096, REVOKE_EXPORTER_CREATE_FLAGS &
					       ~REVOKE_EXPORTER_BAR, &fd), 0);
	close(fd);
}

static int count_fds(void)
{
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	igt_assert(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The module's reference count: one per buffer, importer and open device. */
static int module_refs(void)
{
	char buf[32];

	igt_assert(revoke_sysfs_read("/sys/module/" REVOKE_EXPORTER_MODULE "/refcnt",
				     buf, sizeof(buf)));
	return atoi(buf);
}

static void test_efault_no_leak(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0), fds, refs;
	struct revoke_exporter_create *create;
	struct revoke_exporter_import *import;
	void *ro;

	/* Readable, so the arguments are read; not writable, so the result is lost. */
	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(ro != MAP_FAILED);
	create = ro;
	*create = (struct revoke_exporter_create){ .size = BUF_SIZE };
	import = (void *)((char *)ro + 2048);
	*import = (struct revoke_exporter_import){ .fd = dmabuf, .flags = REVOCABLE };
	igt_assert_eq(mprotect(ro, 4096, PROT_READ), 0);

	fds = count_fds();
	refs = module_refs();
	do_ioctl_err(dev, REVOKE_EXPORTER_IOCTL_CREATE, create, EFAULT);
	do_ioctl_err(dev, REVOKE_EXPORTER_IOCTL_IMPORT, import, EFAULT);
	igt_assert_eq(count_fds(), fds);
	igt_assert_eq(module_refs(), refs);
	munmap(ro, 4096);
	revoke_exporter_assert_balanced(dev, dmabuf);
	close(dmabuf);
}

static void test_bad_fd(void)
{
	int closed = dup(dev), null = open("/dev/null", O_RDWR);

	close(closed);
	assert_buffer_ioctls_fail(closed, EBADF);
	assert_buffer_ioctls_fail(-1, EBADF);
	assert_buffer_ioctls_fail(null, EINVAL);
	assert_buffer_ioctls_fail(dev, EINVAL);
	close(null);
}

static void test_foreign_dmabuf(void)
{
	struct vgem_bo bo = { .width = 1024, .height = 1, .bpp = 32 };
	int vgem = drm_open_driver(DRIVER_VGEM), dmabuf;

	vgem_create(vgem, &bo);
	dmabuf = prime_handle_to_fd(vgem, bo.handle);
	assert_buffer_ioctls_fail(dmabuf, EOPNOTSUPP);
	close(dmabuf);
	drm_close_driver(vgem);
}

static void test_bad_arguments(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0), importer;
	struct revoke_exporter_revoke r = { .fd = dmabuf, .timeout_ns = NSEC_PER_SEC };
	struct revoke_exporter_buf b = { .fd = dmabuf };
	struct revoke_exporter_query q = { .fd = dmabuf };

	r.flags = REVOKE_EXPORTER_MOVE_ASYNC;	/* a MOVE flag */
	igt_assert_eq(ioctl(dev, REVOKE_EXPORTER_IOCTL_REVOKE, &r), -1);
	igt_assert_eq(errno, EINVAL);
	r.flags = 2;
	igt_assert_eq(ioctl(dev, REVOKE_EXPORTER_IOCTL_MOVE, &r), -1);
	igt_assert_eq(errno, EINVAL);
	r.flags = 0;
	r.delay_ms = 1;		/* a copy delay without an asynchronous move */
	igt_assert_eq(ioctl(dev, REVOKE_EXPORTER_IOCTL_MOVE, &r), -1);
	igt_assert_eq(errno, EINVAL);
	igt_assert_eq(ioctl(dev, REVOKE_EXPORTER_IOCTL_REVOKE, &r), -1);
	igt_assert_eq(errno, EINVAL);
	igt_assert_eq(__revoke_exporter_move_flags(dev, dmabuf, NSEC_PER_SEC,
						   REVOKE_EXPORTER_MOVE_ASYNC,
						   REVOKE_EXPORTER_MAX_MOVE_DELAY_MS + 1, &r), -EINVAL);
	r.delay_ms = 0;
	igt_assert_eq(__revoke_exporter_revoke(dev, dmabuf, 0, &r), -EINVAL);
	igt_assert_eq(__revoke_exporter_revoke(dev, dmabuf, 61 * NSEC_PER_SEC, &r), -EINVAL);
	igt_assert_eq(__revoke_exporter_move(dev, dmabuf, 0, &r), -EINVAL);
	b.flags = 1;
	igt_assert_eq(ioctl(dev, REVOKE_EXPORTER_IOCTL_RESTORE, &b), -1);
	igt_assert_eq(errno, EINVAL);
	q.flags = 1;
	igt_assert_eq(ioctl(dev, REVOKE_EXPORTER_IOCTL_QUERY, &q), -1);
	igt_assert_eq(errno, EINVAL);
	/* 512 and above are the kernel's own errnos (ERESTARTSYS...). */
	igt_assert_eq(__revoke_exporter_fail_map(dev, dmabuf, 512), -EINVAL);

	igt_assert_eq(__revoke_importer_attach(dev, dmabuf, 1u << 8, 0, &importer), -EINVAL);
	/* An eager importer maps again from its callback: revocable, no delay. */
	igt_assert_eq(__revoke_importer_attach(dev, dmabuf, REVOKE_IMPORTER_DYNAMIC |
					       REVOKE_IMPORTER_EAGER, 0, &importer), -EINVAL);
	igt_assert_eq(__revoke_importer_attach(dev, dmabuf, REVOCABLE | REVOKE_IMPORTER_EAGER,
					       10, &importer), -EINVAL);
	igt_assert_eq(__revoke_importer_attach(dev, dmabuf, REVOKE_IMPORTER_REVOCABLE, 0,
					       &importer), -EINVAL);
	igt_assert_eq(__revoke_importer_attach(dev, dmabuf, REVOKE_IMPORTER_PIN, 0,
					       &importer), -EINVAL);
	igt_assert_eq(__revoke_importer_attach(dev, dmabuf, REVOCABLE, 60001, &importer), -EINVAL);

	/* Unknown ioctls, and known ones with a truncated or oversized struct. */
	igt_assert_eq(ioctl(dev, _IO(REVOKE_EXPORTER_IOC_MAGIC, 0x3f)), -1);
	igt_assert_eq(errno, ENOTTY);
	igt_assert_eq(ioctl(dev, _IOWR(REVOKE_EXPORTER_IOC_MAGIC, 0x01, struct revoke_exporter_buf),
			    &b), -1);
	igt_assert_eq(errno, ENOTTY);
	igt_assert_eq(ioctl(dev, _IOWR(REVOKE_EXPORTER_IOC_MAGIC, 0x04,
				       struct { struct revoke_exporter_query q; uint64_t extra; }),
			    &q), -1);
	igt_assert_eq(errno, ENOTTY);

	/* Nothing above changed the buffer. */
	assert_revoked(dmabuf, false);
	revoke_exporter_assert_balanced(dev, dmabuf);
	close(dmabuf);
}

static void test_bad_pointers(void)
{
	static const unsigned long cmds[] = {
		REVOKE_EXPORTER_IOCTL_CREATE, REVOKE_EXPORTER_IOCTL_REVOKE,
		REVOKE_EXPORTER_IOCTL_RESTORE, REVOKE_EXPORTER_IOCTL_MOVE,
		REVOKE_EXPORTER_IOCTL_QUERY, REVOKE_EXPORTER_IOCTL_FAIL_MAP,
		REVOKE_EXPORTER_IOCTL_IMPORT, REVOKE_EXPORTER_IOCTL_RESCUE,
	};
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0);
	int importer = revoke_importer_attach(dev, dmabuf, REVOCABLE, 0);
	void *unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	igt_assert(unmapped != MAP_FAILED);
	for (int i = 0; i < ARRAY_SIZE(cmds); i++) {
		do_ioctl_err(dev, cmds[i], NULL, EFAULT);
		do_ioctl_err(dev, cmds[i], unmapped, EFAULT);
	}
	do_ioctl_err(importer, REVOKE_IMPORTER_IOCTL_STATUS, NULL, EFAULT);
	munmap(unmapped, 4096);

	assert_revoked(dmabuf, false);
	close(importer);
	revoke_exporter_assert_balanced(dev, dmabuf);
	close(dmabuf);
}

static void test_importer_bad_ioctls(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0);
	int importer = revoke_importer_attach(dev, dmabuf, REVOCABLE, 0);
	struct revoke_exporter_query q = { .fd = dmabuf };
	struct revoke_importer_status status;

	do_ioctl_err(importer, _IO(REVOKE_EXPORTER_IOC_MAGIC, 0x44), NULL, ENOTTY);
	/* POKE is the LATE_WRITER's only. */
	igt_assert_eq(revoke_importer_poke(importer), -EINVAL);
	do_ioctl_err(importer, REVOKE_EXPORTER_IOCTL_QUERY, &q, ENOTTY);
	do_ioctl_err(dev, REVOKE_IMPORTER_IOCTL_MAP, NULL, ENOTTY);
	do_ioctl_err(dev, REVOKE_IMPORTER_IOCTL_STATUS, &status, ENOTTY);
	do_ioctl_err(dmabuf, REVOKE_IMPORTER_IOCTL_MAP, NULL, ENOTTY);

	/* Mapped already: MAP keeps the one mapping; UNMAP twice is one unmap. */
	igt_assert_eq(__revoke_importer_map(importer), 0);
	revoke_importer_status(importer, &status);
	igt_assert_eq(status.mapped, 1);
	igt_assert_eq(status.maps, 1);
	revoke_importer_unmap(importer);
	revoke_importer_unmap(importer);
	revoke_exporter_query(dev, dmabuf, &q);
	igt_assert_eq(q.mappings, 0);
	igt_assert_eq_u64(q.unmap, 1);

	close(importer);
	revoke_exporter_assert_balanced(dev, dmabuf);
	close(dmabuf);
}

static void test_non_root_open(void)
{
	igt_fork(child, 1) {
		igt_assert_eq(setgid(65534), 0);
		igt_assert_eq(setuid(65534), 0);
		igt_assert_eq(open(REVOKE_EXPORTER_DEVICE, O_RDWR), -1);
		igt_assert_eq(errno, EACCES);
	}
	igt_waitchildren();
}

static void test_revoke_idle(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0);
	struct revoke_exporter_revoke r;
	struct revoke_exporter_query q;

	revoke_exporter_revoke(dev, dmabuf, &r);
	igt_assert_eq(r.attachments, 0);
	igt_assert_eq(r.mappings_before, 0);
	igt_assert_eq(r.mappings_after, 0);
	igt_assert_lt_u64(r.fence_wait_ns + r.unmap_wait_ns, revoke_bound_step_ns());
	igt_assert_eq_u64(r.signal_to_done_ns, 0);
	revoke_exporter_query(dev, dmabuf, &q);
	igt_assert_eq(q.state, REVOKE_EXPORTER_STATE_REVOKED);
	igt_assert_eq_u64(q.revoke, 1);
	igt_assert_eq_u64(q.size, BUF_SIZE);
	close(dmabuf);
}

static void test_double_revoke(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0);
	struct revoke_exporter_revoke r;
	struct revoke_exporter_query q;

	revoke_exporter_revoke(dev, dmabuf, &r);
	igt_assert_eq(__revoke_exporter_revoke(dev, dmabuf, NSEC_PER_SEC, &r), -EALREADY);
	revoke_exporter_query(dev, dmabuf, &q);
	igt_assert_eq_u64(q.revoke, 1);
	assert_revoked(dmabuf, true);
	close(dmabuf);
}

static void test_restore_without_revoke(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0);
	struct revoke_exporter_revoke r;

	igt_assert_eq(__revoke_exporter_restore(dev, dmabuf), -EALREADY);
	revoke_exporter_revoke(dev, dmabuf, &r);
	revoke_exporter_restore(dev, dmabuf);
	igt_assert_eq(__revoke_exporter_restore(dev, dmabuf), -EALREADY);
	close(dmabuf);
}

static void test_revoke_restore_cycle(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0);
	struct revoke_exporter_revoke r;
	struct revoke_exporter_query q;

	for (int i = 0; i < 10; i++) {
		revoke_exporter_revoke(dev, dmabuf, &r);
		assert_revoked(dmabuf, true);
		revoke_exporter_restore(dev, dmabuf);
		assert_revoked(dmabuf, false);
	}
	revoke_exporter_query(dev, dmabuf, &q);
	igt_assert_eq_u64(q.revoke, 10);
	igt_assert_eq_u64(q.restore, 10);
	close(dmabuf);
}

static void test_attach_after_revoke(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0), importer;
	struct revoke_exporter_revoke r;

	revoke_exporter_revoke(dev, dmabuf, &r);
	igt_assert_eq(__revoke_importer_attach(dev, dmabuf, REVOCABLE, 0, &importer), -ENODEV);
	revoke_exporter_restore(dev, dmabuf);
	importer = revoke_importer_attach(dev, dmabuf, REVOCABLE, 0);
	close(importer);
	revoke_exporter_assert_balanced(dev, dmabuf);
	close(dmabuf);
}

static void test_map_after_revoke(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0);
	int importer = revoke_importer_attach(dev, dmabuf, REVOCABLE, 0);
	struct revoke_importer_status st;
	struct revoke_exporter_revoke r;

	revoke_exporter_revoke(dev, dmabuf, &r);
	igt_assert_eq(__revoke_importer_map(importer), -ENODEV);
	revoke_importer_status(importer, &st);
	igt_assert_eq(st.mapped, 0);
	igt_assert_eq(st.map_error, ENODEV);

	revoke_exporter_restore(dev, dmabuf);
	igt_assert_eq(__revoke_importer_map(importer), 0);
	revoke_importer_status(importer, &st);
	igt_assert_eq(st.mapped, 1);
	igt_assert_eq(st.maps, 2);
	close(importer);
	revoke_exporter_assert_balanced(dev, dmabuf);
	close(dmabuf);
}

static void test_revoke_dynamic_importer(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_MMAP);
	int importer = revoke_importer_attach(dev, dmabuf, REVOCABLE, 0);
	uint32_t *map = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf, 0);
	struct revoke_importer_status st;
	struct revoke_exporter_revoke r;
	struct revoke_exporter_query q;

	igt_assert(map != MAP_FAILED);
	revoke_fill(map, BUF_SIZE, 0x5eed);
	revoke_exporter_revoke(dev, dmabuf, &r);
	igt_info("invalidate %.3f ms, fence wait %.3f ms, unmap wait %.3f ms\n",
		 r.invalidate_ns / 1e6, r.fence_wait_ns / 1e6, r.unmap_wait_ns / 1e6);
	igt_assert_eq(r.attachments, 1);
	igt_assert_eq(r.dynamic, 1);
	igt_assert_eq(r.static_, 0);
	igt_assert_eq(r.revocable, 1);
	igt_assert_eq(r.mappings_before, 1);
	igt_assert_eq(r.mappings_after, 0);
	igt_assert_lt_u64(r.unmap_wait_ns, revoke_bound_step_ns());
	igt_assert_eq_u64(r.poisoned, BUF_SIZE);
	revoke_importer_status(importer, &st);
	igt_assert_eq(st.invalidations, 1);
	igt_assert_eq(st.mapped, 0);

	revoke_exporter_restore(dev, dmabuf);
	revoke_check(map, BUF_SIZE, 0x5eed);
	revoke_exporter_query(dev, dmabuf, &q);
	igt_assert_eq(q.late_writes, 0);
	munmap(map, BUF_SIZE);
	close(importer);
	revoke_exporter_assert_balanced(dev, dmabuf);
	close(dmabuf);
}

static void test_revoke_deferred_unmap(void)
{
	const uint32_t delay_ms = 300;
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0);
	int importer = revoke_importer_attach(dev, dmabuf, REVOCABLE, delay_ms);
	struct revoke_exporter_revoke r;

	revoke_exporter_revoke(dev, dmabuf, &r);
	igt_info("deferred unmap of %u ms: unmap wait %.1f ms\n", delay_ms, r.unmap_wait_ns / 1e6);
	igt_assert_eq(r.mappings_before, 1);
	igt_assert_eq(r.mappings_after, 0);
	/* The worker's delay counts from the callback, before the fence wait. */
	igt_assert_lte_u64(r.fence_wait_ns + r.unmap_wait_ns,
			   delay_ms * NSEC_PER_MSEC + revoke_bound_late_ns());
	igt_assert_lte_u64((delay_ms - 50) * NSEC_PER_MSEC, r.fence_wait_ns + r.unmap_wait_ns +
			   r.invalidate_ns);
	close(importer);
	revoke_exporter_assert_balanced(dev, dmabuf);
	close(dmabuf);
}

static void test_refuse_non_revocable(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0), importer;

	igt_assert_eq(__revoke_importer_attach(dev, dmabuf, 0, 0, &importer), -EOPNOTSUPP);
	igt_assert_eq(__revoke_importer_attach(dev, dmabuf, REVOKE_IMPORTER_DYNAMIC, 0,
					       &importer), -EOPNOTSUPP);
	revoke_exporter_assert_balanced(dev, dmabuf);
	close(dmabuf);
}

static void test_static_importer_timeout(void)
{
	const uint64_t timeout = 500 * NSEC_PER_MSEC;
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_ALLOW_STATIC);
	int importer = revoke_importer_attach(dev, dmabuf, 0, 0);
	struct revoke_exporter_revoke r;
	struct revoke_exporter_query q;

	igt_assert_eq(__revoke_exporter_revoke(dev, dmabuf, timeout, &r), -ETIMEDOUT);
	igt_assert_eq(r.attachments, 1);
	igt_assert_eq(r.static_, 1);
	igt_assert_eq(r.revocable, 0);
	igt_assert_eq(r.mappings_after, 1);
	igt_assert_lte_u64(timeout, r.unmap_wait_ns);
	igt_assert_lt_u64(r.unmap_wait_ns, timeout + revoke_bound_late_ns());
	igt_assert_eq(r.holders, 1);
	igt_assert_eq(r.holder[0].id, 1);
	igt_assert_eq(r.holder[0].flags, 0);
	igt_assert_eq(r.holder[0].mappings, 1);
	igt_assert_f(!strcmp(r.holder[0].device, "revoke_importer"),
		     "holder is %s\n", r.holder[0].device);

	/* The static importer only lets go when it is closed. */
	assert_revoked(dmabuf, true);
	close(importer);
	revoke_exporter_query(dev, dmabuf, &q);
	igt_assert_eq(q.mappings, 0);
	igt_assert_eq(q.attachments, 0);
	revoke_exporter_assert_balanced(dev, dmabuf);
	close(dmabuf);
}

static void test_require_p2p(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_REQUIRE_P2P), importer;

	igt_assert_eq(__revoke_importer_attach(dev, dmabuf, REVOCABLE, 0, &importer), -EOPNOTSUPP);
	importer = revoke_importer_attach(dev, dmabuf, REVOCABLE | REVOKE_IMPORTER_P2P, 0);
	close(importer);
	close(dmabuf);
}

static void test_pinned_move(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_PIN);
	int importer = revoke_importer_attach(dev, dmabuf, REVOCABLE | REVOKE_IMPORTER_PIN, 0);
	struct revoke_exporter_revoke r;
	struct revoke_exporter_query q;

	revoke_exporter_query(dev, dmabuf, &q);
	igt_assert_eq(q.state, REVOKE_EXPORTER_STATE_PINNED);
	igt_assert_eq(__revoke_exporter_move(dev, dmabuf, NSEC_PER_SEC, &r), -EBUSY);
	revoke_exporter_revoke(dev, dmabuf, &r);
	revoke_exporter_query(dev, dmabuf, &q);
	igt_assert_eq(q.state, REVOKE_EXPORTER_STATE_REVOKED);
	close(importer);
	close(dmabuf);
}

static void test_mmap_revoke_restore(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_MMAP);
	struct revoke_exporter_revoke r;
	uint32_t *map, value;

	map = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf, 0);
	igt_assert(map != MAP_FAILED);
	revoke_fill(map, BUF_SIZE, 0xc0ffee);

	revoke_exporter_revoke(dev, dmabuf, &r);
	for (size_t off = 0; off < BUF_SIZE / 4; off += 1024)
		igt_assert_f(!revoke_read_word(map + off, &value), "read at word %zu did not fault\n", off);

	revoke_exporter_restore(dev, dmabuf);
	igt_assert(revoke_read_word(map, &value));
	revoke_check(map, BUF_SIZE, 0xc0ffee);
	munmap(map, BUF_SIZE);
	close(dmabuf);
}

static void test_mmap_refused(void)
{
	int plain = revoke_exporter_create(dev, BUF_SIZE, 0);
	int mappable = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_MMAP);

	igt_assert(mmap(NULL, BUF_SIZE, PROT_READ, MAP_SHARED, plain, 0) == MAP_FAILED);
	igt_assert_eq(errno, EINVAL);
	igt_assert(mmap(NULL, BUF_SIZE, PROT_READ, MAP_PRIVATE, mappable, 0) == MAP_FAILED);
	igt_assert_eq(errno, EINVAL);
	igt_assert(mmap(NULL, 2 * BUF_SIZE, PROT_READ, MAP_SHARED, mappable, 0) == MAP_FAILED);
	igt_assert_eq(errno, EINVAL);
	close(plain);
	close(mappable);
}

static void test_move_keeps_data(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_MMAP);
	int importer = revoke_importer_attach(dev, dmabuf, REVOCABLE, 0);
	struct revoke_importer_status st;
	struct revoke_exporter_revoke r;
	struct revoke_exporter_query q;
	uint32_t *map;

	map = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf, 0);
	igt_assert(map != MAP_FAILED);
	revoke_fill(map, BUF_SIZE, 0xfeed);

	igt_assert_eq(__revoke_exporter_move(dev, dmabuf, 10 * NSEC_PER_SEC, &r), 0);
	igt_assert_eq(r.mappings_before, 1);
	igt_assert_eq(r.mappings_after, 0);
	revoke_exporter_query(dev, dmabuf, &q);
	igt_assert_eq(q.generation, 1);
	igt_assert_eq(q.state, 0);
	revoke_check(map, BUF_SIZE, 0xfeed);

	revoke_importer_status(importer, &st);
	igt_assert_eq(st.invalidations, 1);
	igt_assert_eq(st.mapped, 0);
	igt_assert_eq(__revoke_importer_map(importer), 0);

	/* Writes after the move land in the new pages and survive the next. */
	revoke_fill(map, BUF_SIZE, 0xbeef);
	igt_assert_eq(__revoke_exporter_move(dev, dmabuf, 10 * NSEC_PER_SEC, &r), 0);
	revoke_check(map, BUF_SIZE, 0xbeef);
	munmap(map, BUF_SIZE);
	close(importer);
	revoke_exporter_assert_balanced(dev, dmabuf);
	close(dmabuf);
}

static void test_move_deferred_unmap(void)
{
	const uint32_t delay_ms = 300;
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0);
	int importer = revoke_importer_attach(dev, dmabuf, REVOCABLE, delay_ms);
	struct revoke_exporter_revoke r;

	igt_assert_eq(__revoke_exporter_move(dev, dmabuf, 10 * NSEC_PER_SEC, &r), 0);
	igt_info("move with a deferred unmap of %u ms: unmap wait %.1f ms\n", delay_ms,
		 r.unmap_wait_ns / 1e6);
	igt_assert_eq(r.mappings_after, 0);
	igt_assert_lte_u64((delay_ms - 50) * NSEC_PER_MSEC, r.unmap_wait_ns + r.invalidate_ns);
	close(importer);
	close(dmabuf);
}

static void test_fault_injection(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0), importer;
	struct revoke_exporter_query q;

	igt_assert_eq(__revoke_exporter_fail_map(dev, dmabuf, EIO), 0);
	igt_assert_eq(__revoke_importer_attach(dev, dmabuf, REVOCABLE, 0, &importer), -EIO);
	importer = revoke_importer_attach(dev, dmabuf, REVOCABLE, 0);

	revoke_importer_unmap(importer);
	igt_assert_eq(__revoke_exporter_fail_map(dev, dmabuf, ENOSPC), 0);
	igt_assert_eq(__revoke_importer_map(importer), -ENOSPC);
	igt_assert_eq(__revoke_importer_map(importer), 0);

	/* A cancelled injection fails nothing. */
	revoke_importer_unmap(importer);
	igt_assert_eq(__revoke_exporter_fail_map(dev, dmabuf, EIO), 0);
	igt_assert_eq(__revoke_exporter_fail_map(dev, dmabuf, 0), 0);
	igt_assert_eq(__revoke_importer_map(importer), 0);

	revoke_exporter_query(dev, dmabuf, &q);
	igt_assert_eq_u64(q.map_failed, 2);
	igt_assert_eq_u64(q.map, 3);
	close(importer);
	revoke_exporter_assert_balanced(dev, dmabuf);
	close(dmabuf);
}

/* A buffer whose reservation holds an unsignalled fence of @timeline. */
static int buffer_with_fence(int timeline, uint32_t seqno, uint32_t flags)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, flags);
	int fence = sw_sync_timeline_create_fence(timeline, seqno);

	dmabuf_import_sync_file(dmabuf, DMA_BUF_SYNC_WRITE, fence);
	close(fence);
	return dmabuf;
}

static void test_fence_wait_signal(void)
{
	int timeline = sw_sync_timeline_create();

	for (unsigned int i = 0; i < 10; i++) {
		int dmabuf = buffer_with_fence(timeline, i + 1, 0);
		struct revoke_thread t;
		uint64_t signal_ns;

		revoke_thread_start(&t, dev, dmabuf, 10 * NSEC_PER_SEC);
		revoke_wait_until_blocked(&t.tid, &t.done);
		usleep(1000);
		igt_assert_f(!t.done, "revoke %u finished before its fence signalled\n", i);
		signal_ns = revoke_now_ns();
		sw_sync_timeline_inc(timeline, 1);
		igt_assert_eq(revoke_thread_join(&t), 0);
		igt_assert_lt_u64(signal_ns, t.done_ns);
		igt_assert_lt_u64(t.done_ns - signal_ns, revoke_bound_step_ns());
		/* The exporter's own figure starts at the signal, ends before the return. */
		igt_assert_lt_u64(0, t.result.signal_to_done_ns);
		igt_assert_lte_u64(t.result.signal_to_done_ns, t.done_ns - signal_ns);
		close(dmabuf);
	}
	close(timeline);
}

static void test_fence_wait_vfio(void)
{
	struct sigaction old;
	int timeline = sw_sync_timeline_create();
	int dmabuf = buffer_with_fence(timeline, 1, 0);
	struct revoke_thread t;

	revoke_interrupting_signal(SIGUSR1, &old);
	revoke_thread_start(&t, dev, dmabuf, 10 * NSEC_PER_SEC);
	revoke_wait_until_blocked(&t.tid, &t.done);
	for (int i = 0; i < 5; i++) {
		pthread_kill(t.thread, SIGUSR1);
		usleep(20000);
	}
	igt_assert_f(!t.done, "a signal ended VFIO's fence wait (%d)\n", t.ret);
	sw_sync_timeline_inc(timeline, 1);
	igt_assert_eq(revoke_thread_join(&t), 0);
	sigaction(SIGUSR1, &old, NULL);
	assert_revoked(dmabuf, true);
	close(dmabuf);
	close(timeline);
}

static void test_watchdog_rescue(void)
{
	int timeline = sw_sync_timeline_create();
	int dmabuf = buffer_with_fence(timeline, 1, 0);
	uint64_t bound = revoke_watchdog_set_bound(300 * NSEC_PER_MSEC);
	struct revoke_exporter_revoke r;
	int err, restore_err;

	err = __revoke_exporter_revoke(dev, dmabuf, NSEC_PER_SEC, &r);
	revoke_watchdog_set_bound(bound);
	sw_sync_timeline_inc(timeline, 1);
	close(timeline);
	restore_err = __revoke_exporter_restore(dev, dmabuf);
	close(dmabuf);

	igt_assert_eq(err, -REVOKE_WATCHDOG_FIRED);
	igt_assert_lte_u64(300 * NSEC_PER_MSEC, r.fence_wait_ns);
	igt_assert_eq(restore_err, 0);
}

static void test_fence_wait_timeout(void)
{
	const uint64_t timeout = 300 * NSEC_PER_MSEC;
	int timeline = sw_sync_timeline_create();
	int dmabuf = buffer_with_fence(timeline, 1, REVOKE_EXPORTER_BOUNDED_FENCE_WAIT);
	struct revoke_exporter_revoke r;
	struct revoke_exporter_query q;
	int err, restore_err;

	err = __revoke_exporter_revoke(dev, dmabuf, timeout, &r);
	revoke_exporter_query(dev, dmabuf, &q);
	/*
	 * Clean up before asserting: a buffer left behind would hold the
	 * module and fail the unload subtests too.
	 */
	sw_sync_timeline_inc(timeline, 1);
	close(timeline);
	restore_err = __revoke_exporter_restore(dev, dmabuf);
	close(dmabuf);

	igt_assert_eq(err, -ETIMEDOUT);
	igt_assert_f(r.fence_wait_ns >= timeout && r.fence_wait_ns < timeout + revoke_bound_late_ns(),
		     "fence wait %" PRIu64 " ns for a %" PRIu64 " ns timeout\n",
		     (uint64_t)r.fence_wait_ns, timeout);
	igt_assert(q.state & REVOKE_EXPORTER_STATE_REVOKED);
	igt_assert_eq(restore_err, 0);
}

static void test_revoke_interrupted(void)
{
	struct sigaction old;
	int timeline = sw_sync_timeline_create();
	int dmabuf = buffer_with_fence(timeline, 1, REVOKE_EXPORTER_BOUNDED_FENCE_WAIT);
	struct revoke_thread t;

	revoke_interrupting_signal(SIGUSR1, &old);
	revoke_thread_start(&t, dev, dmabuf, 30 * NSEC_PER_SEC);
	revoke_wait_until_blocked(&t.tid, &t.done);
	pthread_kill(t.thread, SIGUSR1);
	igt_assert_eq(revoke_thread_join(&t), -EINTR);
	sigaction(SIGUSR1, &old, NULL);

	assert_revoked(dmabuf, true);
	sw_sync_timeline_inc(timeline, 1);
	revoke_exporter_restore(dev, dmabuf);
	revoke_exporter_assert_balanced(dev, dmabuf);
	close(dmabuf);
	close(timeline);
}

static void test_restore_cancels_revoke(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_NO_OUTER_LOCK);
	int importer = revoke_importer_attach(dev, dmabuf, REVOCABLE, 3000);
	struct revoke_thread t;

	revoke_thread_start(&t, dev, dmabuf, 30 * NSEC_PER_SEC);
	revoke_wait_until_blocked(&t.tid, &t.done);
	revoke_exporter_restore(dev, dmabuf);
	igt_assert_eq(revoke_thread_join(&t), -ECANCELED);
	igt_assert_eq(t.result.mappings_after, 1);
	close(importer);
	revoke_exporter_assert_balanced(dev, dmabuf);
	close(dmabuf);
}

static void *fault_thread_fn(void *data)
{
	volatile uint32_t *map = data;

	(void)map[0];
	return NULL;
}

static void test_outer_lock_holds_faults(void)
{
	const uint32_t delay_ms = 300;
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0);
	int importer = revoke_importer_attach(dev, dmabuf, REVOCABLE, delay_ms);
	int other = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_MMAP);
	uint32_t *map = mmap(NULL, BUF_SIZE, PROT_READ, MAP_SHARED, other, 0);
	struct revoke_thread t;
	pthread_t fault;
	uint64_t start, took;

	igt_assert(map != MAP_FAILED);
	revoke_thread_start(&t, dev, dmabuf, 10 * NSEC_PER_SEC);
	revoke_wait_until_blocked(&t.tid, &t.done);
	/* Another buffer's fault waits for the outer lock, as a BAR's for memory_lock. */
	start = revoke_now_ns();
	igt_assert_eq(pthread_create(&fault, NULL, fault_thread_fn, map), 0);
	igt_assert_eq(pthread_join(fault, NULL), 0);
	took = revoke_now_ns() - start;
	igt_assert_eq(revoke_thread_join(&t), 0);
	igt_info("fault behind a revoke with a %u ms deferred unmap: %.1f ms; lock held %.1f ms\n",
		 delay_ms, took / 1e6, t.result.locked_ns / 1e6);
	igt_assert_lte_u64(t.done_ns - start, took + revoke_bound_step_ns());
	igt_assert_lte_u64((delay_ms - 50) * NSEC_PER_MSEC, t.result.locked_ns);
	igt_assert_lte_u64(t.result.unmap_wait_ns, t.result.locked_ns);

	munmap(map, BUF_SIZE);
	close(other);
	close(importer);
	close(dmabuf);
}

/* Revoke and restore a buffer of @flags under an eager, latching importer. */
static void eager_latch(uint32_t flags, struct revoke_importer_status *st)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, flags);
	int importer = revoke_importer_attach(dev, dmabuf, REVOCABLE | REVOKE_IMPORTER_EAGER |
					      REVOKE_IMPORTER_LATCH, 0);
	int lazy = revoke_importer_attach(dev, dmabuf, REVOCABLE, 0);
	struct revoke_exporter_revoke r;

	revoke_exporter_revoke(dev, dmabuf, &r);
	revoke_importer_status(importer, st);
	/* Told during the revoke, it asked at once and latched ENODEV. */
	igt_assert_eq(st->map_error, ENODEV);
	igt_assert_eq(st->latched, 1);

	/* The restore's invalidation is its only cue to map again. */
	revoke_exporter_restore(dev, dmabuf);
	revoke_importer_status(importer, st);
	igt_assert_eq(__revoke_importer_map(importer), st->latched ? -ENODEV : 0);
	/* A lazy importer maps again in either order. */
	igt_assert_eq(__revoke_importer_map(lazy), 0);
	close(importer);
	close(lazy);
	revoke_exporter_assert_balanced(dev, dmabuf);
	close(dmabuf);
}

static void test_restore_catches_eager_latch(void)
{
	struct revoke_importer_status st;

	eager_latch(0, &st);
	/* VFIO invalidates while still revoked: the eager importer is stuck. */
	igt_assert_eq(st.mapped, 0);
	igt_assert_eq(st.latched, 1);
	igt_assert_eq(st.map_error, ENODEV);
}

static void test_restore_clear_first(void)
{
	struct revoke_importer_status st;

	eager_latch(REVOKE_EXPORTER_RESTORE_CLEAR_FIRST, &st);
	igt_assert_eq(st.mapped, 1);
	igt_assert_eq(st.latched, 0);
}

/* Reads QUERY's late-write report, then expects the kernel log's. */
static void assert_late_write(int dmabuf, uint32_t holder)
{
	struct revoke_exporter_query q;

	revoke_exporter_query(dev, dmabuf, &q);
	igt_assert_eq(q.late_writes, 1);
	igt_assert_eq_u64(q.late_write_offset, 0);
	igt_assert_eq(q.late_write_holder, holder);
}

static void test_poison_late_write_revoke(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_MMAP);
	int bad = revoke_importer_attach(dev, dmabuf, REVOCABLE | REVOKE_IMPORTER_LATE_WRITER, 0);
	int good = revoke_importer_attach(dev, dmabuf, REVOCABLE, 0);
	uint32_t *map = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf, 0);
	struct revoke_exporter_revoke r;

	igt_assert(map != MAP_FAILED);
	igt_emit_ignore_dmesg_regex(LATE_WRITE_LOG);
	revoke_fill(map, BUF_SIZE, 0xfade);
	revoke_exporter_revoke(dev, dmabuf, &r);
	igt_assert_eq_u64(r.poisoned, BUF_SIZE);
	igt_assert_eq(revoke_importer_poke(bad), 0);
	/*
	 * Attachments 1 (the late writer) and 2 had mapped it: the log names
	 * both, QUERY the first.
	 */
	assert_late_write(dmabuf, 1);

	revoke_exporter_restore(dev, dmabuf);
	revoke_check(map, BUF_SIZE, 0xfade);
	munmap(map, BUF_SIZE);
	close(bad);
	close(good);
	close(dmabuf);
}

static void test_poison_late_write_move(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0);
	int bad = revoke_importer_attach(dev, dmabuf, REVOCABLE | REVOKE_IMPORTER_LATE_WRITER, 0);
	struct revoke_exporter_revoke r;

	igt_emit_ignore_dmesg_regex(LATE_WRITE_LOG);
	igt_assert_eq(__revoke_exporter_move(dev, dmabuf, 10 * NSEC_PER_SEC, &r), 0);
	igt_assert_eq_u64(r.poisoned, BUF_SIZE);
	igt_assert_eq(revoke_importer_poke(bad), 0);
	assert_late_write(dmabuf, 1);
	close(bad);
	close(dmabuf);
}

static void test_move_async(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_MMAP);
	int importer = revoke_importer_attach(dev, dmabuf, REVOCABLE, 0);
	uint32_t *map = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf, 0);
	struct revoke_move_thread m;
	int fence;

	igt_assert(map != MAP_FAILED);
	revoke_fill(map, BUF_SIZE, 0xa5a5);
	revoke_move_thread_start(&m, dev, dmabuf, 300);
	/* The copy is pending: its kernel fence is in the reservation. */
	fence = dmabuf_export_sync_file(dmabuf, DMA_BUF_SYNC_READ);
	igt_assert_eq(sync_fence_status(fence), 0);
	/* The exporter's own mapping waits for the copy, and sees the data. */
	revoke_check(map, BUF_SIZE, 0xa5a5);
	igt_assert_eq(sync_fence_status(fence), 1);
	close(fence);
	igt_assert_eq(revoke_move_thread_join(&m), 0);
	igt_assert_eq(m.result.mappings_before, 1);
	igt_assert_eq(m.result.mappings_after, 0);
	igt_assert_eq(__revoke_importer_map(importer), 0);
	munmap(map, BUF_SIZE);
	close(importer);
	revoke_exporter_assert_balanced(dev, dmabuf);
	close(dmabuf);
}

static void test_bar_peer_import(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_BAR |
					    REVOKE_EXPORTER_MMAP);
	int importer = revoke_importer_attach(dev, dmabuf, PEER, 0);
	uint32_t *map = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf, 0);
	struct revoke_exporter_revoke r;
	struct revoke_exporter_query q;

	igt_assert(map != MAP_FAILED);
	revoke_fill(map, BUF_SIZE, 0xba4);
	for (int i = 0; i < 3; i++) {
		revoke_exporter_revoke(dev, dmabuf, &r);
		igt_assert_eq(r.attachments, 1);
		igt_assert_eq(r.mappings_after, 0);
		igt_assert_eq_u64(r.poisoned, BUF_SIZE);
		revoke_exporter_restore(dev, dmabuf);
		igt_assert_eq(__revoke_importer_map(importer), 0);
	}
	revoke_check(map, BUF_SIZE, 0xba4);
	revoke_exporter_query(dev, dmabuf, &q);
	igt_assert_eq(q.late_writes, 0);
	munmap(map, BUF_SIZE);
	close(importer);
	revoke_exporter_assert_balanced(dev, dmabuf);
	close(dmabuf);
}

static void test_bar_refuses(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_BAR), importer;
	struct revoke_exporter_revoke r;

	igt_assert_eq(__revoke_importer_attach(dev, dmabuf, REVOCABLE, 0, &importer),
		      -EOPNOTSUPP);
	/* The test importer's own device is no PCI device: no peer-to-peer path. */
	igt_assert_eq(__revoke_importer_attach(dev, dmabuf, REVOCABLE | REVOKE_IMPORTER_P2P, 0,
					       &importer), -EINVAL);
	/* No struct pages behind the DMA addresses. */
	igt_assert_eq(__revoke_importer_attach(dev, dmabuf, PEER | REVOKE_IMPORTER_LATE_WRITER,
					       0, &importer), -EINVAL);
	igt_assert_eq(__revoke_exporter_move(dev, dmabuf, NSEC_PER_SEC, &r), -EOPNOTSUPP);
	revoke_exporter_assert_balanced(dev, dmabuf);
	close(dmabuf);
}

static char bar_bdf[32];

/*
 * Binds the BAR's device again, whatever a failed subtest left; in an exit
 * handler, so without asserting.
 */
static void rebind_bar(int sig)
{
	if (bar_bdf[0])
		revoke_sysfs_write("/sys/bus/pci/drivers_probe", bar_bdf);
}

static void test_bar_device_removal(void)
{
	const uint32_t delay_ms = 300;
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_BAR);
	int importer = revoke_importer_attach(dev, dmabuf, PEER, delay_ms);
	struct revoke_importer_status st;
	struct revoke_exporter_query q;
	uint64_t start, took;
	int other;

	igt_install_exit_handler(rebind_bar);
	/* The unbind waits for the importer's deferred unmap, as VFIO's release does. */
	start = revoke_now_ns();
	igt_assert_eq(__revoke_pci_unbind(bar_bdf), 0);
	took = revoke_now_ns() - start;
	igt_assert_lte_u64((delay_ms - 50) * NSEC_PER_MSEC, took);
	revoke_exporter_query(dev, dmabuf, &q);
	igt_assert_eq(q.state, REVOKE_EXPORTER_STATE_REVOKED);
	igt_assert_eq(q.mappings, 0);
	revoke_importer_status(importer, &st);
	igt_assert_eq(st.mapped, 0);
	igt_assert_eq(__revoke_importer_map(importer), -ENODEV);
	igt_assert_eq(__revoke_exporter_restore(dev, dmabuf), -ENODEV);
	igt_assert_eq(__revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_BAR, &other),
		      -ENODEV);
	close(importer);
	close(dmabuf);

	revoke_pci_bind(bar_bdf, REVOKE_EXPORTER_MODULE);
	other = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_BAR);
	close(other);
}

static void test_close_during_revoke(void)
{
	int timeline = sw_sync_timeline_create();
	int dmabuf = buffer_with_fence(timeline, 1, 0);
	struct revoke_thread t;
	int err;

	revoke_thread_start(&t, dev, dmabuf, 30 * NSEC_PER_SEC);
	revoke_wait_until_blocked(&t.tid, &t.done);
	close(dmabuf);
	usleep(100000);
	igt_assert(!t.done);
	sw_sync_timeline_inc(timeline, 1);
	igt_assert_eq(revoke_thread_join(&t), 0);
	close(timeline);
	/* The last reference went with the revoke: nothing holds the module. */
	close(dev);
	err = igt_kmod_unload(REVOKE_EXPORTER_MODULE);
	/* Reopen before asserting: the later subtests need the device. */
	dev = revoke_exporter_open();
	igt_assert_f(err == 0, "unload after the last buffer went: %d\n", err);
}

static void test_many_buffers(void)
{
	enum { BUFFERS = 64, IMPORTERS = 3, CYCLES = 20 };
	int dmabuf[BUFFERS], importer[BUFFERS][IMPORTERS];
	struct revoke_exporter_revoke r;
	struct revoke_exporter_query q;

	for (int b = 0; b < BUFFERS; b++) {
		dmabuf[b] = revoke_exporter_create(dev, BUF_SIZE, 0);
		for (int i = 0; i < IMPORTERS; i++)
			importer[b][i] = revoke_importer_attach(dev, dmabuf[b], REVOCABLE, 0);
	}
	for (int c = 0; c < CYCLES; c++) {
		for (int b = 0; b < BUFFERS; b++) {
			revoke_exporter_revoke(dev, dmabuf[b], &r);
			igt_assert_eq(r.attachments, IMPORTERS);
			igt_assert_eq(r.mappings_after, 0);
		}
		for (int b = 0; b < BUFFERS; b++) {
			revoke_exporter_restore(dev, dmabuf[b]);
			for (int i = 0; i < IMPORTERS; i++)
				igt_assert_eq(__revoke_importer_map(importer[b][i]), 0);
		}
	}
	for (int b = 0; b < BUFFERS; b++) {
		revoke_exporter_query(dev, dmabuf[b], &q);
		igt_assert_eq_u64(q.revoke, CYCLES);
		igt_assert_eq_u64(q.map, IMPORTERS * (CYCLES + 1));
		igt_assert_eq(q.mappings, IMPORTERS);
		revoke_exporter_assert_balanced(dev, dmabuf[b]);
		for (int i = 0; i < IMPORTERS; i++)
			close(importer[b][i]);
		revoke_exporter_query(dev, dmabuf[b], &q);
		igt_assert_eq(q.attachments, 0);
		igt_assert_eq(q.mappings, 0);
		revoke_exporter_assert_balanced(dev, dmabuf[b]);
		close(dmabuf[b]);
	}
}

static void test_module_unload(void)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, 0);
	int importer = revoke_importer_attach(dev, dmabuf, REVOCABLE, 0);
	int with_importer, with_buffer, idle_err;
	bool unloaded;

	/* The device fd holds the module too; only buffers and importers remain. */
	close(dev);
	with_importer = revoke_module_unload_once(REVOKE_EXPORTER_MODULE);
	close(importer);
	with_buffer = revoke_module_unload_once(REVOKE_EXPORTER_MODULE);
	close(dmabuf);
	idle_err = igt_kmod_unload(REVOKE_EXPORTER_MODULE);
	unloaded = !igt_kmod_is_loaded(REVOKE_EXPORTER_MODULE);
	/* Reopen before asserting, as close-during-revoke does. */
	dev = revoke_exporter_open();

	igt_assert_f(with_importer == -EAGAIN || with_importer == -EBUSY,
		     "unload with a buffer and an importer: %d\n", with_importer);
	igt_assert_f(with_buffer == -EAGAIN || with_buffer == -EBUSY,
		     "unload with a buffer only: %d\n", with_buffer);
	igt_assert_f(idle_err == 0 && unloaded, "unload with nothing left: %d\n", idle_err);
}

int igt_main()
{
	igt_fixture()
		dev = revoke_exporter_open();

	igt_describe("CREATE refuses bad sizes with EINVAL.");
	igt_subtest("create-bad-size")
		test_create_bad_size();

	igt_describe("CREATE refuses unknown flags with EINVAL.");
	igt_subtest("create-bad-flags")
		test_create_bad_flags();

	igt_describe("CREATE and IMPORT that cannot return their fd leak nothing.");
	igt_subtest("efault-no-leak")
		test_efault_no_leak();

	igt_describe("Buffer ioctls answer EBADF for closed fds and EINVAL for non-dma-bufs.");
	igt_subtest("bad-fd")
		test_bad_fd();

	igt_describe("Buffer ioctls answer EOPNOTSUPP for another exporter's dma-buf.");
	igt_subtest("foreign-dmabuf")
		test_foreign_dmabuf();

	igt_describe("Reserved fields, bad flags, timeouts, errnos and ioctl sizes are refused.");
	igt_subtest("bad-arguments")
		test_bad_arguments();

	igt_describe("NULL and unmapped ioctl arguments get EFAULT.");
	igt_subtest("bad-pointers")
		test_bad_pointers();

	igt_describe("Importer and exporter ioctls on each other's fds get ENOTTY.");
	igt_subtest("importer-bad-ioctls")
		test_importer_bad_ioctls();

	igt_describe("The device is root only.");
	igt_subtest("non-root-open")
		test_non_root_open();

	igt_describe("A buffer nobody imported revokes at once.");
	igt_subtest("revoke-idle")
		test_revoke_idle();

	igt_describe("A second revoke fails with EALREADY.");
	igt_subtest("double-revoke")
		test_double_revoke();

	igt_describe("Restoring a buffer that is not revoked fails with EALREADY.");
	igt_subtest("restore-without-revoke")
		test_restore_without_revoke();

	igt_describe("Revoke and restore alternate.");
	igt_subtest("revoke-restore-cycle")
		test_revoke_restore_cycle();

	igt_describe("Attaching while revoked fails with ENODEV, and works after restore.");
	igt_subtest("attach-after-revoke")
		test_attach_after_revoke();

	igt_describe("Mapping while revoked fails with ENODEV, and works after restore.");
	igt_subtest("map-after-revoke")
		test_map_after_revoke();

	igt_describe("A revocable importer is invalidated and unmapped before the revoke returns.");
	igt_subtest("revoke-dynamic-importer")
		test_revoke_dynamic_importer();

	igt_describe("A deferred unmap makes the revoke wait exactly that long.");
	igt_subtest("revoke-deferred-unmap")
		test_revoke_deferred_unmap();

	igt_describe("Non-revocable importers are refused by default.");
	igt_subtest("refuse-non-revocable")
		test_refuse_non_revocable();

	igt_describe("A static importer makes the revoke time out and is named as the holder.");
	igt_subtest("static-importer-timeout")
		test_static_importer_timeout();

	igt_describe("Buffers that require peer-to-peer refuse other importers.");
	igt_subtest("require-p2p")
		test_require_p2p();

	igt_describe("A pinned buffer cannot move but can be revoked.");
	igt_subtest("pinned-move")
		test_pinned_move();

	igt_describe("CPU mappings get SIGBUS while revoked and the data after restore.");
	igt_subtest("mmap-revoke-restore")
		test_mmap_revoke_restore();

	igt_describe("mmap is refused when not offered, private or too large.");
	igt_subtest("mmap-refused")
		test_mmap_refused();

	igt_describe("MOVE keeps the data for CPU mappings and importers.");
	igt_subtest("move-keeps-data")
		test_move_keeps_data();

	igt_describe("MOVE waits until the old pages are unmapped.");
	igt_subtest("move-deferred-unmap")
		test_move_deferred_unmap();

	igt_describe("FAIL_MAP fails exactly the next map.");
	igt_subtest("fault-injection")
		test_fault_injection();

	igt_describe("The revoke waits for a fence and finishes soon after it signals.");
	igt_subtest("fence-wait-signal")
		test_fence_wait_signal();

	igt_describe("A VFIO-like fence wait does not give in to signals.");
	igt_subtest("fence-wait-vfio")
		test_fence_wait_vfio();

	igt_describe("The watchdog reports and rescues a revoke whose fence never signals.");
	igt_subtest("watchdog-rescue")
		test_watchdog_rescue();

	igt_describe("A bounded fence wait times out on a fence that never signals.");
	igt_subtest("fence-wait-timeout")
		test_fence_wait_timeout();

	igt_describe("A signal interrupts a bounded fence wait.");
	igt_subtest("revoke-interrupted")
		test_revoke_interrupted();

	igt_describe("Without the outer lock, a restore ends a revoke's unmap wait.");
	igt_subtest("restore-cancels-revoke")
		test_restore_cancels_revoke();

	igt_describe("A revoke holds the outer lock, and so CPU faults, to its end.");
	igt_subtest("outer-lock-holds-faults")
		test_outer_lock_holds_faults();

	igt_describe("VFIO's restore order catches an eager importer that latches ENODEV.");
	igt_subtest("restore-catches-eager-latch")
		test_restore_catches_eager_latch();

	igt_describe("The older restore order lets an eager importer map from its callback.");
	igt_subtest("restore-clear-first")
		test_restore_clear_first();

	igt_describe("A write after the last unmap of a revoke is found and attributed.");
	igt_subtest("poison-late-write-revoke")
		test_poison_late_write_revoke();

	igt_describe("A write into the old pages after a move is found and attributed.");
	igt_subtest("poison-late-write-move")
		test_poison_late_write_move();

	igt_describe("An asynchronous move publishes its copy as a kernel fence.");
	igt_subtest("move-async")
		test_move_async();

	igt_subtest_group() {
		igt_fixture()
			revoke_exporter_require_bar(bar_bdf, sizeof(bar_bdf));

		igt_describe("BAR memory is mapped peer-to-peer and survives revokes.");
		igt_subtest("bar-peer-import")
			test_bar_peer_import();

		igt_describe("BAR memory refuses what needs pages or no peer-to-peer path.");
		igt_subtest("bar-refuses")
			test_bar_refuses();

		igt_describe("The BAR's device going away revokes its buffers for good.");
		igt_subtest("bar-device-removal")
			test_bar_device_removal();
	}

	igt_describe("Closing the last fd during a revoke frees the buffer after it.");
	igt_subtest("close-during-revoke")
		test_close_during_revoke();

	igt_describe("Many buffers and cycles keep every counter balanced.");
	igt_subtest("many-buffers")
		test_many_buffers();

	igt_describe("The module unloads only when no buffer or importer is left.");
	igt_subtest("module-unload")
		test_module_unload();

	igt_fixture()
		close(dev);
}
