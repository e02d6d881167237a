// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The dma-buf revoke test authors
 */

/*
 * dmabuf_revoke_latency: how long a revoke of the test exporter takes, and
 * where the time goes.
 *
 * For each point of two sweeps (importers per buffer at one size, buffer
 * size at one importer count and with none), each with no fence, a vgem
 * fence and a sw_sync fence pending, the buffer is revoked and restored many times.
 * Before each revoke every importer maps the buffer again (vgem: a CPU
 * access through its mapping of the import, which is the exporter's, vgem
 * keeping no DMA mapping; virtio-gpu: a new import), and
 * the fence, if any, is signalled from a second thread a set delay after
 * the revoke blocked in its fence wait. Per point it reports min, p50, p99
 * and max of the total revoke time (around the ioctl), of the exporter's
 * phases (importers' invalidate callbacks, fence wait, unmap wait) and of
 * the time from the last fence signal to the end of the revoke (the
 * exporter's figure, from the fence's own timestamp).
 *
 * A kernel whose importer attaches statically (pristine vgem) is refused
 * by the exporter; with --allow-static it is accepted, and the figures show
 * what its attachment costs a revoke. The exporter's own static test
 * importer (static-test) maps at attach and never unmaps: every revoke
 * then waits for the unmap until the exporter's bound.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>

#include "igt.h"
#include "igt_vgem.h"
#include "dmabuf_sync_file.h"
#include "revoke_exporter_helpers.h"
#include "sw_sync.h"

#define MAX_LIST 16

enum importer_kind { IMPORTER_VGEM, IMPORTER_VIRTIO_GPU, IMPORTER_STATIC_TEST };
enum fence_kind { FENCE_NONE, FENCE_VGEM, FENCE_SW_SYNC, FENCE_KINDS };
enum phase { TOTAL, INVALIDATE, FENCE_WAIT, UNMAP_WAIT, SIGNAL_TO_DONE, PHASES };

static const char *const importer_names[] = { "vgem", "virtio-gpu", "static-test" };
static const char *const fence_names[] = { "none", "vgem", "sw_sync" };
static const char *const phase_names[] = {
	"total", "invalidate", "fence_wait", "unmap_wait", "signal_to_done",
};

static struct {
	enum importer_kind importer;
	unsigned int importers[MAX_LIST], n_importers;
	uint64_t sizes[MAX_LIST];
	unsigned int n_sizes;
	uint64_t sweep_size;
	unsigned int sweep_importers;
	bool fence[FENCE_KINDS];
	unsigned int samples;
	unsigned int signal_delay_us;
	uint64_t timeout_ns;
	bool allow_static;
	const char *json;
} opt = {
	.importer = IMPORTER_VGEM,
	.importers = { 0, 1, 4, 16, 64, 256 }, .n_importers = 6,
	.sizes = { 4096, 65536, 1 << 20, 16 << 20, 64 << 20 }, .n_sizes = 5,
	.sweep_size = 1 << 20,
	.sweep_importers = 4,
	.fence = { true, true, true },
	.samples = 200,
	.signal_delay_us = 1000,
	.timeout_ns = 10000 * NSEC_PER_MSEC,
};

struct importer {
	int fd;
	uint32_t handle;
	volatile uint32_t *map;	/* vgem: the first page of the import */
};

struct point {
	const char *sweep;
	unsigned int importers;
	uint64_t size;
	enum fence_kind fence;
	const char *skipped;	/* why the point was not measured */
	int refused;		/* the import's errno when the exporter refused it */
	unsigned int samples, errors;
	unsigned int mappings;	/* mappings when the first revoke began */
	int first_error;
	uint64_t *ns[PHASES];
	unsigned int n[PHASES];
};

/* What the signalling thread needs for one sample. */
struct signaller {
	pthread_t thread;
	volatile pid_t tid;	/* the revoking thread */
	volatile bool done;	/* set once its revoke returned */
	enum fence_kind fence;
	int vgem, timeline;
	uint32_t vgem_fence;
};

static int dev = -1;

