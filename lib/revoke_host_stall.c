// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The dma-buf revoke test authors
 */

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "igt.h"
#include "revoke_host_stall.h"
#include "revoke_virtio_gpu_helpers.h"

/**
 * revoke_host_stall_require:
 *
 * Skips unless the test bed can stop the virtio-gpu host from answering.
 */
void revoke_host_stall_require(void)
{
	char cmdline[4096] = "";
	int fd = open("/proc/cmdline", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, cmdline, sizeof(cmdline) - 1) : -1;

	if (fd >= 0)
		close(fd);
	cmdline[n > 0 ? n : 0] = '\0';
	igt_require_f(strstr(cmdline, "testbed.host_stall=1"),
		      "needs a host that stops answering on request: the test bed's nested guest\n");
}

/**
 * revoke_host_stall_request:
 * @block: stop the host from answering (true) or let it answer (false)
 *
 * Asks the test bed. It acts within a few seconds and releases a blocked
 * host after a minute whatever happens; nothing tells when it acted, so
 * callers watch the host's answers (revoke_virtio_gpu_fences()).
 */
void revoke_host_stall_request(bool block)
{
	igt_info("asking the test bed to %s the host\n", block ? "block" : "release");
	igt_kmsg(KMSG_INFO "testbed host-stall: %s\n", block ? "block" : "release");
}

/* Lets the host answer again, whatever a failed subtest left. */
static void host_stall_release(int sig)
{
	revoke_host_stall_request(false);
}

void revoke_host_stall_begin(struct revoke_kms *k, struct igt_fb *fb)
{
	struct timespec start = {};
	uint64_t answered, sent, later;

	igt_install_exit_handler(host_stall_release);
	revoke_host_stall_request(true);
	igt_nsec_elapsed(&start);
	while (igt_seconds_elapsed(&start) < 90) {
		igt_assert_eq(revoke_kms_commit(k, fb, 0), 0);
		igt_assert_eq(revoke_virtio_gpu_fences(k->fd, &answered, &sent), 0);
		if (answered < sent) {
			sleep(1);
			igt_assert_eq(revoke_virtio_gpu_fences(k->fd, &later, &sent), 0);
			if (later == answered) {
				igt_info("host stopped answering after fence %" PRIu64 " (%" PRIu64
					 " sent), %.1f s after the request\n", answered, sent,
					 igt_nsec_elapsed(&start) / 1e9);
				return;
			}
		}
		usleep(500000);
	}
	igt_assert_f(false, "the host still answered 90 s after the test bed was asked to "
		     "block it (see host-stall.log in the first guest's l2 results)\n");
}

void revoke_host_stall_release_and_bind(const char *device)
{
	struct timespec start = {};
	int ret;

	revoke_host_stall_request(false);
	igt_nsec_elapsed(&start);
	while ((ret = __revoke_virtio_gpu_bind(device)) == -ETIMEDOUT &&
	       igt_seconds_elapsed(&start) < 30)
		igt_info("the host does not answer the probe yet; binding again\n");
	igt_assert_f(!ret, "binding %s failed: %s\n", device, strerror(-ret));
	igt_info("%s bound again %.1f s after the release\n", device,
		 igt_nsec_elapsed(&start) / 1e9);
}

void revoke_host_stall_wait_answers(struct revoke_kms *k, struct igt_fb *fb)
{
	struct timespec start = {};
	uint64_t answered = 0, sent = 1;

	igt_nsec_elapsed(&start);
	while (igt_seconds_elapsed(&start) < 90) {
		igt_assert_eq(revoke_kms_commit(k, fb, 0), 0);
		usleep(200000);
		igt_assert_eq(revoke_virtio_gpu_fences(k->fd, &answered, &sent), 0);
		if (answered == sent)
			break;
	}
	igt_assert_f(answered == sent, "the host did not answer again within 90 s\n");
	igt_info("the host answers again, %.1f s after the release\n",
		 igt_nsec_elapsed(&start) / 1e9);
}

/**
 * revoke_virtio_gpu_fences:
 * @fd: a virtio-gpu primary node
 * @answered: out: the last fence the host answered
 * @sent: out: the last fence sent to the host
 *
 * Reads the fence counters of the device from debugfs.
 *
 * Returns: 0 or a negative errno.
 */
int revoke_virtio_gpu_fences(int fd, uint64_t *answered, uint64_t *sent)
{
	char path[96];
	struct stat st;
	long long s;
	FILE *f;
	int n;

	if (fstat(fd, &st))
		return -errno;
	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%u/virtio-gpu-irq-fence",
		 minor(st.st_rdev));
	f = fopen(path, "r");
	if (!f)
		return -errno;
	n = fscanf(f, "fence %" SCNu64 " %lld", answered, &s);
	fclose(f);
	if (n != 2)
		return -EINVAL;
	*sent = s;
	return 0;
}

/**
 * revoke_uevent_open:
 *
 * Returns: a socket that receives the kernel's uevents from now on.
 */
int revoke_uevent_open(void)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int sock = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);

	igt_assert_f(sock >= 0, "cannot open a uevent socket: %m\n");
	igt_assert_f(!bind(sock, (struct sockaddr *)&addr, sizeof(addr)),
		     "cannot listen to uevents: %m\n");
	return sock;
}

/**
 * revoke_uevent_wait:
 * @sock: from revoke_uevent_open()
 * @entry: an entry of the event's environment, such as "WEDGED=rebind"
 * @timeout_ms: how long to wait for it
 *
 * Returns: whether a uevent with @entry arrived in time.
 */
bool revoke_uevent_wait(int sock, const char *entry, unsigned int timeout_ms)
{
	struct timespec start = {};
	char buf[4096];

	igt_nsec_elapsed(&start);
	while (igt_nsec_elapsed(&start) < (uint64_t)timeout_ms * 1000000) {
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		ssize_t len;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		len = recv(sock, buf, sizeof(buf) - 1, 0);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		/* "action@devpath", then NUL-separated KEY=value entries. */
		for (ssize_t i = 0; i < len; i += strlen(buf + i) + 1) {
			if (!strcmp(buf + i, entry))
				return true;
		}
	}
	return false;
}
