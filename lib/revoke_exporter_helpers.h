/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the revocable dma-buf test exporter (drm/exporter/): open it,
 * create buffers, run its sequences, attach its test importer. Functions
 * with two leading underscores return 0 or -errno; the others assert.
 */
#ifndef REVOKE_EXPORTER_HELPERS_H
#define REVOKE_EXPORTER_HELPERS_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "revoke_exporter.h"

#define REVOKE_EXPORTER_MODULE "revoke_exporter"

/*
 * What __revoke_exporter_revoke() and __revoke_exporter_restore() return,
 * negated, when the watchdog had to rescue them (revoke_watchdog.h).
 */
#define REVOKE_WATCHDOG_FIRED 1000

int revoke_exporter_open(void);
/* The same, once vgem is there too (it skips without). */
int revoke_exporter_open_with_vgem(void);

/*
 * One attempt to unload @module without waiting for its users, where
 * igt_kmod_unload() retries a busy module for seconds: for tests that
 * check a module in use refuses (-EAGAIN or -EBUSY). 0 when it unloaded.
 */
int revoke_module_unload_once(const char *module);

/*
 * The PCI device whose BAR backs REVOKE_EXPORTER_BAR buffers: an
 * ivshmem-plain device with a BAR 2 of this size (QEMU: -object
 * memory-backend-memfd,id=rxbar,size=32M,share=on -device
 * ivshmem-plain,memdev=rxbar), bound to the exporter through
 * driver_override. Makes sure the exporter drives it, into @bdf; skips
 * without one.
 */
#define REVOKE_EXPORTER_BAR_SIZE (32u << 20)
void revoke_exporter_require_bar(char *bdf, size_t len);

int __revoke_exporter_create(int dev, uint64_t size, uint32_t flags, int *dmabuf);
int revoke_exporter_create(int dev, uint64_t size, uint32_t flags);

int __revoke_exporter_revoke(int dev, int dmabuf, uint64_t timeout_ns,
			     struct revoke_exporter_revoke *out);
void revoke_exporter_revoke(int dev, int dmabuf, struct revoke_exporter_revoke *out);
int __revoke_exporter_move(int dev, int dmabuf, uint64_t timeout_ns,
			   struct revoke_exporter_revoke *out);
int __revoke_exporter_move_flags(int dev, int dmabuf, uint64_t timeout_ns, uint32_t flags,
				 uint32_t delay_ms, struct revoke_exporter_revoke *out);
int __revoke_exporter_restore(int dev, int dmabuf);
void revoke_exporter_restore(int dev, int dmabuf);
int __revoke_exporter_rescue(int dev, int dmabuf);
int __revoke_exporter_query(int dev, int dmabuf, struct revoke_exporter_query *q);
void revoke_exporter_query(int dev, int dmabuf, struct revoke_exporter_query *q);
int __revoke_exporter_fail_map(int dev, int dmabuf, uint32_t error);

int __revoke_importer_attach(int dev, int dmabuf, uint32_t flags, uint32_t unmap_delay_ms,
			     int *importer);
int revoke_importer_attach(int dev, int dmabuf, uint32_t flags, uint32_t unmap_delay_ms);
int __revoke_importer_map(int importer);
void revoke_importer_unmap(int importer);
void revoke_importer_status(int importer, struct revoke_importer_status *status);
/* POKE: the LATE_WRITER importer writes where its first page was. */
int revoke_importer_poke(int importer);

/* Whether @dmabuf's state and counters balance: every attach and map was
 * undone except the live ones. */
void revoke_exporter_assert_balanced(int dev, int dmabuf);

/* Nanosecond percentile (0..100) of @n samples, which are sorted. */
uint64_t revoke_percentile(uint64_t *samples, unsigned int n, unsigned int pct);

/* One line of @n nanosecond samples (sorted by it): p50, p99 and max in ms. */
void revoke_print_percentiles(const char *what, uint64_t *samples, unsigned int n);

uint64_t revoke_now_ns(void);

/* A REVOKE run in a thread of its own, so the test can act while it waits. */
struct revoke_thread {
	pthread_t thread;
	volatile pid_t tid;
	int dev, dmabuf;
	uint64_t timeout_ns;
	struct revoke_exporter_revoke result;
	int ret;
	volatile bool done;
	uint64_t done_ns;
};

void revoke_thread_start(struct revoke_thread *t, int dev, int dmabuf, uint64_t timeout_ns);
int revoke_thread_join(struct revoke_thread *t);

/*
 * An asynchronous MOVE (its copy @delay_ms after it unlocked) in a thread
 * of its own; revoke_move_thread_start() returns once the buffer has its
 * new pages, while the copy is still pending.
 */
struct revoke_move_thread {
	pthread_t thread;
	int dev, dmabuf;
	uint32_t delay_ms;
	struct revoke_exporter_revoke result;
	int ret;
	volatile bool done;
};

void revoke_move_thread_start(struct revoke_move_thread *m, int dev, int dmabuf,
			      uint32_t delay_ms);
int revoke_move_thread_join(struct revoke_move_thread *m);

/*
 * Returns once process or thread @id has slept in the kernel for 20 ms in a
 * row (blocked, not passing through); fails when @done (may be NULL) is
 * set first, when @id is gone, or after 10 s.
 */
void revoke_wait_until_sleeping(pid_t id, volatile bool *done);
/* The same for a thread whose @tid is not known yet. */
void revoke_wait_until_blocked(volatile pid_t *tid, volatile bool *done);

/* A handler for @sig that lets it interrupt waits (no SA_RESTART). */
void revoke_interrupting_signal(int sig, struct sigaction *old);

/* Reads a word; false when the read raised SIGBUS. Safe in any thread. */
bool revoke_read_word(volatile uint32_t *ptr, uint32_t *value);
/* Writes a word; false when the write raised SIGBUS. */
bool revoke_write_word(volatile uint32_t *ptr, uint32_t value);

/* Fills @size bytes with a pattern of @seed, and checks it. */
void revoke_fill(uint32_t *map, size_t size, uint32_t seed);
void revoke_check(const uint32_t *map, size_t size, uint32_t seed);
/* The first word that does not hold the pattern, or -1 when all do. */
ssize_t revoke_first_mismatch(const uint32_t *map, size_t size, uint32_t seed);

#endif /* REVOKE_EXPORTER_HELPERS_H */