static void *signal_fence(void *data)
{
	struct signaller *s = data;

	/* Blocked in the fence wait (interruptible), the only 'S' sleep of a revoke. */
	revoke_wait_until_blocked(&s->tid, &s->done);
	usleep(opt.signal_delay_us);
	if (s->fence == FENCE_VGEM)
		vgem_fence_signal(s->vgem, s->vgem_fence);
	else
		sw_sync_timeline_inc(s->timeline, 1);
	return NULL;
}

/* Imports @dmabuf into a new file of the importer; false when refused. */
static bool import(struct importer *imp, int dmabuf, int *err)
{
	int ret;

	imp->map = NULL;
	if (opt.importer == IMPORTER_STATIC_TEST) {
		ret = __revoke_importer_attach(dev, dmabuf, 0, 0, &imp->fd);
		*err = -ret;
		return !ret;
	}
	imp->fd = opt.importer == IMPORTER_VGEM ? drm_open_driver(DRIVER_VGEM) :
						 drm_open_driver_render(DRIVER_VIRTIO);
	if (drmPrimeFDToHandle(imp->fd, dmabuf, &imp->handle)) {
		*err = errno;
		drm_close_driver(imp->fd);
		return false;
	}
	if (opt.importer == IMPORTER_VGEM && !opt.allow_static) {
		/* One page is enough: the revoke zaps the whole mapping. */
		struct vgem_bo bo = { .handle = imp->handle, .size = 4096 };

		imp->map = vgem_mmap(imp->fd, &bo, PROT_READ);
	}
	return true;
}

static void release(struct importer *imp)
{
	if (imp->map)
		munmap((void *)imp->map, 4096);
	if (opt.importer == IMPORTER_STATIC_TEST)
		close(imp->fd);
	else
		drm_close_driver(imp->fd);
}

/*
 * Every importer maps the buffer (again), as its users would: vgem maps on
 * the first access, virtio-gpu at import, so it imports anew after a revoke.
 */
static void remap(struct importer *imp, unsigned int count, int dmabuf, bool revoked)
{
	for (unsigned int i = 0; i < count; i++) {
		uint32_t word;

		if (opt.importer == IMPORTER_VIRTIO_GPU) {
			if (!revoked)
				continue;
			gem_close(imp[i].fd, imp[i].handle);
			imp[i].handle = prime_fd_to_handle(imp[i].fd, dmabuf);
		} else if (imp[i].map) {
			igt_assert_f(revoke_read_word(imp[i].map, &word),
				     "importer %u got SIGBUS after the restore\n", i);
		}
	}
}

/* Puts an unsignalled fence of kind @s->fence on the buffer. */
static void add_fence(struct signaller *s, struct importer *imp, int dmabuf, uint32_t seqno)
{
	if (s->fence == FENCE_VGEM) {
		struct vgem_bo bo = { .handle = imp[0].handle };

		s->vgem = imp[0].fd;
		s->vgem_fence = vgem_fence_attach(s->vgem, &bo, VGEM_FENCE_WRITE);
	} else if (s->fence == FENCE_SW_SYNC) {
		int fence = sw_sync_timeline_create_fence(s->timeline, seqno);

		dmabuf_import_sync_file(dmabuf, DMA_BUF_SYNC_WRITE, fence);
		close(fence);
	}
}

static void push(struct point *p, enum phase ph, uint64_t ns)
{
	p->ns[ph][p->n[ph]++] = ns;
}

