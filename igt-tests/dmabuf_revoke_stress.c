// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The dma-buf revoke test authors
 */

/**
 * TEST: dmabuf revoke stress
 * Description: Races against the exporter's revoke, restore and move
 *		sequences, with vgem as the importer, and the teardown of
 *		processes blocked in them. Every race subtest runs a number of
 *		exporter cycles (--iterations, printed; 5000 by default, 300 on
 *		kernels with lockdep) and checks the data seen by the racing
 *		threads and that the exporter's counters balance afterwards.
 * Category: Core
 * Mega feature: General Core features
 * Sub-category: DMA-BUF
 * Functionality: dma-buf revoke
 * Feature: prime
 * Test category: stress test
 *
 * SUBTEST: revoke-vs-faults
 * Description: Threads read and write through vgem's mapping while the
 *		exporter revokes and restores: no access succeeds between a
 *		revoke's return and the next restore, reads after a restore see
 *		the newest data, and no acknowledged write is lost.
 *
 * SUBTEST: move-vs-faults
 * Description: Threads read and write through vgem's mapping while the
 *		exporter moves the buffer to new pages and writes a new
 *		pattern after each move: reads never see an older pattern,
 *		every write acknowledged before a move began is in the new
 *		pages, and no write lands in the old pages after the move
 *		(their poison is intact).
 *
 * SUBTEST: move-async-vs-faults
 * Description: The same with asynchronous moves, whose copy finishes
 *		after the move unlocked: vgem must wait for the copy's kernel
 *		fence before its mapping shows the new pages. A tenth of the
 *		cycles, as each waits for its copy.
 *
 * SUBTEST: revoke-vs-mmap
 * Description: Threads map, touch and unmap the import while the exporter
 *		revokes and restores; at least one access in ten cycles
 *		succeeds.
 *
 * SUBTEST: revoke-vs-import-close
 * Description: Threads import, touch, fence and close the buffer in vgem
 *		while the exporter revokes and restores; at least one import
 *		and one fence in ten cycles succeed.
 *
 * SUBTEST: revoke-vs-fences
 * Description: Threads attach and signal vgem fences on the import while
 *		the exporter revokes and restores; every revoke finishes within
 *		its bound, FENCE_ATTACH fails only with the exporter's ENODEV
 *		(revoked) or vgem's EBUSY (another racer's conflicting fence),
 *		and at least one fence in ten cycles is attached.
 *
 * SUBTEST: revoke-vs-process-exit
 * Description: Child processes import, map, fault and fence the buffer,
 *		then exit or are killed at any point, while the exporter
 *		revokes and restores; at least one child in four imported,
 *		and nothing of theirs is left behind.
 *
 * SUBTEST: kill-blocked-revoke
 * Description: A process waiting in REVOKE for a fence, with the bounded
 *		fence wait (VFIO's does not give in to SIGKILL), dies at once
 *		from SIGKILL; the buffer stays revoked and can be restored.
 *		Neither module unloads meanwhile.
 *
 * SUBTEST: kill-blocked-fault
 * Description: A process whose fault on vgem's mapping waits for the
 *		reservation lock held by a revoke dies at once from SIGKILL.
 *		Neither module unloads meanwhile.
 *
 * SUBTEST: kill-blocked-fence-attach
 * Description: A process whose FENCE_ATTACH waits for the reservation lock
 *		held by a revoke dies at once from SIGKILL. Neither module
 *		unloads meanwhile; both do once everything is closed.
 */

#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt.h"
#include "igt_kmod.h"
#include "igt_vgem.h"
#include "revoke_bounds.h"
#include "revoke_exporter_helpers.h"
#include "revoke_vgem_helpers.h"
#include "vgem_drm.h"

IGT_TEST_DESCRIPTION("Races and teardown against dma-buf revoke, restore and move, with vgem as the importer.");

#define BUF_SIZE (64 * 4096)
#define BUF_WORDS (BUF_SIZE / 4)
/* Revokes in races wait this long at most; the racers never hold fences long. */
#define RACE_TIMEOUT_NS (10 * NSEC_PER_SEC)
/* An asynchronous move's copy starts this late: faults meet it pending. */
#define ASYNC_COPY_DELAY_MS 1

