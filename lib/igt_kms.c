// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xf86drm.h>

#include "igt_core.h"
#include "igt_kms.h"

static const char * const plane_prop_names[IGT_NUM_PLANE_PROPS] = {
	[IGT_PLANE_SRC_X] = "SRC_X",
	[IGT_PLANE_SRC_Y] = "SRC_Y",
	[IGT_PLANE_SRC_W] = "SRC_W",
	[IGT_PLANE_SRC_H] = "SRC_H",
	[IGT_PLANE_CRTC_X] = "CRTC_X",
	[IGT_PLANE_CRTC_Y] = "CRTC_Y",
	[IGT_PLANE_CRTC_W] = "CRTC_W",
	[IGT_PLANE_CRTC_H] = "CRTC_H",
	[IGT_PLANE_FB_ID] = "FB_ID",
	[IGT_PLANE_CRTC_ID] = "CRTC_ID",
	[IGT_PLANE_TYPE] = "type",
};

static const char * const crtc_prop_names[IGT_NUM_CRTC_PROPS] = {
	[IGT_CRTC_MODE_ID] = "MODE_ID",
	[IGT_CRTC_ACTIVE] = "ACTIVE",
};

static const char * const connector_prop_names[IGT_NUM_CONNECTOR_PROPS] = {
	[IGT_CONNECTOR_CRTC_ID] = "CRTC_ID",
};

/* The ids of an object's properties @names, and their current values. */
static void find_props(int fd, uint32_t object, uint32_t type, const char * const *names,
		       int count, uint32_t *ids, uint64_t *values)
{
	drmModeObjectPropertiesPtr props = drmModeObjectGetProperties(fd, object, type);

	igt_assert_f(props, "no properties for KMS object %u: %m\n", object);
	for (uint32_t i = 0; i < props->count_props; i++) {
		drmModePropertyPtr prop = drmModeGetProperty(fd, props->props[i]);

		for (int n = 0; prop && n < count; n++) {
			if (!strcmp(prop->name, names[n])) {
				ids[n] = prop->prop_id;
				values[n] = props->prop_values[i];
			}
		}
		drmModeFreeProperty(prop);
	}
	drmModeFreeObjectProperties(props);
	for (int n = 0; n < count; n++)
		igt_assert_f(ids[n], "KMS object %u has no property %s\n", object, names[n]);
}

static void set_value(uint64_t *values, uint64_t *changed, int prop, uint64_t value)
{
	values[prop] = value;
	*changed |= 1ull << prop;
}

static void init_planes(igt_crtc_t *crtc, drmModePlaneRes *res)
{
	int fd = crtc->display->drm_fd;

	crtc->planes = calloc(res->count_planes, sizeof(*crtc->planes));
	igt_assert(crtc->planes);
	for (uint32_t i = 0; i < res->count_planes; i++) {
		drmModePlane *drm_plane = drmModeGetPlane(fd, res->planes[i]);
		igt_plane_t *plane;

		igt_assert(drm_plane);
		if (!(drm_plane->possible_crtcs & (1u << crtc->crtc_index))) {
			drmModeFreePlane(drm_plane);
			continue;
		}
		plane = &crtc->planes[crtc->n_planes];
		plane->crtc = crtc;
		plane->index = crtc->n_planes++;
		plane->drm_plane = drm_plane;
		find_props(fd, drm_plane->plane_id, DRM_MODE_OBJECT_PLANE, plane_prop_names,
			   IGT_NUM_PLANE_PROPS, plane->props, plane->values);
		plane->type = plane->values[IGT_PLANE_TYPE];
	}
}

static void init_output(igt_display_t *display, igt_output_t *output, uint32_t connector_id)
{
	int fd = display->drm_fd;
	drmModeConnector *c = drmModeGetConnector(fd, connector_id);
	const char *type;
	int i;

	igt_assert_f(c, "cannot read connector %u: %m\n", connector_id);
	output->display = display;
	output->id = connector_id;
	type = drmModeGetConnectorTypeName(c->connector_type);
	igt_assert(asprintf(&output->name, "%s-%u", type ? type : "Unknown",
			    c->connector_type_id) > 0);
	output->connected = c->connection == DRM_MODE_CONNECTED && c->count_modes > 0;
	/* The preferred mode, or the first. */
	for (i = 0; i < c->count_modes; i++) {
		if (c->modes[i].type & DRM_MODE_TYPE_PREFERRED)
			break;
	}
	if (c->count_modes)
		output->mode = c->modes[i < c->count_modes ? i : 0];
	for (i = 0; i < c->count_encoders; i++) {
		drmModeEncoder *e = drmModeGetEncoder(fd, c->encoders[i]);

		if (e)
			output->possible_crtcs |= e->possible_crtcs;
		drmModeFreeEncoder(e);
	}
	drmModeFreeConnector(c);
	find_props(fd, connector_id, DRM_MODE_OBJECT_CONNECTOR, connector_prop_names,
		   IGT_NUM_CONNECTOR_PROPS, output->props, output->values);
}

