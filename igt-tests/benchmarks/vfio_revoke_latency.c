// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The dma-buf revoke test authors
 */

/*
 * vfio_revoke_latency: how long VFIO takes to revoke the dma-buf of a BAR,
 * by each of its three triggers (clearing PCI_COMMAND_MEMORY,
 * VFIO_DEVICE_RESET, closing the device), with no importer, with
 * virtio-gpu scanning the buffer out, and with iommufd importing it. VFIO
 * returns from the config write, the ioctl or the close only once every
 * importer has unmapped, so the time seen from userspace is the revoke's.
 *
 * Needs what vfio_revoke needs: virtio-gpu with blob resources, an
 * ivshmem-plain device of 8 MiB bound to vfio-pci in no-IOMMU mode with a
 * reset (behind a PCIe port), and a peer-to-peer path between the two.
 * Prints p50, p99 and max per trigger and importer.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "igt.h"
#include "revoke_bounds.h"
#include "revoke_exporter_helpers.h"
#include "revoke_vfio_kms_helpers.h"
#include "revoke_virtio_gpu_helpers.h"

#define MAX_RUNS 1000
/* Where iommufd maps the buffer: any free IOVA will do. */
#define IOMMUFD_IOVA 0x100000000ull

enum importer { NO_IMPORTER, VIRTIO_GPU, IOMMUFD };

static const char * const importer_name[] = {
	[NO_IMPORTER] = "no importer",
	[VIRTIO_GPU] = "virtio-gpu import on screen",
	[IOMMUFD] = "iommufd import",
};

static struct revoke_vfio vfio;
static struct revoke_kms kms = { .fd = -1 };

static void open_device(void (*open_fn)(struct revoke_vfio *v))
{
	revoke_vfio_close(&vfio);
	open_fn(&vfio);
	revoke_vfio_set_memory(&vfio, true);
}

/* One revoke by @t of a buffer that @who imported; its time in ns. */
static uint64_t one_revoke(enum revoke_vfio_trigger t, enum importer who)
{
	struct revoke_vfio_import imp = {};
	int dmabuf = -1, ret;
	uint64_t ns;

	open_device(who == IOMMUFD ? revoke_vfio_open_cdev : revoke_vfio_open_group);
	if (who == IOMMUFD) {
		dmabuf = revoke_vfio_export(&vfio, 0, vfio.bar_size);
		igt_assert_eq(__revoke_iommufd_map(&vfio, dmabuf, vfio.bar_size, IOMMUFD_IOVA), 0);
	} else if (who == VIRTIO_GPU) {
		imp = revoke_vfio_import_bar(&vfio, &kms);
		revoke_vfio_assert_on_screen(&kms, &imp);
	}
	ret = __revoke_vfio_revoke_by(&vfio, t, &ns);
	igt_assert_f(!ret, "revoke by %s failed: %s\n", revoke_vfio_trigger_name[t],
		     strerror(-ret));
	if (who == VIRTIO_GPU) {
		revoke_kms_off(&kms);
		revoke_vfio_release_bar(&kms, &imp);
	}
	if (dmabuf >= 0)
		close(dmabuf);
	revoke_vfio_close(&vfio);
	return ns;
}

static void usage(const char *name)
{
	printf("usage: %s [--runs N]\n"
	       "  --runs N  revokes per trigger and importer (default 20, 5 with lockdep)\n", name);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "runs", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int runs = revoke_per_flavour(20, 5), c;
	uint64_t ns[MAX_RUNS];

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'r' && atoi(optarg) > 0 && atoi(optarg) <= MAX_RUNS) {
			runs = atoi(optarg);
		} else {
			usage(argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	revoke_virtio_gpu_require_blob();
	revoke_vfio_require(&vfio);
	revoke_kms_init(&kms, DRIVER_VIRTIO);
	open_device(revoke_vfio_open_group);
	igt_require_f(revoke_vfio_has_reset(&vfio), "%s has no reset\n", vfio.bdf);
	revoke_vfio_close(&vfio);

	printf("vfio_revoke_latency: %d revokes per trigger and importer%s (times in ms)\n",
	       runs, revoke_kernel_is_debug() ? ", lockdep kernel: not release figures" : "");
	for (int t = REVOKE_VFIO_MEMORY_DISABLE; t <= REVOKE_VFIO_CLOSE; t++) {
		for (int who = NO_IMPORTER; who <= IOMMUFD; who++) {
			char what[80];

			for (int i = 0; i < runs; i++)
				ns[i] = one_revoke(t, who);
			snprintf(what, sizeof(what), "%s, %s", revoke_vfio_trigger_name[t],
				 importer_name[who]);
			revoke_print_percentiles(what, ns, runs);
		}
	}
	revoke_kms_fini(&kms);
	return 0;
}
