// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The dma-buf revoke test authors
 */

/**
 * TEST: vfio revoke
 * Description: VFIO's dma-buf of a PCI BAR, imported by virtio-gpu and
 *		scanned out, revoked by VFIO itself: when userspace clears
 *		the BAR's memory enable bit, resets the device or closes it.
 *		VFIO's revoke waits until every importer unmapped, so the
 *		config write, the reset and the close return only after
 *		virtio-gpu let go of the BAR; the tests time them from
 *		userspace. Needs an ivshmem-plain device bound to vfio-pci
 *		in no-IOMMU mode, virtio-gpu with blob resources and both
 *		devices behind one PCIe switch, so that a peer-to-peer map
 *		between them is possible. What the host displays cannot be
 *		seen from the guest: the tests check the commits' results
 *		and (through igt_runner) that the guest logged no error.
 * Category: Core
 * Mega feature: General Core features
 * Sub-category: DMA-BUF
 * Functionality: dma-buf revoke
 * Feature: prime, Virtualization graphics support
 * Test category: functionality test
 *
 * SUBTEST: export-bar
 * Description: VFIO exports the BAR, or a page-aligned part of it, as a
 *		dma-buf of that size, through the group and through the
 *		device cdev.
 *
 * SUBTEST: export-bad-args
 * Description: Exports with flags, no range, an unaligned or empty range,
 *		a range past the BAR, a region that is no BAR, or on a file
 *		that is no VFIO device fail with a clear errno.
 *
 * SUBTEST: import-vgem-refused
 * Description: VFIO refuses vgem's import with EOPNOTSUPP: vgem is no PCI
 *		device and cannot map another device's BAR peer-to-peer.
 *
 * SUBTEST: host-stall-unbind
 * Description: virtio-gpu's host stops answering (the test bed blocks the
 *		nested QEMU's virtio-gpu host) while VFIO's buffer is on
 *		screen; VFIO revokes it by memory disable, which waits for
 *		virtio-gpu's detach without a timeout, and virtio-gpu is
 *		unbound meanwhile: the revoke returns well before the driver
 *		would reset the device for not answering. Once the host
 *		answers again, the driver is bound again and scans out the
 *		BAR.
 *
 * SUBTEST: import-virtio-gpu
 * Description: VFIO, which refuses importers that cannot be revoked or
 *		cannot map peer-to-peer, accepts virtio-gpu's import.
 *
 * SUBTEST: import-revoked
 * Description: A buffer exported while the BAR's memory is disabled, or
 *		one whose device was closed, cannot be imported: ENODEV.
 *
 * SUBTEST: scanout-bar
 * Description: ADDFB2 on the imported BAR and an atomic commit that scans
 *		it out.
 *
 * SUBTEST: revoke-memory-disable
 * Description: Clearing the memory enable bit revokes the buffer on
 *		screen within the bound; the next commit fails with ENODEV
 *		and the plane keeps its framebuffer; setting the bit again
 *		restores the buffer and the next commit scans it out.
 *
 * SUBTEST: restore-memory-enable
 * Description: Three rounds of revoke by memory disable and restore by
 *		memory enable on screen: every revoke within the bound,
 *		every commit while revoked fails with ENODEV, every commit
 *		after a restore works.
 *
 * SUBTEST: revoke-reset
 * Description: VFIO_DEVICE_RESET revokes the buffer on screen for the
 *		reset within the bound; VFIO restores the command register
 *		and so the buffer, and the next commit maps it again.
 *
 * SUBTEST: revoke-close
 * Description: Closing the VFIO device revokes the buffer on screen for
 *		good within the bound: the next commit fails with ENODEV,
 *		also after the device is opened again and its memory
 *		enabled, while a new export of the BAR is scanned out.
 *
 * SUBTEST: iommufd-reference
 * Description: iommufd, VFIO's own importer, beside virtio-gpu on the same
 *		buffer: a revoke by memory disable unmaps both within the
 *		bound; after the restore virtio-gpu maps the buffer again,
 *		while iommufd's revoke is permanent (its IOVA no longer
 *		resolves to the BAR).
 */

#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

#include "igt.h"
#include "revoke_exporter_helpers.h"
#include "revoke_kms_helpers.h"
#include "revoke_bounds.h"
#include "revoke_host_stall.h"
#include "revoke_virtio_gpu_helpers.h"
#include "revoke_vfio_helpers.h"
#include "revoke_vfio_kms_helpers.h"