static void replace_mode_blob(igt_crtc_t *crtc, const drmModeModeInfo *mode)
{
	int fd = crtc->display->drm_fd;
	uint32_t blob = 0;

	if (crtc->values[IGT_CRTC_MODE_ID])
		drmModeDestroyPropertyBlob(fd, crtc->values[IGT_CRTC_MODE_ID]);
	if (mode)
		igt_assert_eq(drmModeCreatePropertyBlob(fd, mode, sizeof(*mode), &blob), 0);
	set_value(crtc->values, &crtc->changed, IGT_CRTC_MODE_ID, blob);
}

void igt_display_require(igt_display_t *display, int drm_fd)
{
	drmModePlaneRes *planes;
	drmModeRes *res;

	memset(display, 0, sizeof(*display));
	display->drm_fd = drm_fd;
	drmSetClientCap(drm_fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	display->is_atomic = !drmSetClientCap(drm_fd, DRM_CLIENT_CAP_ATOMIC, 1);
	igt_require_f(display->is_atomic,
		      "the standalone core drives atomic modesetting only\n");
	res = drmModeGetResources(drm_fd);
	igt_require_f(res, "the device has no KMS resources\n");
	planes = drmModeGetPlaneResources(drm_fd);
	igt_assert(planes);

	display->n_crtcs = res->count_crtcs;
	display->crtcs = calloc(res->count_crtcs, sizeof(*display->crtcs));
	igt_assert(display->crtcs);
	for (int i = 0; i < res->count_crtcs; i++) {
		igt_crtc_t *crtc = &display->crtcs[i];

		crtc->display = display;
		crtc->crtc_id = res->crtcs[i];
		crtc->crtc_index = i;
		find_props(drm_fd, crtc->crtc_id, DRM_MODE_OBJECT_CRTC, crtc_prop_names,
			   IGT_NUM_CRTC_PROPS, crtc->props, crtc->values);
		init_planes(crtc, planes);
	}

	display->n_outputs = res->count_connectors;
	display->outputs = calloc(res->count_connectors, sizeof(*display->outputs));
	igt_assert(display->outputs);
	for (int i = 0; i < res->count_connectors; i++)
		init_output(display, &display->outputs[i], res->connectors[i]);
	drmModeFreePlaneResources(planes);
	drmModeFreeResources(res);

	/*
	 * As IGT: a state with every output off and every plane empty, which
	 * the first commit sends whole. The blob of the current mode is the
	 * kernel's, not ours to destroy.
	 */
	for (int i = 0; i < display->n_crtcs; i++) {
		igt_crtc_t *crtc = &display->crtcs[i];

		crtc->values[IGT_CRTC_MODE_ID] = 0;
		replace_mode_blob(crtc, NULL);
		set_value(crtc->values, &crtc->changed, IGT_CRTC_ACTIVE, 0);
		for (int p = 0; p < crtc->n_planes; p++) {
			igt_plane_t *plane = &crtc->planes[p];

			igt_plane_set_fb(plane, NULL);
			set_value(plane->values, &plane->changed, IGT_PLANE_CRTC_X, 0);
			set_value(plane->values, &plane->changed, IGT_PLANE_CRTC_Y, 0);
		}
	}
	for (int i = 0; i < display->n_outputs; i++)
		igt_output_set_crtc(&display->outputs[i], NULL);
	display->first_commit = true;
}

void igt_display_fini(igt_display_t *display)
{
	for (int i = 0; i < display->n_crtcs; i++) {
		igt_crtc_t *crtc = &display->crtcs[i];

		if (crtc->values[IGT_CRTC_MODE_ID])
			drmModeDestroyPropertyBlob(display->drm_fd,
						   crtc->values[IGT_CRTC_MODE_ID]);
		for (int p = 0; p < crtc->n_planes; p++)
			drmModeFreePlane(crtc->planes[p].drm_plane);
		free(crtc->planes);
	}
	for (int i = 0; i < display->n_outputs; i++)
		free(display->outputs[i].name);
	free(display->crtcs);
	free(display->outputs);
	memset(display, 0, sizeof(*display));
}

static void add_changed(drmModeAtomicReq *req, uint32_t object, uint64_t changed,
			const uint32_t *props, const uint64_t *values, int count)
{
	for (int n = 0; n < count; n++)
		if (changed & (1ull << n))
			igt_assert(drmModeAtomicAddProperty(req, object, props[n], values[n]) >= 0);
}

int igt_display_try_commit_atomic(igt_display_t *display, uint32_t flags, void *user_data)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	int ret;

	igt_assert(display->n_crtcs && display->n_outputs);
	igt_assert(req);
	for (int i = 0; i < display->n_crtcs; i++) {
		igt_crtc_t *crtc = &display->crtcs[i];

		add_changed(req, crtc->crtc_id, crtc->changed, crtc->props, crtc->values,
			    IGT_NUM_CRTC_PROPS);
		for (int p = 0; p < crtc->n_planes; p++) {
			igt_plane_t *plane = &crtc->planes[p];

			add_changed(req, plane->drm_plane->plane_id, plane->changed,
				    plane->props, plane->values, IGT_NUM_PLANE_PROPS);
		}
	}
	for (int i = 0; i < display->n_outputs; i++) {
		igt_output_t *output = &display->outputs[i];

		add_changed(req, output->id, output->changed, output->props, output->values,
			    IGT_NUM_CONNECTOR_PROPS);
	}
	ret = drmModeAtomicCommit(display->drm_fd, req, flags, user_data);
	if (ret)
		ret = -errno;
	drmModeAtomicFree(req);
	if (ret || (flags & DRM_MODE_ATOMIC_TEST_ONLY))
		return ret;

	igt_fail_on_f(display->first_commit &&
		      (flags & (DRM_MODE_PAGE_FLIP_EVENT | DRM_MODE_ATOMIC_NONBLOCK)),
		      "First commit has to drop all stale events\n");
	display->first_commit = false;
	for (int i = 0; i < display->n_crtcs; i++) {
		display->crtcs[i].changed = 0;
		for (int p = 0; p < display->crtcs[i].n_planes; p++)
			display->crtcs[i].planes[p].changed = 0;
	}
	for (int i = 0; i < display->n_outputs; i++)
		display->outputs[i].changed = 0;
	return 0;
}