#define THREADS 3
/* The races try to unload both modules this often; it must fail. */
#define UNLOAD_EVERY 500
/* How long the races leave the buffer revoked, and restored. */
#define RACE_PAUSE_US 50
/* The first half of the buffer is the exporter's pattern, read by the
 * racers; each writer owns one word of the second half. */
#define WRITER_WORD(i) (BUF_WORDS / 2 + (i))

static int dev = -1;
static unsigned int iterations;

/*
 * Kernels with lockdep (the debug flavour, which also has KASAN) run the
 * races about 17 times slower: 300 cycles there take about 90 s in all.
 */
static unsigned int default_iterations(void)
{
	return revoke_per_flavour(5000, 300);
}

/*
 * What a race must have done at least for its races to have happened:
 * one success (or fault) every ten exporter cycles. Measured: hundreds of
 * times that on release, tens on debug (doc/stress.md).
 */
static unsigned int race_minimum(unsigned int cycles)
{
	return cycles / 10 ? cycles / 10 : 1;
}

#define assert_raced(what, count, cycles) \
	igt_assert_f((count) >= race_minimum(cycles), "only %u %s in %u cycles (at least %u)\n", \
		     (unsigned int)(count), what, cycles, race_minimum(cycles))

static int opt_handler(int opt, int opt_index, void *data)
{
	char *end;

	switch (opt) {
	case 'i':
		iterations = strtoul(optarg, &end, 0);
		if (*end || !iterations)
			return IGT_OPT_HANDLER_ERROR;
		return IGT_OPT_HANDLER_SUCCESS;
	default:
		return IGT_OPT_HANDLER_ERROR;
	}
}

static const struct option long_opts[] = {
	{ "iterations", required_argument, NULL, 'i' },
	{}
};

static const char help_str[] =
	"  --iterations N\texporter cycles per race subtest (default 5000, 300 with lockdep)\n";

/* Unloading either module fails while any of this is in use. */
static void assert_unload_refused(void)
{
	const char *modules[] = { "vgem", REVOKE_EXPORTER_MODULE };

	for (int i = 0; i < ARRAY_SIZE(modules); i++) {
		int err = revoke_module_unload_once(modules[i]);

		igt_assert_f(err == -EBUSY || err == -EAGAIN, "unloading %s: %d\n",
			     modules[i], err);
		igt_assert(igt_kmod_is_loaded(modules[i]));
	}
}

static void print_rate(const char *what, unsigned int cycles, uint64_t start_ns)
{
	double s = (revoke_now_ns() - start_ns) / 1e9;

	igt_info("%s: %u exporter cycles in %.1f s (%.0f per second)\n",
		 what, cycles, s, cycles / s);
}

/*
 * revoke-vs-faults and move-vs-faults. Racer threads must not assert (a
 * failed assertion jumps to the main thread's subtest): they count what
 * they see, and the main thread asserts on the counts.
 */
struct access_race {
	uint32_t *map;		/* vgem's mapping of the import */
	volatile bool stop;
	/* The pattern's seed, and when it was written; 0 while it is written. */
	volatile uint32_t seed;
	volatile uint64_t written_ns;
	/* When the last revoke returned; 0 from the restore on. */
	volatile uint64_t revoked_ns;
	/* Per writer: the last value whose store did not fault. */
	volatile uint32_t acked[THREADS];
	volatile unsigned int reads, writes, faults, late, stale;
};

struct racer {
	struct access_race *ar;
	unsigned int index;
};