IGT_TEST_DESCRIPTION("Tests virtio-gpu's imports of VFIO's dma-bufs when VFIO revokes them.");

/*
 * A revoke by any trigger, VFIO's device emulation included, in the nested
 * guest: p99 117 ms release, 1.28 s debug, the slowest trigger and
 * importer (doc/exporter.md, "Bounds"). About ten times that.
 */
#define REVOKE_BOUND_NS revoke_per_flavour(1200 * NSEC_PER_MSEC, 15 * NSEC_PER_SEC)
/*
 * A revoke that an unbind of virtio-gpu ends: see drm_virtgpu_revoke's
 * host-stall-unbind. Below the driver's two seconds on release kernels.
 */
#define UNBIND_REVOKE_BOUND_NS revoke_per_flavour(1500 * NSEC_PER_MSEC, 30 * NSEC_PER_SEC)
/* Where iommufd maps the buffer: any free IOVA will do. */
#define IOMMUFD_IOVA 0x100000000ull

#define MEMORY_DISABLE REVOKE_VFIO_MEMORY_DISABLE
#define RESET REVOKE_VFIO_RESET
#define CLOSE REVOKE_VFIO_CLOSE

static struct revoke_vfio vfio;
static struct revoke_kms kms = { .fd = -1 };

/*
 * Each subtest opens the device itself, through the group or the cdev: a
 * failed one may have left it open, and the two exclude each other.
 */
static void open_vfio(void (*open_device)(struct revoke_vfio *v))
{
	revoke_vfio_ignore_notices();
	revoke_vfio_close(&vfio);
	open_device(&vfio);
	revoke_vfio_set_memory(&vfio, true);
}

static void open_group(void)
{
	open_vfio(revoke_vfio_open_group);
}

static void open_cdev(void)
{
	open_vfio(revoke_vfio_open_cdev);
}

static void require_reset(void)
{
	igt_require_f(revoke_vfio_has_reset(&vfio),
		      "%s has no reset: put it behind a PCIe root port or switch\n", vfio.bdf);
}

/*
 * VFIO maps a BAR for another device only peer-to-peer, which the PCI
 * core allows between devices behind a common switch or bridge (or a host
 * bridge it knows to forward such traffic): elsewhere the map fails with
 * EINVAL, which is the machine's topology, not the importer's fault.
 */
static void require_peer_to_peer(void)
{
	uint32_t handle;
	int dmabuf, ret;

	open_group();
	dmabuf = revoke_vfio_export(&vfio, 0, revoke_kms_fb_size(&kms));
	ret = __revoke_vfio_import_fd(&kms, dmabuf, &handle);
	igt_require_f(ret != -EINVAL,
		      "no peer-to-peer path from %s to virtio-gpu: put both behind one PCIe switch\n",
		      vfio.bdf);
	igt_assert_f(!ret, "virtio-gpu's import of VFIO's buffer failed: %s\n", strerror(-ret));
	gem_close(kms.fd, handle);
	close(dmabuf);
	revoke_vfio_close(&vfio);
}

static struct revoke_vfio_import import_bar(void)
{
	return revoke_vfio_import_bar(&vfio, &kms);
}

static void release_bar(struct revoke_vfio_import *imp)
{
	revoke_vfio_release_bar(&kms, imp);
}

static void assert_on_screen(struct revoke_vfio_import *imp)
{
	revoke_vfio_assert_on_screen(&kms, imp);
}

static void assert_commit_revoked(struct revoke_vfio_import *imp)
{
	revoke_vfio_assert_commit_revoked(&kms, imp);
}

/* Revokes by @t within the bound: VFIO returns once every importer unmapped. */
static uint64_t revoke_by(enum revoke_vfio_trigger t)
{
	uint64_t ns;
	int ret = __revoke_vfio_revoke_by(&vfio, t, &ns);

	igt_assert_f(!ret, "revoke by %s failed: %s\n", revoke_vfio_trigger_name[t],
		     strerror(-ret));
	igt_assert_f(ns < REVOKE_BOUND_NS, "revoke by %s took %.3f ms\n",
		     revoke_vfio_trigger_name[t], ns / 1e6);
	return ns;
}

