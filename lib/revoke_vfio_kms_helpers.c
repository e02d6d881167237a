// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

#include "igt.h"
#include "revoke_exporter_helpers.h"
#include "revoke_vfio_kms_helpers.h"

const char * const revoke_vfio_trigger_name[] = {
	[REVOKE_VFIO_MEMORY_DISABLE] = "memory-disable",
	[REVOKE_VFIO_RESET] = "reset",
	[REVOKE_VFIO_CLOSE] = "close",
};

void revoke_vfio_ignore_notices(void)
{
	igt_emit_ignore_dmesg_regex("^vfio-pci [0-9a-f:.]+: (resetting|reset done|"
				    "vfio-noiommu device opened by user .*|"
				    "Adding kernel taint for vfio-noiommu (group on device|cdev))$|"
				    "^pcieport [0-9a-f:.]+: unlocked secondary bus reset via: ");
}

int __revoke_vfio_import_fd(struct revoke_kms *k, int dmabuf, uint32_t *handle)
{
	return drmPrimeFDToHandle(k->fd, dmabuf, handle) ? -errno : 0;
}

struct revoke_vfio_import revoke_vfio_import_bar(struct revoke_vfio *v, struct revoke_kms *k)
{
	struct revoke_vfio_import imp = {
		.dmabuf = revoke_vfio_export(v, 0, revoke_kms_fb_size(k)),
	};
	int ret = __revoke_vfio_import_fd(k, imp.dmabuf, &imp.handle);

	igt_assert_f(!ret, "virtio-gpu's import of VFIO's buffer failed: %s\n", strerror(-ret));
	revoke_kms_add_fb(k, imp.handle, &imp.fb);
	return imp;
}

void revoke_vfio_release_bar(struct revoke_kms *k, struct revoke_vfio_import *imp)
{
	igt_assert_eq(drmModeRmFB(k->fd, imp->fb.fb_id), 0);
	gem_close(k->fd, imp->handle);
	close(imp->dmabuf);
}

void revoke_vfio_assert_on_screen(struct revoke_kms *k, struct revoke_vfio_import *imp)
{
	igt_assert_eq(revoke_kms_commit(k, &imp->fb, 0), 0);
	igt_assert_eq(igt_plane_get_prop(k->primary, IGT_PLANE_FB_ID), imp->fb.fb_id);
}

void revoke_vfio_assert_commit_revoked(struct revoke_kms *k, struct revoke_vfio_import *imp)
{
	igt_assert_eq(revoke_kms_commit(k, &imp->fb, 0), -ENODEV);
	igt_assert_eq(igt_plane_get_prop(k->primary, IGT_PLANE_FB_ID), imp->fb.fb_id);
}

int __revoke_vfio_revoke_by(struct revoke_vfio *v, enum revoke_vfio_trigger t, uint64_t *ns)
{
	uint64_t start = revoke_now_ns();
	int ret = 0;

	switch (t) {
	case REVOKE_VFIO_MEMORY_DISABLE:
		ret = __revoke_vfio_set_memory(v, false);
		break;
	case REVOKE_VFIO_RESET:
		ret = __revoke_vfio_reset(v);
		break;
	case REVOKE_VFIO_CLOSE:
		revoke_vfio_close_device(v);
		break;
	}
	*ns = revoke_now_ns() - start;
	return ret;
}
