/* SPDX-License-Identifier: MIT */
/*
 * The part of IGT's igt_kms.h the tests use, with IGT's names, signatures
 * and behaviour: a display of CRTCs, their planes and the outputs, whose
 * property changes an atomic commit sends. Atomic drivers only; one plane
 * per CRTC and type is enough for the tests.
 */
#ifndef IGT_KMS_H
#define IGT_KMS_H

#include <stdbool.h>
#include <stdint.h>

#include <xf86drmMode.h>

#include "igt_fb.h"

enum igt_commit_style {
	COMMIT_LEGACY = 0,
	COMMIT_UNIVERSAL,
	COMMIT_ATOMIC,
};

enum igt_atomic_plane_properties {
	IGT_PLANE_SRC_X = 0,
	IGT_PLANE_SRC_Y,
	IGT_PLANE_SRC_W,
	IGT_PLANE_SRC_H,
	IGT_PLANE_CRTC_X,
	IGT_PLANE_CRTC_Y,
	IGT_PLANE_CRTC_W,
	IGT_PLANE_CRTC_H,
	IGT_PLANE_FB_ID,
	IGT_PLANE_CRTC_ID,
	IGT_PLANE_TYPE,
	IGT_NUM_PLANE_PROPS
};

enum igt_atomic_crtc_properties {
	IGT_CRTC_MODE_ID = 0,
	IGT_CRTC_ACTIVE,
	IGT_NUM_CRTC_PROPS
};

enum igt_atomic_connector_properties {
	IGT_CONNECTOR_CRTC_ID = 0,
	IGT_NUM_CONNECTOR_PROPS
};

typedef struct _igt_display igt_display_t;
typedef struct _igt_crtc igt_crtc_t;

typedef struct _igt_plane {
	igt_crtc_t *crtc;
	int index;
	int type;
	drmModePlane *drm_plane;
	uint64_t changed;
	uint32_t props[IGT_NUM_PLANE_PROPS];
	uint64_t values[IGT_NUM_PLANE_PROPS];
} igt_plane_t;

struct _igt_crtc {
	igt_display_t *display;
	int n_planes;
	igt_plane_t *planes;
	uint64_t changed;
	uint32_t props[IGT_NUM_CRTC_PROPS];
	uint64_t values[IGT_NUM_CRTC_PROPS];
	uint32_t crtc_id;
	uint32_t crtc_index;
};

typedef struct {
	igt_display_t *display;
	uint32_t id;
	char *name;
	bool connected;
	uint32_t possible_crtcs;
	drmModeModeInfo mode;
	igt_crtc_t *pending_crtc;
	uint64_t changed;
	uint32_t props[IGT_NUM_CONNECTOR_PROPS];
	uint64_t values[IGT_NUM_CONNECTOR_PROPS];
} igt_output_t;

struct _igt_display {
	int drm_fd;
	int n_crtcs;
	int n_outputs;
	igt_output_t *outputs;
	igt_crtc_t *crtcs;
	bool is_atomic;
	bool first_commit;
};

void igt_display_require(igt_display_t *display, int drm_fd);
void igt_display_fini(igt_display_t *display);
int igt_display_try_commit_atomic(igt_display_t *display, uint32_t flags, void *user_data);

igt_crtc_t *igt_first_crtc_with_single_output(igt_display_t *display, igt_output_t **ret_output);
const char *igt_crtc_name(igt_crtc_t *crtc);
igt_plane_t *igt_crtc_get_plane_type(igt_crtc_t *crtc, int plane_type);

const char *igt_output_name(const igt_output_t *output);
drmModeModeInfo *igt_output_get_mode(igt_output_t *output);
void igt_output_set_crtc(igt_output_t *output, igt_crtc_t *crtc);

void igt_plane_set_fb(igt_plane_t *plane, struct igt_fb *fb);
uint64_t igt_plane_get_prop(igt_plane_t *plane, enum igt_atomic_plane_properties prop);

#endif /* IGT_KMS_H */