static void measure(struct point *p)
{
	uint32_t flags = REVOKE_EXPORTER_MMAP;
	struct importer *imp = calloc(p->importers ?: 1, sizeof(*imp));
	struct signaller s = { .fence = p->fence, .timeline = -1, .tid = gettid() };
	unsigned int imported = 0;
	int dmabuf, err = 0;

	igt_assert(imp);
	for (int ph = 0; ph < PHASES; ph++) {
		p->ns[ph] = calloc(opt.samples, sizeof(uint64_t));
		igt_assert(p->ns[ph]);
	}
	if (opt.allow_static)
		flags |= REVOKE_EXPORTER_ALLOW_STATIC;
	dmabuf = revoke_exporter_create(dev, p->size, flags);
	for (; imported < p->importers; imported++) {
		if (!import(&imp[imported], dmabuf, &err)) {
			p->refused = err;
			goto out;
		}
	}
	if (s.fence == FENCE_SW_SYNC)
		s.timeline = sw_sync_timeline_create();

	for (unsigned int i = 0; i < opt.samples; i++) {
		struct revoke_exporter_revoke r = {};
		uint64_t start, total;
		int ret;

		remap(imp, p->importers, dmabuf, i > 0);
		s.done = false;
		if (s.fence != FENCE_NONE) {
			add_fence(&s, imp, dmabuf, i + 1);
			igt_assert_eq(pthread_create(&s.thread, NULL, signal_fence, &s), 0);
		}
		start = revoke_now_ns();
		ret = __revoke_exporter_revoke(dev, dmabuf, opt.timeout_ns, &r);
		total = revoke_now_ns() - start;
		s.done = true;
		if (s.fence != FENCE_NONE)
			pthread_join(s.thread, NULL);

		/*
		 * Every virtio-gpu import held a mapping, or the figures mean
		 * nothing; vgem keeps none between jobs; static importers map
		 * when they choose.
		 */
		if (!opt.allow_static)
			igt_assert_eq(r.mappings_before,
				      opt.importer == IMPORTER_VIRTIO_GPU ? p->importers : 0);
		if (!p->samples)
			p->mappings = r.mappings_before;
		p->samples++;
		if (ret) {
			if (!p->errors++)
				p->first_error = -ret;
		}
		push(p, TOTAL, total);
		push(p, INVALIDATE, r.invalidate_ns);
		push(p, FENCE_WAIT, r.fence_wait_ns);
		push(p, UNMAP_WAIT, r.unmap_wait_ns);
		if (r.signal_to_done_ns)
			push(p, SIGNAL_TO_DONE, r.signal_to_done_ns);
		revoke_exporter_restore(dev, dmabuf);
	}
	if (s.timeline >= 0)
		close(s.timeline);
out:
	for (unsigned int i = 0; i < imported; i++)
		release(&imp[i]);
	free(imp);
	close(dmabuf);
}

static uint64_t pct(struct point *p, enum phase ph, unsigned int percent)
{
	return p->n[ph] ? revoke_percentile(p->ns[ph], p->n[ph], percent) : 0;
}

static void size_name(uint64_t size, char *buf, size_t len)
{
	if (size >= 1 << 20)
		snprintf(buf, len, "%" PRIu64 " MiB", size >> 20);
	else
		snprintf(buf, len, "%" PRIu64 " KiB", size >> 10);
}

static void print_point(struct point *p)
{
	char size[24];

	size_name(p->size, size, sizeof(size));
	printf("sweep %-9s  importers %3u  size %7s  fence %-7s ", p->sweep, p->importers, size,
	       fence_names[p->fence]);
	if (p->skipped) {
		printf("skipped: %s\n", p->skipped);
		return;
	}
	if (p->refused) {
		printf("refused: the import failed with %s\n", strerror(p->refused));
		return;
	}
	printf("samples %u, mappings %u, errors %u%s%s\n", p->samples, p->mappings, p->errors,
	       p->errors ? ": " : "", p->errors ? strerror(p->first_error) : "");
	for (int ph = 0; ph < PHASES; ph++) {
		if (!p->n[ph])
			continue;
		printf("    %-15s n %4u  min %9.3f  p50 %9.3f  p99 %9.3f  max %9.3f ms\n",
		       phase_names[ph], p->n[ph], pct(p, ph, 0) / 1e6, pct(p, ph, 50) / 1e6,
		       pct(p, ph, 99) / 1e6, pct(p, ph, 100) / 1e6);
	}
	fflush(stdout);
}

