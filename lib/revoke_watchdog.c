// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "igt_core.h"
#include "revoke_bounds.h"
#include "revoke_exporter.h"
#include "revoke_watchdog.h"

/*
 * VFIO-like waits that end in time on a healthy importer: revokes of a
 * buffer on screen took p99 0.1 s (release) and 5.2 s (debug, nested
 * guest); a hang never ends. Tests that wait longer on purpose raise it.
 */
#define DEFAULT_BOUND_RELEASE_NS (5 * NSEC_PER_SEC)
#define DEFAULT_BOUND_DEBUG_NS (30 * NSEC_PER_SEC)
/* How often a fired watchdog asks again for the rescue. */
#define RESCUE_PERIOD_NS (100 * 1000 * 1000ull)

static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t watch_cond = PTHREAD_COND_INITIALIZER;
static struct revoke_watch *watches;
/* The process whose watchdog thread runs: a forked child starts its own. */
static pid_t watchdog_pid;
static uint64_t bound_ns;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

uint64_t revoke_watchdog_bound(void)
{
	uint64_t ns;

	pthread_mutex_lock(&watch_lock);
	if (!bound_ns)
		bound_ns = revoke_per_flavour(DEFAULT_BOUND_RELEASE_NS, DEFAULT_BOUND_DEBUG_NS);
	ns = bound_ns;
	pthread_mutex_unlock(&watch_lock);
	return ns;
}

uint64_t revoke_watchdog_set_bound(uint64_t ns)
{
	uint64_t old = revoke_watchdog_bound();

	pthread_mutex_lock(&watch_lock);
	bound_ns = ns;
	pthread_mutex_unlock(&watch_lock);
	return old;
}

/*
 * Prints where the thread sleeps in the kernel. As information: the test
 * fails on the watchdog's result, and says so.
 */
static void report_blocked(const struct revoke_watch *w)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	igt_info("%s of dma-buf fd %d did not return within %.1f s; thread %d:\n", w->what,
		 w->dmabuf, w->bound_ns / 1e9, w->tid);
	snprintf(path, sizeof(path), "/proc/self/task/%d/stack", w->tid);
	fd = open(path, O_RDONLY);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n > 0) {
		buf[n] = '\0';
		igt_info("%s", buf);
	} else {
		igt_info("(no %s: %s)\n", path, n < 0 ? strerror(errno) : "empty");
	}
}

static void rescue(const struct revoke_watch *w)
{
	struct revoke_exporter_buf arg = { .fd = w->dmabuf };

	ioctl(w->dev, REVOKE_EXPORTER_IOCTL_RESCUE, &arg);
}

/* Fires the watches whose deadline passed; returns the next deadline. */
static uint64_t fire_due(uint64_t now)
{
	uint64_t next = UINT64_MAX;
	struct revoke_watch *w;

	for (w = watches; w; w = w->next) {
		if (now >= w->deadline_ns) {
			if (!w->fired)
				report_blocked(w);
			w->fired = true;
			rescue(w);
			w->deadline_ns = now + RESCUE_PERIOD_NS;
		}
		if (w->deadline_ns < next)
			next = w->deadline_ns;
	}
	return next;
}

static void *watchdog_fn(void *data)
{
	pthread_mutex_lock(&watch_lock);
	for (;;) {
		uint64_t next = fire_due(now_ns());
		struct timespec ts;

		if (next == UINT64_MAX) {
			pthread_cond_wait(&watch_cond, &watch_lock);
			continue;
		}
		ts.tv_sec = next / NSEC_PER_SEC;
		ts.tv_nsec = next % NSEC_PER_SEC;
		pthread_cond_timedwait(&watch_cond, &watch_lock, &ts);
	}
	return NULL;
}

/*
 * fork() must not copy a held lock into the child: hold it across the fork,
 * and give the child a fresh one (it starts its own watchdog thread).
 */
static void atfork_prepare(void)
{
	pthread_mutex_lock(&watch_lock);
}

static void atfork_parent(void)
{
	pthread_mutex_unlock(&watch_lock);
}

static void atfork_child(void)
{
	pthread_mutex_init(&watch_lock, NULL);
	watches = NULL;
}

static void start_watchdog_locked(void)
{
	pthread_condattr_t attr;
	pthread_t thread;

	if (watchdog_pid == getpid())
		return;
	if (!watchdog_pid)
		pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
	/* A child inherits the parent's watches but not its thread. */
	watches = NULL;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&watch_cond, &attr);
	pthread_condattr_destroy(&attr);
	igt_assert_eq(pthread_create(&thread, NULL, watchdog_fn, NULL), 0);
	pthread_detach(thread);
	watchdog_pid = getpid();
}

void revoke_watch_arm(struct revoke_watch *w, const char *what, int dev, int dmabuf)
{
	uint64_t bound = revoke_watchdog_bound();

	*w = (struct revoke_watch){
		.tid = gettid(), .dev = dev, .dmabuf = dmabuf, .what = what,
		.bound_ns = bound, .deadline_ns = now_ns() + bound,
	};
	pthread_mutex_lock(&watch_lock);
	start_watchdog_locked();
	w->next = watches;
	watches = w;
	pthread_cond_signal(&watch_cond);
	pthread_mutex_unlock(&watch_lock);
}

bool revoke_watch_disarm(struct revoke_watch *w)
{
	struct revoke_watch **p;
	bool fired;

	pthread_mutex_lock(&watch_lock);
	for (p = &watches; *p && *p != w; p = &(*p)->next)
		;
	if (*p)
		*p = w->next;
	fired = w->fired;
	pthread_mutex_unlock(&watch_lock);
	return fired;
}
