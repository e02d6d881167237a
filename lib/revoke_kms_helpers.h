/* SPDX-License-Identifier: MIT */
/*
 * Atomic modesetting for the revoke tests: one output of a DRM device, its
 * CRTC and primary plane, and full-screen commits of a framebuffer, so a
 * test can put an imported buffer on screen and see a commit's errno.
 */
#ifndef REVOKE_KMS_HELPERS_H
#define REVOKE_KMS_HELPERS_H

#include <stdint.h>

#include <xf86drmMode.h>

struct revoke_kms {
	int fd;
	uint32_t connector, crtc, plane;
	drmModeModeInfo mode;
	uint32_t mode_blob;
	struct {
		uint32_t connector_crtc;
		uint32_t crtc_mode, crtc_active;
		uint32_t fb, crtc, src_x, src_y, src_w, src_h;
		uint32_t crtc_x, crtc_y, crtc_w, crtc_h;
	} prop;
};

/* Opens @driver as master with atomic modesetting; skips without an output. */
void revoke_kms_init(struct revoke_kms *k, int driver);

/* Shows @fb full screen, or with @fb 0 turns the output off; 0 or -errno. */
int revoke_kms_commit(struct revoke_kms *k, uint32_t fb, uint32_t flags);
void revoke_kms_off(struct revoke_kms *k);

uint64_t revoke_kms_prop_value(int fd, uint32_t object, uint32_t type, const char *name);

/* Bytes of one XRGB8888 framebuffer of the mode, rounded up to a page. */
uint64_t revoke_kms_fb_size(const struct revoke_kms *k);

/* ADDFB2 of a full-screen XRGB8888 framebuffer on GEM @handle. */
uint32_t revoke_kms_add_fb(struct revoke_kms *k, uint32_t handle);

#endif