static void json_point(FILE *f, struct point *p, bool last)
{
	fprintf(f, "  {\"sweep\": \"%s\", \"importer\": \"%s\", \"importers\": %u, "
		"\"size\": %" PRIu64 ", \"fence\": \"%s\", ",
		p->sweep, importer_names[opt.importer], p->importers, p->size,
		fence_names[p->fence]);
	if (p->skipped)
		fprintf(f, "\"skipped\": \"%s\", ", p->skipped);
	if (p->refused)
		fprintf(f, "\"refused\": \"%s\", ", strerror(p->refused));
	fprintf(f, "\"samples\": %u, \"mappings\": %u, \"errors\": %u, \"first_error\": \"%s\"",
		p->samples, p->mappings, p->errors, p->errors ? strerror(p->first_error) : "");
	for (int ph = 0; ph < PHASES; ph++) {
		fprintf(f, ", \"%s\": {\"n\": %u, \"min\": %" PRIu64 ", \"p50\": %" PRIu64
			", \"p99\": %" PRIu64 ", \"max\": %" PRIu64 "}",
			phase_names[ph], p->n[ph], pct(p, ph, 0), pct(p, ph, 50),
			pct(p, ph, 99), pct(p, ph, 100));
	}
	fprintf(f, "}%s\n", last ? "" : ",");
}

static void write_json(const char *path, struct point *points, unsigned int count)
{
	FILE *f = fopen(path, "w");
	struct utsname u;

	igt_assert_f(f, "cannot write %s: %m\n", path);
	uname(&u);
	fprintf(f, "{\"kernel\": \"%s\", \"importer\": \"%s\", \"samples\": %u, "
		"\"signal_delay_us\": %u, \"timeout_ns\": %" PRIu64 ", \"allow_static\": %s, "
		"\"unit\": \"ns\",\n \"points\": [\n", u.release, importer_names[opt.importer],
		opt.samples, opt.signal_delay_us, opt.timeout_ns,
		opt.allow_static ? "true" : "false");
	for (unsigned int i = 0; i < count; i++)
		json_point(f, &points[i], i + 1 == count);
	fprintf(f, " ]}\n");
	igt_assert_eq(fclose(f), 0);
}

static unsigned int parse_list(const char *arg, uint64_t *out, bool sizes)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	unsigned int n = 0;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		uint64_t v = strtoull(tok, &end, 0);

		if (sizes && (*end == 'K' || *end == 'k'))
			v <<= 10, end++;
		else if (sizes && *end == 'M')
			v <<= 20, end++;
		if (*end || n == MAX_LIST || (sizes && (!v || v % 4096))) {
			fprintf(stderr, "bad list item '%s' in '%s'\n", tok, arg);
			exit(2);
		}
		out[n++] = v;
	}
	free(copy);
	return n;
}

static const char help[] =
	"usage: dmabuf_revoke_latency [options]\n"
	"  --importer KIND             vgem (default), virtio-gpu, or static-test (the\n"
	"                              exporter's own static importer; needs --allow-static)\n"
	"  --importers LIST            importer sweep, e.g. 0,1,4,16,64,256 (empty: none)\n"
	"  --sweep-size SIZE           buffer size of the importer sweep (default 1M)\n"
	"  --sizes LIST                size sweep, e.g. 4K,64K,1M,16M,64M (empty: none)\n"
	"  --sweep-importers N         importers of the size sweep (default 4)\n"
	"  --fences LIST               of none,vgem,sw_sync (default all)\n"
	"  --samples N                 revokes per point (default 200)\n"
	"  --signal-delay-us US        fence signal delay after the revoke blocked (default 1000)\n"
	"  --timeout-ms MS             the exporter's bound for each wait (default 10000)\n"
	"  --allow-static              let the exporter accept non-revocable importers\n"
	"  --json FILE                 write the figures (ns) as JSON\n";

