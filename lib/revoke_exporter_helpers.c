// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "drmtest.h"
#include "igt_core.h"
#include "igt_kmod.h"
#include "revoke_exporter_helpers.h"
#include "revoke_pci_helpers.h"
#include "revoke_watchdog.h"

int revoke_exporter_open_with_vgem(void)
{
	drm_close_driver(drm_open_driver(DRIVER_VGEM));
	return revoke_exporter_open();
}

/* Loads the module when needed; skips where it cannot be had. */
int revoke_exporter_open(void)
{
	int fd;

	igt_require_f(igt_kmod_load(REVOKE_EXPORTER_MODULE, NULL) == 0,
		      "the %s module (drm/exporter/) cannot be loaded\n", REVOKE_EXPORTER_MODULE);
	fd = open(REVOKE_EXPORTER_DEVICE, O_RDWR | O_CLOEXEC);
	igt_assert_f(fd >= 0, "cannot open %s: %m\n", REVOKE_EXPORTER_DEVICE);
	return fd;
}

int revoke_module_unload_once(const char *module)
{
	return syscall(SYS_delete_module, module, O_NONBLOCK) ? -errno : 0;
}

void revoke_exporter_require_bar(char *bdf, size_t len)
{
	igt_require_f(revoke_pci_find_ivshmem(REVOKE_EXPORTER_BAR_SIZE, bdf, len),
		      "no ivshmem-plain device with a %u MiB BAR 2 for the exporter's BAR memory\n",
		      REVOKE_EXPORTER_BAR_SIZE >> 20);
	revoke_pci_bind(bdf, REVOKE_EXPORTER_MODULE);
}

static int exporter_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && errno == EINTR && request != REVOKE_EXPORTER_IOCTL_REVOKE &&
		 request != REVOKE_EXPORTER_IOCTL_MOVE);
	return ret ? -errno : 0;
}

int __revoke_exporter_create(int dev, uint64_t size, uint32_t flags, int *dmabuf)
{
	struct revoke_exporter_create arg = { .size = size, .flags = flags };
	int ret = exporter_ioctl(dev, REVOKE_EXPORTER_IOCTL_CREATE, &arg);

	if (!ret)
		*dmabuf = arg.fd;
	return ret;
}

int revoke_exporter_create(int dev, uint64_t size, uint32_t flags)
{
	int dmabuf = -1;

	igt_assert_eq(__revoke_exporter_create(dev, size, flags, &dmabuf), 0);
	return dmabuf;
}

/* REVOKE and RESTORE may wait as VFIO does: under the watchdog. */
static int watched_ioctl(int dev, unsigned long request, int dmabuf, void *arg,
			 const char *what)
{
	struct revoke_watch w;
	int ret;

	revoke_watch_arm(&w, what, dev, dmabuf);
	ret = exporter_ioctl(dev, request, arg);
	/* Past the bound is a failure, however the ioctl ended then. */
	if (revoke_watch_disarm(&w))
		ret = -REVOKE_WATCHDOG_FIRED;
	return ret;
}

int __revoke_exporter_revoke(int dev, int dmabuf, uint64_t timeout_ns,
			     struct revoke_exporter_revoke *out)
{
	struct revoke_exporter_revoke arg = { .fd = dmabuf, .timeout_ns = timeout_ns };
	int ret = watched_ioctl(dev, REVOKE_EXPORTER_IOCTL_REVOKE, dmabuf, &arg, "REVOKE");

	if (out)
		*out = arg;
	return ret;
}

/* An assert that says what a sequence's error means. */
static void assert_sequence(const char *what, int ret)
{
	igt_assert_f(ret != -REVOKE_WATCHDOG_FIRED,
		     "%s did not return within %.1f s (its stack is printed above)\n", what,
		     revoke_watchdog_bound() / 1e9);
	igt_assert_f(ret == 0, "%s failed: %s\n", what, strerror(-ret));
}