static void test_export_bar(void)
{
	int whole, part;

	open_group();
	whole = revoke_vfio_export(&vfio, 0, vfio.bar_size);
	igt_assert_eq(lseek(whole, 0, SEEK_END), vfio.bar_size);
	part = revoke_vfio_export(&vfio, 4096, 4096);
	igt_assert_eq(lseek(part, 0, SEEK_END), 4096);
	close(part);
	close(whole);

	open_cdev();
	whole = revoke_vfio_export(&vfio, 0, vfio.bar_size);
	igt_assert_eq(lseek(whole, 0, SEEK_END), vfio.bar_size);
	close(whole);
	revoke_vfio_close(&vfio);
}

static void test_export_bad_args(void)
{
	struct revoke_vfio not_vfio;
	int fd;

	open_group();
	igt_assert_eq(__revoke_vfio_export(&vfio, REVOKE_IVSHMEM_BAR, 0, 4096, 1, 1), -EINVAL);
	igt_assert_eq(__revoke_vfio_export(&vfio, REVOKE_IVSHMEM_BAR, 0, 4096, 0, 0), -EINVAL);
	igt_assert_eq(__revoke_vfio_export(&vfio, REVOKE_IVSHMEM_BAR, 1, 4096, 0, 1), -EINVAL);
	igt_assert_eq(__revoke_vfio_export(&vfio, REVOKE_IVSHMEM_BAR, 0, 4095, 0, 1), -EINVAL);
	igt_assert_eq(__revoke_vfio_export(&vfio, REVOKE_IVSHMEM_BAR, 0, 0, 0, 1), -EINVAL);
	igt_assert_eq(__revoke_vfio_export(&vfio, REVOKE_IVSHMEM_BAR, vfio.bar_size, 4096, 0, 1),
		      -EINVAL);
	igt_assert_eq(__revoke_vfio_export(&vfio, REVOKE_IVSHMEM_BAR, 0, vfio.bar_size + 4096,
					   0, 1), -EINVAL);
	igt_assert_eq(__revoke_vfio_export(&vfio, VFIO_PCI_ROM_REGION_INDEX, 0, 4096, 0, 1),
		      -ENODEV);
	igt_assert_eq(__revoke_vfio_export(&vfio, VFIO_PCI_CONFIG_REGION_INDEX, 0, 4096, 0, 1),
		      -ENODEV);

	/* A dma-buf is no VFIO device. */
	fd = revoke_vfio_export(&vfio, 0, 4096);
	not_vfio = vfio;
	not_vfio.device = fd;
	igt_assert_eq(__revoke_vfio_export(&not_vfio, REVOKE_IVSHMEM_BAR, 0, 4096, 0, 1), -ENOTTY);
	close(fd);
	revoke_vfio_close(&vfio);
}

static void test_import_vgem_refused(void)
{
	int vgem = drm_open_driver(DRIVER_VGEM);
	uint32_t handle;
	int dmabuf;

	open_group();
	dmabuf = revoke_vfio_export(&vfio, 0, vfio.bar_size);
	igt_assert_eq(drmPrimeFDToHandle(vgem, dmabuf, &handle), -1);
	igt_assert_eq(errno, EOPNOTSUPP);
	close(dmabuf);
	drm_close_driver(vgem);
	revoke_vfio_close(&vfio);
}

static void test_import_virtio_gpu(void)
{
	uint32_t handle, again;
	int dmabuf, ret;

	open_group();
	dmabuf = revoke_vfio_export(&vfio, 0, revoke_kms_fb_size(&kms));
	ret = __revoke_vfio_import_fd(&kms, dmabuf, &handle);
	igt_assert_f(!ret, "VFIO refused virtio-gpu's import: %s\n", strerror(-ret));
	igt_assert_eq(__revoke_vfio_import_fd(&kms, dmabuf, &again), 0);
	igt_assert_eq(again, handle);
	gem_close(kms.fd, handle);
	close(dmabuf);
	revoke_vfio_close(&vfio);
}

static void test_import_revoked(void)
{
	uint32_t handle;
	int dmabuf;

	open_group();
	revoke_vfio_set_memory(&vfio, false);
	dmabuf = revoke_vfio_export(&vfio, 0, revoke_kms_fb_size(&kms));
	igt_assert_eq(__revoke_vfio_import_fd(&kms, dmabuf, &handle), -ENODEV);
	revoke_vfio_set_memory(&vfio, true);
	igt_assert_eq(__revoke_vfio_import_fd(&kms, dmabuf, &handle), 0);
	gem_close(kms.fd, handle);

	revoke_vfio_close_device(&vfio);
	igt_assert_eq(__revoke_vfio_import_fd(&kms, dmabuf, &handle), -ENODEV);
	close(dmabuf);
	revoke_vfio_close(&vfio);
}