static void parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "importer", required_argument, NULL, 'i' },
		{ "importers", required_argument, NULL, 'n' },
		{ "sweep-size", required_argument, NULL, 'S' },
		{ "sizes", required_argument, NULL, 's' },
		{ "sweep-importers", required_argument, NULL, 'N' },
		{ "fences", required_argument, NULL, 'f' },
		{ "samples", required_argument, NULL, 'c' },
		{ "signal-delay-us", required_argument, NULL, 'd' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "allow-static", no_argument, NULL, 'a' },
		{ "json", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	uint64_t list[MAX_LIST];
	unsigned int n;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (!strcmp(optarg, "virtio-gpu"))
				opt.importer = IMPORTER_VIRTIO_GPU;
			else if (!strcmp(optarg, "static-test"))
				opt.importer = IMPORTER_STATIC_TEST;
			else if (strcmp(optarg, "vgem"))
				goto usage;
			break;
		case 'n':
			opt.n_importers = parse_list(optarg, list, false);
			for (unsigned int i = 0; i < opt.n_importers; i++)
				opt.importers[i] = list[i];
			break;
		case 'S':
			if (parse_list(optarg, list, true) != 1)
				goto usage;
			opt.sweep_size = list[0];
			break;
		case 's':
			opt.n_sizes = parse_list(optarg, opt.sizes, true);
			break;
		case 'N':
			opt.sweep_importers = atoi(optarg);
			break;
		case 'f':
			memset(opt.fence, 0, sizeof(opt.fence));
			for (char *tok = strtok(optarg, ","); tok; tok = strtok(NULL, ",")) {
				for (n = 0; n < FENCE_KINDS; n++)
					if (!strcmp(tok, fence_names[n]))
						break;
				if (n == FENCE_KINDS)
					goto usage;
				opt.fence[n] = true;
			}
			break;
		case 'c':
			opt.samples = atoi(optarg);
			if (!opt.samples)
				goto usage;
			break;
		case 'd':
			opt.signal_delay_us = atoi(optarg);
			break;
		case 't':
			opt.timeout_ns = strtoull(optarg, NULL, 0) * NSEC_PER_MSEC;
			if (!opt.timeout_ns)
				goto usage;
			break;
		case 'a':
			opt.allow_static = true;
			break;
		case 'j':
			opt.json = optarg;
			break;
		case 'h':
			fputs(help, stdout);
			exit(0);
		default:
			goto usage;
		}
	}
	if (optind == argc)
		return;
usage:
	fputs(help, stderr);
	exit(2);
}

/* A point for each fence kind of one sweep's step. */
static unsigned int add_points(struct point *points, const char *sweep,
			       unsigned int importers, uint64_t size)
{
	unsigned int n = 0;

	for (int f = 0; f < FENCE_KINDS; f++) {
		struct point *p = &points[n];

		if (!opt.fence[f])
			continue;
		memset(p, 0, sizeof(*p));
		p->sweep = sweep;
		p->importers = importers;
		p->size = size;
		p->fence = f;
		if (f == FENCE_VGEM && (opt.importer != IMPORTER_VGEM || !importers))
			p->skipped = "a vgem fence needs a vgem import";
		n++;
	}
	return n;
}

int main(int argc, char **argv)
{
	struct point *points;
	unsigned int count = 0;

	parse_options(argc, argv);
	points = calloc((opt.n_importers + 2 * opt.n_sizes) * FENCE_KINDS, sizeof(*points));
	igt_assert(points);
	for (unsigned int i = 0; i < opt.n_importers; i++)
		count += add_points(points + count, "importers", opt.importers[i], opt.sweep_size);
	/* Each size with no importer too: the baseline of its ratios. */
	for (unsigned int i = 0; i < opt.n_sizes; i++) {
		if (opt.sweep_importers)
			count += add_points(points + count, "size", 0, opt.sizes[i]);
		count += add_points(points + count, "size", opt.sweep_importers, opt.sizes[i]);
	}

	dev = revoke_exporter_open();
	if (opt.fence[FENCE_SW_SYNC])
		igt_require_sw_sync();
	printf("dmabuf_revoke_latency: importer %s, %u samples per point, fence signalled %u us after the revoke blocked%s\n",
	       importer_names[opt.importer], opt.samples, opt.signal_delay_us,
	       opt.allow_static ? ", non-revocable importers allowed" : "");
	for (unsigned int i = 0; i < count; i++) {
		if (!points[i].skipped)
			measure(&points[i]);
		print_point(&points[i]);
	}
	if (opt.json)
		write_json(opt.json, points, count);
	close(dev);
	return 0;
}
