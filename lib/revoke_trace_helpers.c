// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "igt_core.h"
#include "revoke_pci_helpers.h"
#include "revoke_trace_helpers.h"

#define TRACEFS "/sys/kernel/tracing"
#define EVENTS TRACEFS "/events/virtio_gpu"

/* What tracing used before, put back when it stops. */
static char saved_clock[32], saved_size[32];

static void trace_write(const char *file, const char *value)
{
	char path[256];

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	igt_assert_f(revoke_sysfs_write(path, value) == 0, "cannot write %s to %s\n", value, path);
}

static void save_settings(void)
{
	char clocks[256] = "", *open_, *close_;

	revoke_sysfs_read(TRACEFS "/trace_clock", clocks, sizeof(clocks));
	open_ = strchr(clocks, '[');
	close_ = open_ ? strchr(open_, ']') : NULL;
	saved_clock[0] = '\0';
	if (close_ && close_ - open_ - 1 < (int)sizeof(saved_clock))
		snprintf(saved_clock, sizeof(saved_clock), "%.*s", (int)(close_ - open_ - 1),
			 open_ + 1);
	revoke_sysfs_read(TRACEFS "/buffer_size_kb", saved_size, sizeof(saved_size));
}

void virtgpu_trace_start(void)
{
	if (access(TRACEFS "/trace", F_OK))
		mount("tracefs", TRACEFS, "tracefs", 0, NULL);
	igt_require_f(!access(TRACEFS "/trace", F_OK),
		      "no tracefs at " TRACEFS " (CONFIG_FTRACE, CONFIG_ENABLE_DEFAULT_TRACERS)\n");
	igt_require_f(!access(EVENTS "/virtio_gpu_cmd_queue/enable", F_OK),
		      "no virtio_gpu tracepoints (virtio_gpu not loaded?)\n");
	trace_write("tracing_on", "0");
	save_settings();
	/* The monotonic clock, so events compare with the test's clock_gettime(). */
	trace_write("trace_clock", "mono");
	trace_write("buffer_size_kb", "4096");
	trace_write("trace", "");
	trace_write("events/virtio_gpu/virtio_gpu_cmd_queue/enable", "1");
	trace_write("events/virtio_gpu/virtio_gpu_cmd_response/enable", "1");
	trace_write("tracing_on", "1");
}

/* One trace line: its time, event name and the fields the tests use. */
static bool parse_line(const char *line, uint64_t *ns, bool *queue, uint32_t *type,
		       uint32_t *seqno)
{
	const char *ev, *p;
	unsigned long sec, usec;

	ev = strstr(line, ": virtio_gpu_cmd_");
	if (!ev)
		return false;
	/* "... [000] .....  1234.567890: virtio_gpu_cmd_queue: ..." */
	for (p = ev; p > line && p[-1] != ' '; p--)
		;
	if (sscanf(p, "%lu.%lu", &sec, &usec) != 2)
		return false;
	*ns = sec * NSEC_PER_SEC + usec * 1000;
	*queue = !strncmp(ev, ": virtio_gpu_cmd_queue:", 23);
	p = strstr(ev, " type=");
	if (!p || sscanf(p, " type=%x", type) != 1)
		return false;
	p = strstr(ev, " seqno=");
	return p && sscanf(p, " seqno=%u", seqno) == 1;
}

void virtgpu_trace_stop(struct virtgpu_trace *trace)
{
	unsigned int capacity = 64;
	char line[512];
	FILE *f;

	trace_write("tracing_on", "0");
	trace_write("events/virtio_gpu/virtio_gpu_cmd_queue/enable", "0");
	trace_write("events/virtio_gpu/virtio_gpu_cmd_response/enable", "0");
	trace->count = 0;
	trace->cmds = calloc(capacity, sizeof(*trace->cmds));
	igt_assert(trace->cmds);
	f = fopen(TRACEFS "/trace", "r");
	igt_assert(f);
	while (fgets(line, sizeof(line), f)) {
		uint32_t type, seqno;
		uint64_t ns;
		bool queue;

		if (!parse_line(line, &ns, &queue, &type, &seqno))
			continue;
		if (!queue) {
			/* The answer: its command is the last one with that number. */
			for (unsigned int i = trace->count; i--;) {
				if (trace->cmds[i].seqno == seqno) {
					trace->cmds[i].answered_ns = ns;
					break;
				}
			}
			continue;
		}
		if (trace->count == capacity) {
			capacity *= 2;
			trace->cmds = realloc(trace->cmds, capacity * sizeof(*trace->cmds));
			igt_assert(trace->cmds);
		}
		trace->cmds[trace->count++] = (struct virtgpu_cmd){
			.queued_ns = ns, .type = type, .seqno = seqno,
		};
	}
	fclose(f);
	trace_write("trace", "");
	if (saved_clock[0])
		trace_write("trace_clock", saved_clock);
	if (saved_size[0] && strspn(saved_size, "0123456789") == strlen(saved_size))
		trace_write("buffer_size_kb", saved_size);
}

void virtgpu_trace_free(struct virtgpu_trace *trace)
{
	free(trace->cmds);
	trace->cmds = NULL;
	trace->count = 0;
}

const struct virtgpu_cmd *virtgpu_trace_find(const struct virtgpu_trace *trace,
					     uint32_t type, uint64_t from_ns)
{
	for (unsigned int i = 0; i < trace->count; i++)
		if (trace->cmds[i].type == type && trace->cmds[i].queued_ns >= from_ns)
			return &trace->cmds[i];
	return NULL;
}
