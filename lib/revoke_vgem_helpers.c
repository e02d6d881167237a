// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The dma-buf revoke test authors
 */

#include <errno.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "igt.h"
#include "igt_kmod.h"
#include "revoke_exporter_helpers.h"
#include "revoke_vgem_helpers.h"
#include "vgem_drm.h"

struct revoke_vgem_import revoke_vgem_import(int dmabuf, uint64_t size)
{
	struct revoke_vgem_import imp = { .vgem = drm_open_driver(DRIVER_VGEM) };

	imp.bo.handle = prime_fd_to_handle(imp.vgem, dmabuf);
	imp.bo.size = size;
	return imp;
}

uint32_t *revoke_vgem_mmap(struct revoke_vgem_import *imp)
{
	return vgem_mmap(imp->vgem, &imp->bo, PROT_READ | PROT_WRITE);
}

void revoke_vgem_job(struct revoke_vgem_import *imp)
{
	vgem_fence_signal(imp->vgem, vgem_fence_attach(imp->vgem, &imp->bo, 0));
}

int __revoke_vgem_fence_attach(int vgem, uint32_t handle, uint32_t flags, uint32_t *fence)
{
	struct drm_vgem_fence_attach arg = { .handle = handle, .flags = flags };

	if (ioctl(vgem, DRM_IOCTL_VGEM_FENCE_ATTACH, &arg))
		return -errno;
	*fence = arg.out_fence;
	return 0;
}

uint32_t *revoke_exporter_mmap(int dmabuf, size_t size)
{
	uint32_t *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf, 0);

	igt_assert(map != MAP_FAILED);
	return map;
}

void revoke_exporter_release(int dev, int dmabuf)
{
	struct revoke_exporter_query q;

	revoke_exporter_query(dev, dmabuf, &q);
	igt_assert_eq(q.attachments, 0);
	igt_assert_eq(q.mappings, 0);
	revoke_exporter_assert_balanced(dev, dmabuf);
	close(dmabuf);
}

void revoke_vgem_close(int dev, struct revoke_vgem_import *imp, int dmabuf)
{
	drm_close_driver(imp->vgem);
	revoke_exporter_release(dev, dmabuf);
}

/* Whatever a failed subtest left; in an exit handler, so without asserting. */
static void reload_vgem(int sig)
{
	igt_kmod_load("vgem", NULL);
}

void revoke_vgem_reload_at_exit(void)
{
	igt_install_exit_handler(reload_vgem);
}
