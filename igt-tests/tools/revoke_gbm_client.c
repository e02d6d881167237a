// SPDX-License-Identifier: MIT
/*
 * revoke_gbm_client - a Mesa client of a revocable dma-buf.
 *
 * Imports a dma-buf it inherited into GBM on the vgem device, maps it
 * through Mesa and checks its pixels, one command at a time, so that the
 * mesa_revoke test can revoke and restore the buffer between them. Built
 * in the guest root against its Mesa (vm/run does that), or by meson where
 * libgbm-dev is installed.
 *
 * usage: revoke_gbm_client FD WIDTH HEIGHT
 * FD is an XRGB8888 dma-buf of WIDTH x HEIGHT pixels, WIDTH * 4 bytes per
 * row. The first line on stdout is "ready BACKEND DRIVERS", or "skip
 * REASON" (exit 77) when Mesa cannot drive vgem. Then one line per
 * command read from stdin:
 *   import       gbm_bo_import() of FD     -> ok | error ERRNO
 *   map          gbm_bo_map() for reading  -> ok STRIDE | error ERRNO
 *   check SEED   read every word of the map: word i must be SEED ^ i
 *                                          -> ok | sigbus | mismatch I GOT
 *   unmap        gbm_bo_unmap()            -> ok
 *   destroy      gbm_bo_destroy()          -> ok
 *   quit         exit 0
 * A command that needs an import or a map first answers "error none".
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gbm.h>
#include <xf86drm.h>

static sigjmp_buf bus_jump;

static void on_sigbus(int sig)
{
	siglongjmp(bus_jump, 1);
}

/* The first DRM primary node that vgem drives, or -1. */
static int open_vgem(void)
{
	char path[64];

	for (int i = 0; i < 16; i++) {
		drmVersionPtr version;
		int fd;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		version = drmGetVersion(fd);
		if (version && strcmp(version->name, "vgem") == 0) {
			drmFreeVersion(version);
			return fd;
		}
		drmFreeVersion(version);
		close(fd);
	}
	return -1;
}

/* The Mesa driver libraries this process has mapped (which path Mesa took). */
static void print_drivers(void)
{
	char line[512], seen[1024] = "";
	FILE *maps = fopen("/proc/self/maps", "r");

	if (!maps) {
		printf(" unknown");
		return;
	}
	while (fgets(line, sizeof(line), maps)) {
		char *name = strrchr(line, '/');

		if (!name || !(strstr(line, "/dri/") || strstr(line, "libgallium") ||
			       strstr(line, "/gbm/")))
			continue;
		name[strcspn(name, "\n")] = '\0';
		if (strstr(seen, name))
			continue;
		if (strlen(seen) + strlen(name) + 1 >= sizeof(seen))
			break;
		strcat(seen, name);
		printf(" %s", name + 1);
	}
	fclose(maps);
}

/* Checks the pattern; a SIGBUS while reading is reported, not fatal. */
static void check(const volatile uint32_t *map, uint32_t stride, uint32_t width,
		  uint32_t height, uint32_t seed)
{
	uint32_t i = 0;

	if (sigsetjmp(bus_jump, 1)) {
		printf("sigbus\n");
		return;
	}
	for (uint32_t y = 0; y < height; y++) {
		const volatile uint32_t *row = map + (size_t)y * stride / 4;

		for (uint32_t x = 0; x < width; x++, i++) {
			uint32_t got = row[x];

			if (got != (seed ^ i)) {
				printf("mismatch %" PRIu32 " %#" PRIx32 "\n", i, got);
				return;
			}
		}
	}
	printf("ok\n");
}

int main(int argc, char **argv)
{
	struct sigaction bus = { .sa_handler = on_sigbus };
	struct gbm_import_fd_data data = { .format = GBM_FORMAT_XRGB8888 };
	struct gbm_device *gbm;
	struct gbm_bo *bo = NULL;
	void *map = NULL, *map_data = NULL;
	uint32_t map_stride = 0;
	char cmd[64];
	int vgem;

	if (argc != 4) {
		fprintf(stderr, "usage: %s FD WIDTH HEIGHT\n", argv[0]);
		return 2;
	}
	data.fd = atoi(argv[1]);
	data.width = strtoul(argv[2], NULL, 0);
	data.height = strtoul(argv[3], NULL, 0);
	data.stride = data.width * 4;
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGBUS, &bus, NULL);

	vgem = open_vgem();
	if (vgem < 0) {
		printf("skip no vgem device in /dev/dri\n");
		return 77;
	}
	gbm = gbm_create_device(vgem);
	if (!gbm) {
		printf("skip Mesa's GBM cannot drive vgem (gbm_create_device: %s)\n",
		       strerror(errno));
		return 77;
	}
	printf("ready %s", gbm_device_get_backend_name(gbm));
	print_drivers();
	printf("\n");

	while (fgets(cmd, sizeof(cmd), stdin)) {
		uint32_t seed;

		/* Mesa does not always set errno: 0 says so. */
		errno = 0;
		if (strcmp(cmd, "import\n") == 0) {
			bo = gbm_bo_import(gbm, GBM_BO_IMPORT_FD, &data, 0);
			if (bo)
				printf("ok\n");
			else
				printf("error %d\n", errno);
		} else if (strcmp(cmd, "map\n") == 0) {
			if (!bo) {
				printf("error none\n");
				continue;
			}
			map = gbm_bo_map(bo, 0, 0, data.width, data.height, GBM_BO_TRANSFER_READ,
					 &map_stride, &map_data);
			if (map)
				printf("ok %" PRIu32 "\n", map_stride);
			else
				printf("error %d\n", errno);
		} else if (sscanf(cmd, "check %" SCNu32, &seed) == 1) {
			if (map)
				check(map, map_stride, data.width, data.height, seed);
			else
				printf("error none\n");
		} else if (strcmp(cmd, "unmap\n") == 0) {
			if (map)
				gbm_bo_unmap(bo, map_data);
			map = NULL;
			printf("ok\n");
		} else if (strcmp(cmd, "destroy\n") == 0) {
			if (map)
				gbm_bo_unmap(bo, map_data);
			if (bo)
				gbm_bo_destroy(bo);
			map = NULL;
			bo = NULL;
			printf("ok\n");
		} else if (strcmp(cmd, "quit\n") == 0) {
			break;
		} else {
			printf("error unknown command\n");
		}
	}

	if (map)
		gbm_bo_unmap(bo, map_data);
	if (bo)
		gbm_bo_destroy(bo);
	gbm_device_destroy(gbm);
	close(vgem);
	return 0;
}
