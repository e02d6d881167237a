// SPDX-License-Identifier: MIT
#include <drm_fourcc.h>

#include "igt.h"
#include "revoke_kms_helpers.h"

void revoke_kms_init(struct revoke_kms *k, int driver)
{
	k->fd = drm_open_driver_master(driver);
	igt_display_require(&k->display, k->fd);
	k->crtc = igt_first_crtc_with_single_output(&k->display, &k->output);
	k->primary = igt_crtc_get_plane_type(k->crtc, DRM_PLANE_TYPE_PRIMARY);
	k->mode = *igt_output_get_mode(k->output);
	igt_info("scanout: %s on CRTC %s (%u), %ux%u\n", igt_output_name(k->output),
		 igt_crtc_name(k->crtc), k->crtc->crtc_id, k->mode.hdisplay, k->mode.vdisplay);
}

void revoke_kms_fini(struct revoke_kms *k)
{
	if (k->fd < 0)
		return;
	igt_display_fini(&k->display);
	drm_close_driver(k->fd);
	k->fd = -1;
}

int revoke_kms_commit(struct revoke_kms *k, struct igt_fb *fb, uint32_t flags)
{
	igt_crtc_t *crtc = fb ? k->crtc : NULL;

	if (k->output->pending_crtc != crtc)
		igt_output_set_crtc(k->output, crtc);
	igt_plane_set_fb(k->primary, fb);
	return igt_display_try_commit_atomic(&k->display, flags | DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
}

void revoke_kms_off(struct revoke_kms *k)
{
	igt_assert_eq(revoke_kms_commit(k, NULL, 0), 0);
}

uint64_t revoke_kms_fb_size(const struct revoke_kms *k)
{
	uint64_t size = (uint64_t)k->mode.hdisplay * k->mode.vdisplay * 4;

	return (size + 4095) & ~4095ull;
}

void revoke_kms_add_fb(struct revoke_kms *k, uint32_t handle, struct igt_fb *fb)
{
	igt_init_fb(fb, k->fd, k->mode.hdisplay, k->mode.vdisplay, DRM_FORMAT_XRGB8888,
		    DRM_FORMAT_MOD_LINEAR, IGT_COLOR_YCBCR_BT601, IGT_COLOR_YCBCR_LIMITED_RANGE);
	fb->gem_handle = handle;
	fb->strides[0] = k->mode.hdisplay * 4;
	fb->size = revoke_kms_fb_size(k);
	igt_assert_f(__kms_addfb(k->fd, handle, fb->width, fb->height, fb->drm_format,
				 fb->modifier, fb->strides, fb->offsets, fb->num_planes, 0,
				 &fb->fb_id) == 0,
		     "ADDFB2 on GEM handle %u failed: %m\n", handle);
}
