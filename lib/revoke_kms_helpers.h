/* SPDX-License-Identifier: MIT */
/*
 * Scanout for the revoke tests, on IGT's igt_kms: the first CRTC with an
 * output and its primary plane, framebuffers on imported GEM handles, and
 * full-screen atomic commits whose errno a test checks.
 */
#ifndef REVOKE_KMS_HELPERS_H
#define REVOKE_KMS_HELPERS_H

#include <stdint.h>

#include "igt.h"

struct revoke_kms {
	int fd;
	igt_display_t display;
	igt_output_t *output;
	igt_crtc_t *crtc;
	igt_plane_t *primary;
	drmModeModeInfo mode;
};

/* Opens @driver as DRM master; skips without atomic modesetting or an output. */
void revoke_kms_init(struct revoke_kms *k, int driver);
/* Lets the display go and closes the device; nothing when not open. */
void revoke_kms_fini(struct revoke_kms *k);

/* Shows @fb full screen, or with @fb NULL turns the output off; 0 or -errno. */
int revoke_kms_commit(struct revoke_kms *k, struct igt_fb *fb, uint32_t flags);
void revoke_kms_off(struct revoke_kms *k);

/* Bytes of one XRGB8888 framebuffer of the mode, rounded up to a page. */
uint64_t revoke_kms_fb_size(const struct revoke_kms *k);

/* @fb: a full-screen XRGB8888 framebuffer on GEM @handle (ADDFB2). */
void revoke_kms_add_fb(struct revoke_kms *k, uint32_t handle, struct igt_fb *fb);

#endif