void revoke_exporter_revoke(int dev, int dmabuf, struct revoke_exporter_revoke *out)
{
	assert_sequence("REVOKE", __revoke_exporter_revoke(dev, dmabuf, 10 * NSEC_PER_SEC, out));
}

int __revoke_exporter_move_flags(int dev, int dmabuf, uint64_t timeout_ns, uint32_t flags,
				 uint32_t delay_ms, struct revoke_exporter_revoke *out)
{
	struct revoke_exporter_revoke arg = {
		.fd = dmabuf, .timeout_ns = timeout_ns, .flags = flags, .delay_ms = delay_ms,
	};
	int ret = exporter_ioctl(dev, REVOKE_EXPORTER_IOCTL_MOVE, &arg);

	if (out)
		*out = arg;
	return ret;
}

int __revoke_exporter_move(int dev, int dmabuf, uint64_t timeout_ns,
			   struct revoke_exporter_revoke *out)
{
	return __revoke_exporter_move_flags(dev, dmabuf, timeout_ns, 0, 0, out);
}

int __revoke_exporter_restore(int dev, int dmabuf)
{
	struct revoke_exporter_buf arg = { .fd = dmabuf };

	return watched_ioctl(dev, REVOKE_EXPORTER_IOCTL_RESTORE, dmabuf, &arg, "RESTORE");
}

void revoke_exporter_restore(int dev, int dmabuf)
{
	assert_sequence("RESTORE", __revoke_exporter_restore(dev, dmabuf));
}

int __revoke_exporter_rescue(int dev, int dmabuf)
{
	struct revoke_exporter_buf arg = { .fd = dmabuf };

	return exporter_ioctl(dev, REVOKE_EXPORTER_IOCTL_RESCUE, &arg);
}

int __revoke_exporter_query(int dev, int dmabuf, struct revoke_exporter_query *q)
{
	*q = (struct revoke_exporter_query){ .fd = dmabuf };
	return exporter_ioctl(dev, REVOKE_EXPORTER_IOCTL_QUERY, q);
}

void revoke_exporter_query(int dev, int dmabuf, struct revoke_exporter_query *q)
{
	igt_assert_eq(__revoke_exporter_query(dev, dmabuf, q), 0);
}

int __revoke_exporter_fail_map(int dev, int dmabuf, uint32_t error)
{
	struct revoke_exporter_fail_map arg = { .fd = dmabuf, .error = error };

	return exporter_ioctl(dev, REVOKE_EXPORTER_IOCTL_FAIL_MAP, &arg);
}

int __revoke_importer_attach(int dev, int dmabuf, uint32_t flags, uint32_t unmap_delay_ms,
			     int *importer)
{
	struct revoke_exporter_import arg = {
		.fd = dmabuf, .flags = flags, .unmap_delay_ms = unmap_delay_ms,
	};
	int ret = exporter_ioctl(dev, REVOKE_EXPORTER_IOCTL_IMPORT, &arg);

	if (!ret)
		*importer = arg.importer_fd;
	return ret;
}

int revoke_importer_attach(int dev, int dmabuf, uint32_t flags, uint32_t unmap_delay_ms)
{
	int importer = -1;

	igt_assert_eq(__revoke_importer_attach(dev, dmabuf, flags, unmap_delay_ms, &importer), 0);
	return importer;
}

int __revoke_importer_map(int importer)
{
	return exporter_ioctl(importer, REVOKE_IMPORTER_IOCTL_MAP, NULL);
}

void revoke_importer_unmap(int importer)
{
	igt_assert_eq(exporter_ioctl(importer, REVOKE_IMPORTER_IOCTL_UNMAP, NULL), 0);
}

void revoke_importer_status(int importer, struct revoke_importer_status *status)
{
	igt_assert_eq(exporter_ioctl(importer, REVOKE_IMPORTER_IOCTL_STATUS, status), 0);
}

