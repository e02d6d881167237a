/* SPDX-License-Identifier: MIT */
/*
 * virtio-gpu's tracepoints (virtio_gpu_cmd_queue, virtio_gpu_cmd_response)
 * through tracefs: what the guest sent the host, and when the host
 * answered, on CLOCK_MONOTONIC's time line. The events carry the command
 * type and a sequence number that pairs a command with its answer, not the
 * resource: a test that checks them keeps one resource in play.
 */
#ifndef REVOKE_TRACE_HELPERS_H
#define REVOKE_TRACE_HELPERS_H

#include <stdbool.h>
#include <stdint.h>

/* Command types of the virtio-gpu protocol that the tests look for. */
#define VIRTGPU_CMD_RESOURCE_FLUSH		0x0104
#define VIRTGPU_CMD_RESOURCE_ATTACH_BACKING	0x0106
#define VIRTGPU_CMD_RESOURCE_DETACH_BACKING	0x0107
#define VIRTGPU_CMD_SET_SCANOUT_BLOB		0x010d

struct virtgpu_cmd {
	uint64_t queued_ns;	/* CLOCK_MONOTONIC */
	uint64_t answered_ns;	/* 0 when the host never answered */
	uint32_t type, seqno;
};

struct virtgpu_trace {
	struct virtgpu_cmd *cmds;
	unsigned int count;
};

/* Skips without tracefs or virtio-gpu's events; else starts tracing them. */
void virtgpu_trace_start(void);
/* Stops, and reads what was traced since the start. */
void virtgpu_trace_stop(struct virtgpu_trace *trace);
void virtgpu_trace_free(struct virtgpu_trace *trace);

/* The first command of @type queued at or after @from_ns, or NULL. */
const struct virtgpu_cmd *virtgpu_trace_find(const struct virtgpu_trace *trace,
					     uint32_t type, uint64_t from_ns);

#endif /* REVOKE_TRACE_HELPERS_H */
