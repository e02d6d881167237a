// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The dma-buf revoke test authors
 */

/**
 * TEST: testbed smoke
 * Description: Checks that the machine provides what the dma-buf revoke
 *		tests need: vgem, virtio-gpu and its features, udmabuf,
 *		sw_sync and the revocable test exporter module. Outside the
 *		IGT set: it checks this test bed, not a driver.
 * Category: Infrastructure
 * Mega feature: General Core features
 * Sub-category: DMA-BUF
 * Functionality: test environment
 * Feature: core
 * Test category: functionality test
 *
 * SUBTEST: vgem-present
 * Description: vgem opens, creates a buffer that the CPU can write and read
 *		back, and exports it as a dma-buf.
 *
 * SUBTEST: virtio-gpu-present
 * Description: virtio-gpu opens and reports its virgl and blob features.
 *
 * SUBTEST: virtio-gpu-blob
 * Description: virtio-gpu has blob resources and no virgl, the only
 *		configuration in which it imports foreign dma-bufs.
 *
 * SUBTEST: udmabuf-present
 * Description: /dev/udmabuf opens.
 *
 * SUBTEST: sw-sync-present
 * Description: A sw_sync timeline creates a fence that signals when the
 *		timeline advances.
 *
 * SUBTEST: exporter-load-unload
 * Description: The revocable test exporter module loads and unloads.
 */

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "igt.h"
#include "igt_kmod.h"
#include "igt_vgem.h"
#include "revoke_virtio_gpu_helpers.h"
#include "sw_sync.h"
#include "virtgpu_drm.h"

IGT_TEST_DESCRIPTION("Checks that the machine provides what the dma-buf revoke tests need.");

#define EXPORTER_MODULE "revoke_exporter"

static void test_vgem(void)
{
	struct vgem_bo bo = { .width = 1024, .height = 1, .bpp = 32 };
	uint32_t *map;
	int fd, dmabuf;

	fd = drm_open_driver(DRIVER_VGEM);
	vgem_create(fd, &bo);
	igt_assert_eq_u64(bo.size, 4096);

	map = vgem_mmap(fd, &bo, PROT_READ | PROT_WRITE);
	for (unsigned int i = 0; i < bo.size / 4; i++)
		map[i] = i ^ 0xdeadbeef;
	for (unsigned int i = 0; i < bo.size / 4; i++)
		igt_assert_eq_u32(map[i], i ^ 0xdeadbeef);
	munmap(map, bo.size);

	dmabuf = prime_handle_to_fd(fd, bo.handle);
	igt_assert_eq(prime_get_size(dmabuf), bo.size);
	close(dmabuf);
	gem_close(fd, bo.handle);
	drm_close_driver(fd);
}

static void test_virtio_gpu(bool require_blob)
{
	int fd, virgl, blob;

	fd = drm_open_driver(DRIVER_VIRTIO);
	virgl = revoke_virtio_gpu_getparam(fd, VIRTGPU_PARAM_3D_FEATURES);
	blob = revoke_virtio_gpu_getparam(fd, VIRTGPU_PARAM_RESOURCE_BLOB);
	igt_assert_f(virgl >= 0 && blob >= 0, "GETPARAM failed: virgl %d, blob %d\n",
		     virgl, blob);
	igt_info("virtio-gpu features: %cvirgl %cresource_blob\n",
		 virgl ? '+' : '-', blob ? '+' : '-');

	if (require_blob) {
		igt_require_f(blob, "virtio-gpu has no blob resources: this test runs in the blob-mode guest\n");
		igt_assert_f(!virgl, "virtio-gpu has virgl: foreign dma-bufs would not be imported dynamically\n");
	}
	drm_close_driver(fd);
}

static void test_udmabuf(void)
{
	int fd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);

	igt_assert_f(fd >= 0, "cannot open /dev/udmabuf: %m (CONFIG_UDMABUF)\n");
	close(fd);
}

static void test_sw_sync(void)
{
	int timeline, fence;

	timeline = sw_sync_timeline_create();
	fence = sw_sync_timeline_create_fence(timeline, 1);
	igt_assert_eq(sync_fence_status(fence), SW_SYNC_FENCE_STATUS_ACTIVE);
	igt_assert_eq(sync_fence_wait(fence, 0), -ETIME);
	sw_sync_timeline_inc(timeline, 1);
	igt_assert_eq(sync_fence_wait(fence, 1000), 0);
	igt_assert_eq(sync_fence_status(fence), SW_SYNC_FENCE_STATUS_SIGNALED);
	close(fence);
	close(timeline);
}

static void test_exporter_module(void)
{
	int err;

	if (igt_kmod_is_loaded(EXPORTER_MODULE))
		igt_assert_eq(igt_kmod_unload(EXPORTER_MODULE), 0);
	err = igt_kmod_load(EXPORTER_MODULE, NULL);
	igt_assert_f(err == 0, "cannot load %s: %s\n", EXPORTER_MODULE, strerror(-err));
	igt_assert(igt_kmod_is_loaded(EXPORTER_MODULE));
	igt_assert_eq(igt_kmod_unload(EXPORTER_MODULE), 0);
	igt_assert(!igt_kmod_is_loaded(EXPORTER_MODULE));
}

int igt_main()
{
	igt_describe("vgem opens, creates, maps and exports a buffer.");
	igt_subtest("vgem-present")
		test_vgem();

	igt_describe("virtio-gpu opens and reports its virgl and blob features.");
	igt_subtest("virtio-gpu-present")
		test_virtio_gpu(false);

	igt_describe("virtio-gpu has blob resources and no virgl.");
	igt_subtest("virtio-gpu-blob")
		test_virtio_gpu(true);

	igt_describe("/dev/udmabuf opens.");
	igt_subtest("udmabuf-present")
		test_udmabuf();

	igt_describe("A sw_sync fence signals when its timeline advances.");
	igt_subtest("sw-sync-present")
		test_sw_sync();

	igt_describe("The revocable test exporter module loads and unloads.");
	igt_subtest("exporter-load-unload")
		test_exporter_module();
}