static void *access_racer(void *data)
{
	struct racer *rc = data;
	struct access_race *ar = rc->ar;
	volatile uint32_t *own = ar->map + WRITER_WORD(rc->index);
	uint32_t next = 1, value;

	while (!ar->stop) {
		uint64_t written = ar->written_ns, revoked = ar->revoked_ns;
		uint64_t start = revoke_now_ns();
		unsigned int word = start % (BUF_WORDS / 2);
		uint32_t seed = ar->seed;

		if (!revoke_read_word(ar->map + word, &value)) {
			__atomic_add_fetch(&ar->faults, 1, __ATOMIC_RELAXED);
			continue;
		}
		__atomic_add_fetch(&ar->reads, 1, __ATOMIC_RELAXED);
		/* Started after a revoke returned, before the restore began. */
		if (revoked && start > revoked && ar->revoked_ns == revoked)
			__atomic_add_fetch(&ar->late, 1, __ATOMIC_RELAXED);
		/* The pattern did not change during the read: it must match. */
		if (written && ar->written_ns == written && value != (seed ^ word))
			__atomic_add_fetch(&ar->stale, 1, __ATOMIC_RELAXED);

		if (revoke_write_word(own, next)) {
			ar->acked[rc->index] = next++;
			__atomic_add_fetch(&ar->writes, 1, __ATOMIC_RELAXED);
		} else {
			__atomic_add_fetch(&ar->faults, 1, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

static void write_pattern(struct access_race *ar, uint32_t *exp, uint32_t seed)
{
	ar->written_ns = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < BUF_WORDS / 2; i++)
		exp[i] = seed ^ i;
	ar->seed = seed;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ar->written_ns = revoke_now_ns();
}

/* Every write a racer had acknowledged by @acked is in the buffer. */
static unsigned int count_lost_writes(const uint32_t *exp, const uint32_t *acked)
{
	unsigned int lost = 0;

	for (int i = 0; i < THREADS; i++) {
		uint32_t value = exp[WRITER_WORD(i)];

		/* Writers count up, so the word holds at least what was acked. */
		if (value < acked[i]) {
			igt_warn("writer %d: word holds %u, %u was acknowledged\n",
				 i, value, acked[i]);
			lost++;
		}
	}
	return lost;
}

/*
 * An asynchronous move waits for its copy, which the exporter's worker
 * starts ASYNC_COPY_DELAY_MS later: about 10 ms a cycle under TCG, so the
 * asynchronous race runs a tenth of the cycles.
 */
static unsigned int async_iterations(void)
{
	return iterations / 10 ? iterations / 10 : 1;
}

/* One move of the races; with @async, the copy is left to the exporter's worker. */
static void race_move(int dmabuf, unsigned int cycle, bool async)
{
	struct revoke_exporter_revoke r;
	int ret;

	ret = __revoke_exporter_move_flags(dev, dmabuf, RACE_TIMEOUT_NS,
					   async ? REVOKE_EXPORTER_MOVE_ASYNC : 0,
					   async ? ASYNC_COPY_DELAY_MS : 0, &r);
	igt_assert_f(ret == 0, "move %u: %s\n", cycle, strerror(-ret));
}

static void access_race(bool move, bool async)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_MMAP);
	struct revoke_vgem_import imp = revoke_vgem_import(dmabuf, BUF_SIZE);
	uint32_t *exp = revoke_exporter_mmap(dmabuf, BUF_SIZE);
	struct access_race ar = { .map = revoke_vgem_mmap(&imp) };
	struct revoke_exporter_revoke r;
	struct revoke_exporter_query q;
	struct racer racers[THREADS];
	pthread_t threads[THREADS];
	uint32_t acked[THREADS];
	unsigned int lost = 0;
	unsigned int cycles = async ? async_iterations() : iterations;
	uint64_t start;

	write_pattern(&ar, exp, 1);
	for (int i = 0; i < THREADS; i++) {
		racers[i] = (struct racer){ .ar = &ar, .index = i };
		igt_assert_eq(pthread_create(&threads[i], NULL, access_racer, &racers[i]), 0);
	}
	start = revoke_now_ns();
	for (uint32_t c = 1; c <= cycles; c++) {
		int ret;

		if (c % UNLOAD_EVERY == 0)
			assert_unload_refused();
		if (move) {
			/* Acknowledged before the move began: must be in the new pages. */
			for (int i = 0; i < THREADS; i++)
				acked[i] = ar.acked[i];
			race_move(dmabuf, c, async);
			lost += count_lost_writes(exp, acked);
			/* A read of the old pages would see the old pattern (or poison). */
			write_pattern(&ar, exp, c + 1);
		} else {
			ret = __revoke_exporter_revoke(dev, dmabuf, RACE_TIMEOUT_NS, &r);
			igt_assert_f(ret == 0, "revoke %u: %s\n", c, strerror(-ret));
			igt_assert_eq(r.mappings_after, 0);
			ar.revoked_ns = revoke_now_ns();
			/* No write can land now: what is acked is final. */
			for (int i = 0; i < THREADS; i++)
				acked[i] = ar.acked[i];
			/* Give the racers time to try, and fault, while revoked. */
			usleep(RACE_PAUSE_US);
			ar.revoked_ns = 0;
			revoke_exporter_restore(dev, dmabuf);
			lost += count_lost_writes(exp, acked);
			write_pattern(&ar, exp, c + 1);
		}
	}
	ar.stop = true;
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	print_rate(!move ? "revoke-vs-faults" : async ? "move-async-vs-faults" : "move-vs-faults",
		   cycles, start);
	revoke_exporter_query(dev, dmabuf, &q);
	igt_info("%u reads, %u writes, %u faults; %u late reads, %u stale reads, %u lost writes, "
		 "%u late writes\n", ar.reads, ar.writes, ar.faults, ar.late, ar.stale, lost,
		 q.late_writes);

	if (move)
		igt_assert_eq_u64(q.move, cycles);
	else
		igt_assert_eq_u64(q.revoke, cycles);
	igt_assert_eq(ar.late, 0);
	igt_assert_eq(ar.stale, 0);
	igt_assert_eq(lost, 0);
	igt_assert_eq(q.late_writes, 0);
	assert_raced("reads", ar.reads, cycles);
	assert_raced("writes", ar.writes, cycles);
	if (!move)
		assert_raced("SIGBUS faults while revoked", ar.faults, cycles);
	revoke_check(exp, BUF_SIZE / 2, cycles + 1);

	munmap(ar.map, BUF_SIZE);
	munmap(exp, BUF_SIZE);
	drm_close_driver(imp.vgem);
	revoke_exporter_release(dev, dmabuf);
}

/*
 * revoke-vs-mmap, -import-close, -fences: threads churn on the import
 * while the main thread revokes and restores.
 */
struct churn {
	int dmabuf;
	volatile bool stop;
	volatile unsigned int rounds, touches, imports, fences, attach_errors, busy;
	volatile int bad_errno;	/* an error a revoke does not explain */
};

struct churn_thread {
	struct churn *ch;
	int vgem;
	uint32_t handle;	/* imported by the main thread */
};

static int __import_handle(int vgem, int dmabuf, uint32_t *handle)
{
	struct drm_prime_handle args = { .fd = dmabuf };

	if (igt_ioctl(vgem, DRM_IOCTL_PRIME_FD_TO_HANDLE, &args))
		return -errno;
	*handle = args.handle;
	return 0;
}

static void __gem_close(int vgem, uint32_t handle)
{
	struct drm_gem_close args = { .handle = handle };

	igt_ioctl(vgem, DRM_IOCTL_GEM_CLOSE, &args);
}

/* Maps, touches and unmaps a handle; the access may fault while revoked. */
static void touch_once(struct churn *ch, int vgem, uint32_t handle, unsigned int round)
{
	struct vgem_bo bo = { .handle = handle, .size = BUF_SIZE };
	uint32_t *map = __vgem_mmap(vgem, &bo, PROT_READ | PROT_WRITE), value;

	if (!map)
		return;
	if (revoke_read_word(map + round % BUF_WORDS, &value) &&
	    revoke_write_word(map + round % BUF_WORDS, value))
		__atomic_add_fetch(&ch->touches, 1, __ATOMIC_RELAXED);
	munmap(map, BUF_SIZE);
}

/* Attaches and signals a fence; ENODEV is the answer while revoked. */
static void fence_once(struct churn *ch, int vgem, uint32_t handle, unsigned int round)
{
	uint32_t fence = 0;
	int err;

	err = __revoke_vgem_fence_attach(vgem, handle, round & 1 ? VGEM_FENCE_WRITE : 0, &fence);
	if (err == 0) {
		__vgem_fence_signal(vgem, fence);
		__atomic_add_fetch(&ch->fences, 1, __ATOMIC_RELAXED);
	} else if (err == -ENODEV) {
		__atomic_add_fetch(&ch->attach_errors, 1, __ATOMIC_RELAXED);
	} else if (err == -EBUSY) {
		/* vgem's answer to a fence that conflicts with another racer's. */
		__atomic_add_fetch(&ch->busy, 1, __ATOMIC_RELAXED);
	} else {
		ch->bad_errno = -err;
	}
}

static void *mmap_churn(void *data)
{
	struct churn_thread *ct = data;

	while (!ct->ch->stop) {
		touch_once(ct->ch, ct->vgem, ct->handle, ct->ch->rounds);
		__atomic_add_fetch(&ct->ch->rounds, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *import_churn(void *data)
{
	struct churn_thread *ct = data;
	uint32_t handle = 0;

	while (!ct->ch->stop) {
		int err = __import_handle(ct->vgem, ct->ch->dmabuf, &handle);

		if (err == 0) {
			__atomic_add_fetch(&ct->ch->imports, 1, __ATOMIC_RELAXED);
			touch_once(ct->ch, ct->vgem, handle, ct->ch->rounds);
			fence_once(ct->ch, ct->vgem, handle, ct->ch->rounds);
			__gem_close(ct->vgem, handle);
		} else if (err != -ENODEV) {
			ct->ch->bad_errno = -err;
		}
		__atomic_add_fetch(&ct->ch->rounds, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *fence_churn(void *data)
{
	struct churn_thread *ct = data;

	while (!ct->ch->stop) {
		fence_once(ct->ch, ct->vgem, ct->handle, ct->ch->rounds);
		__atomic_add_fetch(&ct->ch->rounds, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* Revoke @cycle of a race: it must succeed; keeps the slowest's time. */
static void race_revoke(int dmabuf, unsigned int cycle, struct revoke_exporter_revoke *r,
			uint64_t *slowest)
{
	uint64_t start = revoke_now_ns();
	int ret = __revoke_exporter_revoke(dev, dmabuf, RACE_TIMEOUT_NS, r);
	uint64_t took = revoke_now_ns() - start;

	igt_assert_f(ret == 0, "revoke %u: %s\n", cycle, strerror(-ret));
	if (took > *slowest)
		*slowest = took;
}

enum churn_kind { CHURN_MMAP, CHURN_IMPORT, CHURN_FENCES };

static void churn_against_revokes(enum churn_kind kind, const char *what)
{
	void *(*const fns[])(void *) = { mmap_churn, import_churn, fence_churn };
	void *(*fn)(void *) = fns[kind];
	struct churn ch = { .dmabuf = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_MMAP) };
	struct churn_thread ct[THREADS];
	struct revoke_exporter_revoke r;
	struct revoke_exporter_query q;
	pthread_t threads[THREADS];
	uint64_t start, slowest = 0;

	for (int i = 0; i < THREADS; i++) {
		ct[i].ch = &ch;
		ct[i].vgem = drm_open_driver(DRIVER_VGEM);
		ct[i].handle = prime_fd_to_handle(ct[i].vgem, ch.dmabuf);
		igt_assert_eq(pthread_create(&threads[i], NULL, fn, &ct[i]), 0);
	}
	start = revoke_now_ns();
	for (unsigned int c = 1; c <= iterations; c++) {
		if (c % UNLOAD_EVERY == 0)
			assert_unload_refused();
		race_revoke(ch.dmabuf, c, &r, &slowest);
		igt_assert_eq(r.mappings_after, 0);
		/* Let the racers meet the buffer revoked, then restored. */
		usleep(RACE_PAUSE_US);
		revoke_exporter_restore(dev, ch.dmabuf);
		usleep(RACE_PAUSE_US);
	}
	ch.stop = true;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(threads[i], NULL);
		drm_close_driver(ct[i].vgem);
	}
	print_rate(what, iterations, start);
	revoke_exporter_query(dev, ch.dmabuf, &q);
	igt_info("%u racer rounds, %u accesses, %u imports, %u fences, %u ENODEV, %u EBUSY; %"
		 PRIu64 " maps, %" PRIu64 " attaches; slowest revoke %.3f ms\n",
		 ch.rounds, ch.touches, ch.imports, ch.fences, ch.attach_errors, ch.busy,
		 (uint64_t)q.map, (uint64_t)q.attach, slowest / 1e6);
	igt_assert_f(!ch.bad_errno, "a racer got %s\n", strerror(ch.bad_errno));
	if (kind == CHURN_MMAP)
		assert_raced("accesses through a new mapping", ch.touches, iterations);
	if (kind == CHURN_IMPORT)
		assert_raced("imports", ch.imports, iterations);
	if (kind != CHURN_MMAP)
		assert_raced("fences attached", ch.fences, iterations);
	/* The racers hold fences for microseconds: no revoke waits long. */
	igt_assert_lt_u64(slowest, revoke_bound_race_ns());
	igt_assert_eq_u64(q.revoke, iterations);
	revoke_exporter_release(dev, ch.dmabuf);
}

/*
 * revoke-vs-process-exit: each child opens its own vgem file (an inherited
 * one would be shared with the parent), imports, maps, faults and fences,
 * then exits with all of it open, or pauses until it is killed.
 */
static char vgem_path[64];
/* Children that imported, counted in memory shared with them. */
static volatile unsigned int *imported;

static void __attribute__((noreturn)) exiting_child(int dmabuf, unsigned int n)
{
	struct vgem_bo bo = { .size = BUF_SIZE };
	int vgem = open(vgem_path, O_RDWR | O_CLOEXEC);
	uint32_t *map, value, fence;

	/* A child whose import met a revoke ends as the others do. */
	if (vgem >= 0 && !__import_handle(vgem, dmabuf, &bo.handle)) {
		__atomic_add_fetch(imported, 1, __ATOMIC_RELAXED);
		map = __vgem_mmap(vgem, &bo, PROT_READ | PROT_WRITE);
		if (map && revoke_read_word(map + n % BUF_WORDS, &value))
			revoke_write_word(map + n % BUF_WORDS, value);
		/*
		 * Half of those that exit leave a fence unsignalled, which vgem
		 * must signal as the file closes (else a revoke waits for it to
		 * expire).
		 */
		if (n % 4 == 0)
			__revoke_vgem_fence_attach(vgem, bo.handle, VGEM_FENCE_WRITE, &fence);
	}
	/* Every other child exits at once; the others wait to be killed. */
	if (n % 2 == 0)
		exit(0);
	for (;;)
		pause();
}

/* Waits for a child that exits by itself, or kills one that waits for it. */
static void reap(struct igt_helper_process *child, unsigned int n)
{
	if (n % 2 == 0)
		igt_wait_helper(child);
	else
		igt_stop_helper(child);
}

static void test_revoke_vs_process_exit(void)
{
	/* IGT runs four helper processes at most. */
	enum { ALIVE = 4 };
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_MMAP);
	int vgem = drm_open_driver(DRIVER_VGEM);
	struct igt_helper_process children[ALIVE] = {};
	unsigned int born[ALIVE] = {};
	struct revoke_exporter_revoke r;
	uint64_t start, slowest = 0;
	char link[64];
	ssize_t len;

	imported = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	igt_assert(imported != MAP_FAILED);
	*imported = 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", vgem);
	len = readlink(link, vgem_path, sizeof(vgem_path) - 1);
	igt_assert(len > 0);
	vgem_path[len] = '\0';

	start = revoke_now_ns();
	for (unsigned int c = 0; c < iterations; c++) {
		unsigned int slot = c % ALIVE;

		if (c % UNLOAD_EVERY == 0)
			assert_unload_refused();
		if (children[slot].running)
			reap(&children[slot], born[slot]);
		children[slot].use_SIGKILL = true;
		born[slot] = c;
		igt_fork_helper(&children[slot])
			exiting_child(dmabuf, c);

		race_revoke(dmabuf, c, &r, &slowest);
		revoke_exporter_restore(dev, dmabuf);
	}
	for (int i = 0; i < ALIVE; i++)
		if (children[i].running)
			reap(&children[i], born[i]);
	/* Held until now so that unloading vgem is refused throughout. */
	drm_close_driver(vgem);
	print_rate("revoke-vs-process-exit", iterations, start);
	igt_info("%u children, %u of them imported; slowest revoke %.3f ms\n", iterations,
		 *imported, slowest / 1e6);
	/* Each child races one revoke: most import before it or after the restore. */
	igt_assert_f(*imported >= iterations / 4, "only %u of %u children imported\n",
		     *imported, iterations);
	munmap((void *)imported, 4096);
	/*
	 * A fence an exiting child left unsignalled holds a revoke until vgem
	 * signals it on close; one vgem forgot would expire only after 10 s.
	 */
	igt_assert_lt_u64(slowest, revoke_bound_race_ns());
	revoke_exporter_release(dev, dmabuf);
}

/* Teardown: a child blocked in the kernel, killed with SIGKILL. */

/*
 * SIGKILLs the helper and checks it is gone within the bound (igt_stop_helper()
 * fails the test unless SIGKILL ended it).
 */
static void kill_blocked(struct igt_helper_process *helper, const char *where)
{
	uint64_t start, took;

	assert_unload_refused();
	start = revoke_now_ns();
	igt_stop_helper(helper);
	took = revoke_now_ns() - start;
	igt_info("child blocked in %s: gone %.3f ms after SIGKILL\n", where, took / 1e6);
	igt_assert_lt_u64(took, revoke_bound_step_ns());
}

static void test_kill_blocked_revoke(void)
{
	/* VFIO's fence wait does not give in even to SIGKILL: the bounded one does. */
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_BOUNDED_FENCE_WAIT);
	struct revoke_vgem_import imp = revoke_vgem_import(dmabuf, BUF_SIZE);
	uint32_t fence = vgem_fence_attach(imp.vgem, &imp.bo, VGEM_FENCE_WRITE);
	struct igt_helper_process child = { .use_SIGKILL = true };
	struct revoke_exporter_query q;

	igt_fork_helper(&child) {
		struct revoke_exporter_revoke r;

		__revoke_exporter_revoke(dev, dmabuf, 30 * NSEC_PER_SEC, &r);
		pause();
	}
	revoke_wait_until_sleeping(child.pid, NULL);
	kill_blocked(&child, "REVOKE");

	/* The revoke had begun: the buffer is revoked, and restores. */
	revoke_exporter_query(dev, dmabuf, &q);
	igt_assert(q.state & REVOKE_EXPORTER_STATE_REVOKED);
	/* It may have expired (10 s) on a slow machine; either is fine. */
	__vgem_fence_signal(imp.vgem, fence);
	revoke_exporter_restore(dev, dmabuf);
	revoke_vgem_job(&imp);
	drm_close_driver(imp.vgem);
	revoke_exporter_release(dev, dmabuf);
}

/*
 * A revoke in a thread of ours holds the reservation lock while it waits
 * for a fence of @imp, so the child blocks on the lock in @block.
 */
static void kill_behind_revoke(void (*block)(struct revoke_vgem_import *imp), const char *where)
{
	int dmabuf = revoke_exporter_create(dev, BUF_SIZE, REVOKE_EXPORTER_MMAP);
	struct revoke_vgem_import imp = revoke_vgem_import(dmabuf, BUF_SIZE);
	uint32_t *map = revoke_vgem_mmap(&imp);
	struct igt_helper_process child = { .use_SIGKILL = true };
	struct revoke_thread t;
	uint32_t fence;

	map[0] = 1;
	/* A read fence: a read FENCE_ATTACH does not conflict with it (EBUSY). */
	fence = vgem_fence_attach(imp.vgem, &imp.bo, 0);
	revoke_thread_start(&t, dev, dmabuf, 30 * NSEC_PER_SEC);
	revoke_wait_until_blocked(&t.tid, &t.done);

	igt_fork_helper(&child) {
		block(&imp);
		pause();
	}
	revoke_wait_until_sleeping(child.pid, NULL);
	igt_assert(!t.done);
	kill_blocked(&child, where);

	__vgem_fence_signal(imp.vgem, fence);
	igt_assert_eq(revoke_thread_join(&t), 0);
	igt_assert_eq(t.result.mappings_after, 0);
	revoke_exporter_restore(dev, dmabuf);
	igt_assert_eq(map[0], 1);
	munmap(map, BUF_SIZE);
	drm_close_driver(imp.vgem);
	revoke_exporter_release(dev, dmabuf);
}

/* The revoke zapped the parent's mapping, which the child inherited. */
static void block_in_fault(struct revoke_vgem_import *imp)
{
	struct vgem_bo bo = imp->bo;
	uint32_t *map = __vgem_mmap(imp->vgem, &bo, PROT_READ);
	uint32_t value;

	if (map)
		revoke_read_word(map, &value);
}

static void block_in_fence_attach(struct revoke_vgem_import *imp)
{
	uint32_t fence;

	__revoke_vgem_fence_attach(imp->vgem, imp->bo.handle, 0, &fence);
}

static void test_unload_after_teardown(void)
{
	revoke_vgem_reload_at_exit();
	close(dev);
	igt_assert_eq(igt_kmod_unload(REVOKE_EXPORTER_MODULE), 0);
	igt_assert_eq(igt_kmod_unload("vgem"), 0);
	igt_assert_eq(igt_kmod_load("vgem", NULL), 0);
	dev = revoke_exporter_open();
}

int igt_main_args("", long_opts, help_str, opt_handler, NULL)
{
	igt_fixture() {
		if (!iterations)
			iterations = default_iterations();
		dev = revoke_exporter_open_with_vgem();
		igt_info("%u exporter cycles per race subtest (--iterations N)\n", iterations);
	}

	igt_describe("Faulting readers and writers never see a revoked buffer, "
		     "stale data or lost writes.");
	igt_subtest("revoke-vs-faults")
		access_race(false, false);

	igt_describe("Faulting readers and writers follow moves without losing writes.");
	igt_subtest("move-vs-faults")
		access_race(true, false);

	igt_describe("Faulting readers and writers wait for asynchronous moves' copies.");
	igt_subtest("move-async-vs-faults")
		access_race(true, true);

	igt_describe("mmap and munmap of the import race revokes.");
	igt_subtest("revoke-vs-mmap")
		churn_against_revokes(CHURN_MMAP, "revoke-vs-mmap");

	igt_describe("Import and close of the buffer race revokes.");
	igt_subtest("revoke-vs-import-close")
		churn_against_revokes(CHURN_IMPORT, "revoke-vs-import-close");

	igt_describe("Fence attach and signal race revokes.");
	igt_subtest("revoke-vs-fences")
		churn_against_revokes(CHURN_FENCES, "revoke-vs-fences");

	igt_describe("Processes holding imports exit or are killed during revokes.");
	igt_subtest("revoke-vs-process-exit")
		test_revoke_vs_process_exit();

	igt_describe("SIGKILL ends a process blocked in REVOKE.");
	igt_subtest("kill-blocked-revoke")
		test_kill_blocked_revoke();

	igt_describe("SIGKILL ends a process whose fault waits behind a revoke.");
	igt_subtest("kill-blocked-fault")
		kill_behind_revoke(block_in_fault, "a fault");

	igt_describe("SIGKILL ends a process whose FENCE_ATTACH waits behind a revoke; "
		     "both modules unload afterwards.");
	igt_subtest("kill-blocked-fence-attach") {
		kill_behind_revoke(block_in_fence_attach, "FENCE_ATTACH");
		test_unload_after_teardown();
	}

	igt_fixture()
		close(dev);
}