igt_crtc_t *igt_first_crtc_with_single_output(igt_display_t *display, igt_output_t **ret_output)
{
	for (int i = 0; i < display->n_crtcs; i++) {
		for (int o = 0; o < display->n_outputs; o++) {
			igt_output_t *output = &display->outputs[o];

			if (output->connected && (output->possible_crtcs & (1u << i))) {
				*ret_output = output;
				return &display->crtcs[i];
			}
		}
	}
	igt_skip("No valid CRTC/output combinations\n");
}

const char *igt_crtc_name(igt_crtc_t *crtc)
{
	static const char * const names[] = { "A", "B", "C", "D", "E", "F", "G", "H" };

	if (!crtc)
		return "None";
	return crtc->crtc_index < 8 ? names[crtc->crtc_index] : "?";
}

igt_plane_t *igt_crtc_get_plane_type(igt_crtc_t *crtc, int plane_type)
{
	for (int p = 0; p < crtc->n_planes; p++)
		if (crtc->planes[p].type == plane_type)
			return &crtc->planes[p];
	igt_assert_f(false, "CRTC %s has no plane of type %d\n", igt_crtc_name(crtc), plane_type);
	return NULL;
}

const char *igt_output_name(const igt_output_t *output)
{
	return output->name;
}

drmModeModeInfo *igt_output_get_mode(igt_output_t *output)
{
	return &output->mode;
}

void igt_output_set_crtc(igt_output_t *output, igt_crtc_t *crtc)
{
	igt_crtc_t *old = output->pending_crtc;

	output->pending_crtc = crtc;
	if (old && old != crtc) {
		replace_mode_blob(old, NULL);
		set_value(old->values, &old->changed, IGT_CRTC_ACTIVE, 0);
	}
	set_value(output->values, &output->changed, IGT_CONNECTOR_CRTC_ID,
		  crtc ? crtc->crtc_id : 0);
	if (crtc) {
		replace_mode_blob(crtc, &output->mode);
		set_value(crtc->values, &crtc->changed, IGT_CRTC_ACTIVE, 1);
	}
}

void igt_plane_set_fb(igt_plane_t *plane, struct igt_fb *fb)
{
	uint64_t w = fb ? fb->width : 0, h = fb ? fb->height : 0;

	set_value(plane->values, &plane->changed, IGT_PLANE_CRTC_ID,
		  fb ? plane->crtc->crtc_id : 0);
	set_value(plane->values, &plane->changed, IGT_PLANE_FB_ID, fb ? fb->fb_id : 0);
	/* The whole framebuffer at the plane's position, as IGT's default. */
	set_value(plane->values, &plane->changed, IGT_PLANE_CRTC_W, w);
	set_value(plane->values, &plane->changed, IGT_PLANE_CRTC_H, h);
	set_value(plane->values, &plane->changed, IGT_PLANE_SRC_X, 0);
	set_value(plane->values, &plane->changed, IGT_PLANE_SRC_Y, 0);
	set_value(plane->values, &plane->changed, IGT_PLANE_SRC_W, w << 16);
	set_value(plane->values, &plane->changed, IGT_PLANE_SRC_H, h << 16);
}

uint64_t igt_plane_get_prop(igt_plane_t *plane, enum igt_atomic_plane_properties prop)
{
	int fd = plane->crtc->display->drm_fd;
	drmModeObjectPropertiesPtr props;
	uint64_t value = 0;
	bool found = false;

	props = drmModeObjectGetProperties(fd, plane->drm_plane->plane_id, DRM_MODE_OBJECT_PLANE);
	igt_assert(props);
	for (uint32_t i = 0; i < props->count_props; i++) {
		if (props->props[i] == plane->props[prop]) {
			value = props->prop_values[i];
			found = true;
		}
	}
	drmModeFreeObjectProperties(props);
	igt_assert_f(found, "plane %u has no property %s\n", plane->drm_plane->plane_id,
		     plane_prop_names[prop]);
	return value;
}