static void test_scanout_bar(void)
{
	struct revoke_vfio_import imp;

	open_group();
	imp = import_bar();
	assert_on_screen(&imp);
	revoke_kms_off(&kms);
	release_bar(&imp);
	revoke_vfio_close(&vfio);
}

static void test_revoke_memory_disable(void)
{
	struct revoke_vfio_import imp;
	uint64_t ns;

	open_group();
	imp = import_bar();
	assert_on_screen(&imp);
	ns = revoke_by(MEMORY_DISABLE);
	igt_info("revoke by memory disable on screen: %.3f ms\n", ns / 1e6);
	assert_commit_revoked(&imp);
	/* Clearing the bit again revokes nothing more. */
	revoke_by(MEMORY_DISABLE);
	assert_commit_revoked(&imp);

	revoke_vfio_set_memory(&vfio, true);
	assert_on_screen(&imp);
	revoke_kms_off(&kms);
	release_bar(&imp);
	revoke_vfio_close(&vfio);
}

static void test_restore_memory_enable(void)
{
	struct revoke_vfio_import imp;

	open_group();
	imp = import_bar();
	for (int i = 0; i < 3; i++) {
		assert_on_screen(&imp);
		revoke_by(MEMORY_DISABLE);
		assert_commit_revoked(&imp);
		revoke_vfio_set_memory(&vfio, true);
	}
	assert_on_screen(&imp);
	revoke_kms_off(&kms);
	release_bar(&imp);
	revoke_vfio_close(&vfio);
}

static void test_revoke_reset(void)
{
	struct revoke_vfio_import imp;
	uint64_t ns;

	open_group();
	require_reset();
	imp = import_bar();
	assert_on_screen(&imp);
	ns = revoke_by(RESET);
	igt_info("revoke by reset on screen: %.3f ms\n", ns / 1e6);
	igt_assert(revoke_vfio_memory_enabled(&vfio));
	assert_on_screen(&imp);
	revoke_kms_off(&kms);
	release_bar(&imp);
	revoke_vfio_close(&vfio);
}

static void test_revoke_close(void)
{
	struct revoke_vfio_import imp, fresh;
	uint64_t ns;

	open_group();
	imp = import_bar();
	assert_on_screen(&imp);
	ns = revoke_by(CLOSE);
	igt_info("revoke by close on screen: %.3f ms\n", ns / 1e6);
	assert_commit_revoked(&imp);

	open_group();
	assert_commit_revoked(&imp);
	fresh = import_bar();
	assert_on_screen(&fresh);
	revoke_kms_off(&kms);
	release_bar(&fresh);
	release_bar(&imp);
	revoke_vfio_close(&vfio);
}

static void test_iommufd_reference(void)
{
	struct revoke_vfio_import imp;
	uint64_t phys, ns;
	int ret;

	open_cdev();
	imp = import_bar();
	ret = __revoke_iommufd_map(&vfio, imp.dmabuf, revoke_kms_fb_size(&kms), IOMMUFD_IOVA);
	igt_assert_f(!ret, "iommufd refused VFIO's buffer: %s\n", strerror(-ret));
	igt_assert_eq(__revoke_iommufd_get_pa(&vfio, IOMMUFD_IOVA, &phys), 0);
	igt_assert_eq_u64(phys, vfio.bar_start);
	assert_on_screen(&imp);

	ns = revoke_by(MEMORY_DISABLE);
	igt_info("revoke by memory disable, iommufd and virtio-gpu importing: %.3f ms\n",
		 ns / 1e6);
	igt_assert_eq(__revoke_iommufd_get_pa(&vfio, IOMMUFD_IOVA, &phys), -EINVAL);
	assert_commit_revoked(&imp);

	revoke_vfio_set_memory(&vfio, true);
	assert_on_screen(&imp);
	igt_assert_eq(__revoke_iommufd_get_pa(&vfio, IOMMUFD_IOVA, &phys), -EINVAL);

	revoke_kms_off(&kms);
	release_bar(&imp);
	revoke_vfio_close(&vfio);
}

struct memory_disable {
	pthread_t thread;
	uint64_t ns;
	int ret;
};

static void *memory_disable_thread(void *data)
{
	struct memory_disable *d = data;

	d->ret = __revoke_vfio_revoke_by(&vfio, MEMORY_DISABLE, &d->ns);
	return NULL;
}