void revoke_exporter_assert_balanced(int dev, int dmabuf)
{
	struct revoke_exporter_query q;

	revoke_exporter_query(dev, dmabuf, &q);
	igt_assert_eq_u64(q.attach, q.detach + q.attachments);
	igt_assert_eq_u64(q.map, q.unmap + q.mappings);
	igt_assert_eq_u64(q.revoke, q.restore + !!(q.state & REVOKE_EXPORTER_STATE_REVOKED));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t revoke_percentile(uint64_t *samples, unsigned int n, unsigned int pct)
{
	unsigned int idx;

	igt_assert(n > 0 && pct <= 100);
	qsort(samples, n, sizeof(*samples), cmp_u64);
	/* Nearest rank: the smallest sample with at least pct% at or below it. */
	idx = (n * pct + 99) / 100;
	return samples[idx ? idx - 1 : 0];
}

void revoke_print_percentiles(const char *what, uint64_t *samples, unsigned int n)
{
	igt_info("%-44s p50 %8.3f ms  p99 %8.3f ms  max %8.3f ms\n", what,
		 revoke_percentile(samples, n, 50) / 1e6,
		 revoke_percentile(samples, n, 99) / 1e6,
		 revoke_percentile(samples, n, 100) / 1e6);
}

uint64_t revoke_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void *revoke_thread_fn(void *data)
{
	struct revoke_thread *t = data;

	t->tid = gettid();
	t->ret = __revoke_exporter_revoke(t->dev, t->dmabuf, t->timeout_ns, &t->result);
	t->done_ns = revoke_now_ns();
	t->done = true;
	return NULL;
}

void revoke_thread_start(struct revoke_thread *t, int dev, int dmabuf, uint64_t timeout_ns)
{
	memset(t, 0, sizeof(*t));
	t->dev = dev;
	t->dmabuf = dmabuf;
	t->timeout_ns = timeout_ns;
	igt_assert_eq(pthread_create(&t->thread, NULL, revoke_thread_fn, t), 0);
}

int revoke_thread_join(struct revoke_thread *t)
{
	igt_assert_eq(pthread_join(t->thread, NULL), 0);
	return t->ret;
}

static void *move_thread_fn(void *data)
{
	struct revoke_move_thread *m = data;

	m->ret = __revoke_exporter_move_flags(m->dev, m->dmabuf, 10 * NSEC_PER_SEC,
					      REVOKE_EXPORTER_MOVE_ASYNC, m->delay_ms, &m->result);
	m->done = true;
	return NULL;
}

void revoke_move_thread_start(struct revoke_move_thread *m, int dev, int dmabuf,
			      uint32_t delay_ms)
{
	struct revoke_exporter_query q;

	memset(m, 0, sizeof(*m));
	m->dev = dev;
	m->dmabuf = dmabuf;
	m->delay_ms = delay_ms;
	revoke_exporter_query(dev, dmabuf, &q);
	igt_assert_eq(pthread_create(&m->thread, NULL, move_thread_fn, m), 0);
	for (uint32_t generation = q.generation, ms = 0; q.generation == generation; ms++) {
		igt_assert_f(!m->done, "the move failed before it switched: %s\n",
			     strerror(-m->ret));
		igt_assert_f(ms < 10000, "the move did not switch in 10 s\n");
		usleep(1000);
		revoke_exporter_query(dev, dmabuf, &q);
	}
}

int revoke_move_thread_join(struct revoke_move_thread *m)
{
	igt_assert_eq(pthread_join(m->thread, NULL), 0);
	return m->ret;
}

/* The state letter of /proc/ID/stat (a process or a thread): 'S' or 'D' asleep. */
static char task_state(pid_t id)
{
	char path[64], buf[256], *p;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", id);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return '?';
	buf[len] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

void revoke_wait_until_sleeping(pid_t id, volatile bool *done)
{
	int asleep = 0;

	for (int ms = 0; ms < 10000; ms++) {
		char state = task_state(id);

		igt_assert_f(!done || !*done, "task %d returned without blocking\n", id);
		igt_assert_f(state != '?', "task %d is gone\n", id);
		/* Asleep for 20 ms in a row: blocked, not passing through. */
		asleep = strchr("SD", state) ? asleep + 1 : 0;
		if (asleep == 20)
			return;
		usleep(1000);
	}
	igt_assert_f(false, "task %d did not block in 10 s\n", id);
}

void revoke_wait_until_blocked(volatile pid_t *tid, volatile bool *done)
{
	for (int ms = 0; !*tid; ms++) {
		igt_assert_f(!*done, "the thread returned without blocking\n");
		igt_assert_f(ms < 10000, "the thread never started\n");
		usleep(1000);
	}
	revoke_wait_until_sleeping(*tid, done);
}

static void nop_handler(int sig)
{
}

void revoke_interrupting_signal(int sig, struct sigaction *old)
{
	/* No SA_RESTART: an interruptible wait that the signal meets ends with EINTR. */
	struct sigaction sa = { .sa_handler = nop_handler };

	igt_assert_eq(sigaction(sig, &sa, old), 0);
}

/*
 * Set only while this thread is inside revoke_read_word(); volatile, or the
 * compiler drops the store around a read it does not know can fault.
 */
static __thread sigjmp_buf *volatile read_jmp;
static struct sigaction previous_sigbus;

static void read_sigbus(int sig, siginfo_t *info, void *ctx)
{
	if (read_jmp)
		siglongjmp(*read_jmp, sig);
	/* A SIGBUS anywhere else is a crash: pass it on. */
	if (previous_sigbus.sa_flags & SA_SIGINFO)
		previous_sigbus.sa_sigaction(sig, info, ctx);
	else if (previous_sigbus.sa_handler != SIG_IGN && previous_sigbus.sa_handler != SIG_DFL)
		previous_sigbus.sa_handler(sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static pthread_once_t sigbus_once = PTHREAD_ONCE_INIT;

static void install_read_sigbus(void)
{
	struct sigaction sa = { .sa_sigaction = read_sigbus, .sa_flags = SA_SIGINFO | SA_NODEFER };

	sigaction(SIGBUS, &sa, &previous_sigbus);
}

/* One access of @ptr that returns false, instead of dying, on SIGBUS. */
static bool guarded_access(volatile uint32_t *ptr, uint32_t *value, bool write)
{
	sigjmp_buf jmp;

	pthread_once(&sigbus_once, install_read_sigbus);
	if (sigsetjmp(jmp, 1)) {
		read_jmp = NULL;
		return false;
	}
	read_jmp = &jmp;
	if (write)
		*ptr = *value;
	else
		*value = *ptr;
	read_jmp = NULL;
	return true;
}

int revoke_importer_poke(int importer)
{
	return exporter_ioctl(importer, REVOKE_IMPORTER_IOCTL_POKE, NULL);
}

bool revoke_read_word(volatile uint32_t *ptr, uint32_t *value)
{
	return guarded_access(ptr, value, false);
}

bool revoke_write_word(volatile uint32_t *ptr, uint32_t value)
{
	return guarded_access(ptr, &value, true);
}

void revoke_fill(uint32_t *map, size_t size, uint32_t seed)
{
	for (size_t i = 0; i < size / 4; i++)
		map[i] = seed ^ i;
}

ssize_t revoke_first_mismatch(const uint32_t *map, size_t size, uint32_t seed)
{
	for (size_t i = 0; i < size / 4; i++)
		if (map[i] != (seed ^ i))
			return i;
	return -1;
}

void revoke_check(const uint32_t *map, size_t size, uint32_t seed)
{
	for (size_t i = 0; i < size / 4; i++)
		igt_assert_f(map[i] == (seed ^ i), "word %zu is %#x, not %#x\n", i, map[i],
			     (uint32_t)(seed ^ i));
}