static void test_host_stall_unbind(void)
{
	struct revoke_vfio_import imp;
	struct memory_disable d = {};
	char device[64];

	open_group();
	imp = import_bar();
	assert_on_screen(&imp);
	revoke_virtio_gpu_device(kms.fd, device, sizeof(device));
	igt_emit_ignore_dmesg_regex(REVOKE_HOST_RESET_DMESG);
	revoke_host_stall_begin(&kms, &imp.fb);

	igt_assert_eq(pthread_create(&d.thread, NULL, memory_disable_thread, &d), 0);
	/* Well within the driver's two seconds for the host. */
	usleep(200000);
	igt_set_timeout(120, "unbind with VFIO's revoke in flight");
	/* The file's framebuffer and import go with it. */
	revoke_kms_fini(&kms);
	revoke_virtio_gpu_unbind(device);
	igt_assert_eq(pthread_join(d.thread, NULL), 0);
	igt_reset_timeout();
	igt_info("revoke by memory disable across the unbind: %.3f ms\n", d.ns / 1e6);
	igt_assert_f(!d.ret, "revoke by memory disable failed: %s\n", strerror(-d.ret));
	igt_assert_f(d.ns < UNBIND_REVOKE_BOUND_NS,
		     "the revoke took %.3f s: the removal did not end it\n", d.ns / 1e9);
	close(imp.dmabuf);

	revoke_host_stall_release_and_bind(device);
	revoke_kms_init(&kms, DRIVER_VIRTIO);
	revoke_vfio_set_memory(&vfio, true);
	imp = import_bar();
	assert_on_screen(&imp);
	revoke_host_stall_wait_answers(&kms, &imp.fb);
	revoke_kms_off(&kms);
	release_bar(&imp);
	revoke_vfio_close(&vfio);
}

int igt_main()
{
	igt_fixture() {
		revoke_virtio_gpu_require_blob();
		revoke_vfio_ignore_notices();
		revoke_vfio_require(&vfio);
		revoke_kms_init(&kms, DRIVER_VIRTIO);
		igt_require_f(revoke_kms_fb_size(&kms) <= vfio.bar_size,
			      "BAR %d of %s (%" PRIu64 " bytes) cannot hold a %ux%u framebuffer\n",
			      REVOKE_IVSHMEM_BAR, vfio.bdf, vfio.bar_size,
			      kms.mode.hdisplay, kms.mode.vdisplay);
		require_peer_to_peer();
	}

	igt_describe("VFIO exports the BAR as a dma-buf through the group and the cdev.");
	igt_subtest("export-bar")
		test_export_bar();

	igt_describe("Exports with bad arguments fail with a clear errno.");
	igt_subtest("export-bad-args")
		test_export_bad_args();

	igt_describe("VFIO refuses vgem, which cannot map a BAR peer-to-peer.");
	igt_subtest("import-vgem-refused")
		test_import_vgem_refused();

	igt_describe("VFIO accepts virtio-gpu's import as revocable and peer-to-peer.");
	igt_subtest("import-virtio-gpu")
		test_import_virtio_gpu();

	igt_describe("Buffers revoked by memory disable or close cannot be imported.");
	igt_subtest("import-revoked")
		test_import_revoked();

	igt_describe("The imported BAR becomes a framebuffer and is scanned out.");
	igt_subtest("scanout-bar")
		test_scanout_bar();

	igt_describe("Memory disable revokes the buffer on screen within the bound.");
	igt_subtest("revoke-memory-disable")
		test_revoke_memory_disable();

	igt_describe("Revokes by memory disable and restores by memory enable, three rounds.");
	igt_subtest("restore-memory-enable")
		test_restore_memory_enable();

	igt_describe("A device reset revokes the buffer on screen within the bound.");
	igt_subtest("revoke-reset")
		test_revoke_reset();

	igt_describe("Closing the device revokes the buffer on screen for good.");
	igt_subtest("revoke-close")
		test_revoke_close();

	igt_subtest_group() {
		igt_fixture()
			revoke_host_stall_require();

		igt_describe("An unbind of virtio-gpu, whose host does not answer, ends "
			     "VFIO's revoke.");
		igt_subtest("host-stall-unbind")
			test_host_stall_unbind();
	}

	igt_describe("iommufd's revoke is permanent where virtio-gpu maps again.");
	igt_subtest("iommufd-reference")
		test_iommufd_reference();

	igt_fixture() {
		revoke_vfio_close(&vfio);
		revoke_kms_fini(&kms);
	}
}
