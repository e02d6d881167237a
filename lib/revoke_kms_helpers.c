// SPDX-License-Identifier: MIT
#include <string.h>

#include <drm_fourcc.h>
#include <xf86drm.h>

#include "igt.h"
#include "revoke_kms_helpers.h"

static uint32_t prop_id(int fd, uint32_t object, uint32_t type, const char *name)
{
	drmModeObjectPropertiesPtr props;
	uint32_t id = 0;

	props = drmModeObjectGetProperties(fd, object, type);
	igt_assert(props);
	for (uint32_t i = 0; i < props->count_props && !id; i++) {
		drmModePropertyPtr prop = drmModeGetProperty(fd, props->props[i]);

		if (prop && !strcmp(prop->name, name))
			id = prop->prop_id;
		drmModeFreeProperty(prop);
	}
	drmModeFreeObjectProperties(props);
	igt_assert_f(id, "object %u has no property %s\n", object, name);
	return id;
}

uint64_t revoke_kms_prop_value(int fd, uint32_t object, uint32_t type, const char *name)
{
	drmModeObjectPropertiesPtr props;
	uint32_t id = prop_id(fd, object, type, name);
	uint64_t value = 0;

	props = drmModeObjectGetProperties(fd, object, type);
	igt_assert(props);
	for (uint32_t i = 0; i < props->count_props; i++)
		if (props->props[i] == id)
			value = props->prop_values[i];
	drmModeFreeObjectProperties(props);
	return value;
}

/* The first connected connector, a CRTC for it and that CRTC's primary plane. */
void revoke_kms_init(struct revoke_kms *k, int driver)
{
	drmModeConnectorPtr connector = NULL;
	drmModePlaneResPtr planes;
	drmModeResPtr res;
	int crtc_index = -1;

	k->fd = drm_open_driver(driver);
	igt_require_f(!drmSetClientCap(k->fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) &&
		      !drmSetClientCap(k->fd, DRM_CLIENT_CAP_ATOMIC, 1),
		      "the driver offers no atomic modesetting\n");
	igt_require_f(!drmSetMaster(k->fd), "cannot become DRM master: %m\n");

	res = drmModeGetResources(k->fd);
	igt_assert(res);
	for (int i = 0; i < res->count_connectors && !connector; i++) {
		connector = drmModeGetConnector(k->fd, res->connectors[i]);
		if (connector && (connector->connection != DRM_MODE_CONNECTED ||
				  !connector->count_modes)) {
			drmModeFreeConnector(connector);
			connector = NULL;
		}
	}
	igt_require_f(connector, "the driver has no connected output\n");
	k->connector = connector->connector_id;
	k->mode = connector->modes[0];

	for (int i = 0; i < connector->count_encoders && crtc_index < 0; i++) {
		drmModeEncoderPtr encoder = drmModeGetEncoder(k->fd, connector->encoders[i]);

		for (int c = 0; encoder && c < res->count_crtcs; c++) {
			if (encoder->possible_crtcs & (1u << c)) {
				crtc_index = c;
				break;
			}
		}
		drmModeFreeEncoder(encoder);
	}
	igt_assert_f(crtc_index >= 0, "no CRTC drives connector %u\n", k->connector);
	k->crtc = res->crtcs[crtc_index];
	drmModeFreeConnector(connector);
	drmModeFreeResources(res);

	planes = drmModeGetPlaneResources(k->fd);
	igt_assert(planes);
	for (uint32_t i = 0; i < planes->count_planes && !k->plane; i++) {
		drmModePlanePtr plane = drmModeGetPlane(k->fd, planes->planes[i]);

		if (plane && (plane->possible_crtcs & (1u << crtc_index)) &&
		    revoke_kms_prop_value(k->fd, plane->plane_id, DRM_MODE_OBJECT_PLANE, "type") ==
		    DRM_PLANE_TYPE_PRIMARY)
			k->plane = plane->plane_id;
		drmModeFreePlane(plane);
	}
	drmModeFreePlaneResources(planes);
	igt_assert_f(k->plane, "CRTC %u has no primary plane\n", k->crtc);

	igt_assert_eq(drmModeCreatePropertyBlob(k->fd, &k->mode, sizeof(k->mode),
						&k->mode_blob), 0);

	k->prop.connector_crtc = prop_id(k->fd, k->connector, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID");
	k->prop.crtc_mode = prop_id(k->fd, k->crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID");
	k->prop.crtc_active = prop_id(k->fd, k->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE");
	k->prop.fb = prop_id(k->fd, k->plane, DRM_MODE_OBJECT_PLANE, "FB_ID");
	k->prop.crtc = prop_id(k->fd, k->plane, DRM_MODE_OBJECT_PLANE, "CRTC_ID");
	k->prop.src_x = prop_id(k->fd, k->plane, DRM_MODE_OBJECT_PLANE, "SRC_X");
	k->prop.src_y = prop_id(k->fd, k->plane, DRM_MODE_OBJECT_PLANE, "SRC_Y");
	k->prop.src_w = prop_id(k->fd, k->plane, DRM_MODE_OBJECT_PLANE, "SRC_W");
	k->prop.src_h = prop_id(k->fd, k->plane, DRM_MODE_OBJECT_PLANE, "SRC_H");
	k->prop.crtc_x = prop_id(k->fd, k->plane, DRM_MODE_OBJECT_PLANE, "CRTC_X");
	k->prop.crtc_y = prop_id(k->fd, k->plane, DRM_MODE_OBJECT_PLANE, "CRTC_Y");
	k->prop.crtc_w = prop_id(k->fd, k->plane, DRM_MODE_OBJECT_PLANE, "CRTC_W");
	k->prop.crtc_h = prop_id(k->fd, k->plane, DRM_MODE_OBJECT_PLANE, "CRTC_H");

	igt_info("scanout: connector %u, CRTC %u, plane %u, %ux%u\n", k->connector,
		 k->crtc, k->plane, k->mode.hdisplay, k->mode.vdisplay);
}

int revoke_kms_commit(struct revoke_kms *k, uint32_t fb, uint32_t flags)
{
	uint32_t w = k->mode.hdisplay, h = k->mode.vdisplay;
	drmModeAtomicReqPtr req = drmModeAtomicAlloc();
	int ret;

	igt_assert(req);
	drmModeAtomicAddProperty(req, k->connector, k->prop.connector_crtc, fb ? k->crtc : 0);
	drmModeAtomicAddProperty(req, k->crtc, k->prop.crtc_mode, fb ? k->mode_blob : 0);
	drmModeAtomicAddProperty(req, k->crtc, k->prop.crtc_active, !!fb);
	drmModeAtomicAddProperty(req, k->plane, k->prop.fb, fb);
	drmModeAtomicAddProperty(req, k->plane, k->prop.crtc, fb ? k->crtc : 0);
	drmModeAtomicAddProperty(req, k->plane, k->prop.src_x, 0);
	drmModeAtomicAddProperty(req, k->plane, k->prop.src_y, 0);
	drmModeAtomicAddProperty(req, k->plane, k->prop.src_w, fb ? (uint64_t)w << 16 : 0);
	drmModeAtomicAddProperty(req, k->plane, k->prop.src_h, fb ? (uint64_t)h << 16 : 0);
	drmModeAtomicAddProperty(req, k->plane, k->prop.crtc_x, 0);
	drmModeAtomicAddProperty(req, k->plane, k->prop.crtc_y, 0);
	drmModeAtomicAddProperty(req, k->plane, k->prop.crtc_w, fb ? w : 0);
	drmModeAtomicAddProperty(req, k->plane, k->prop.crtc_h, fb ? h : 0);

	ret = drmModeAtomicCommit(k->fd, req, flags | DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
	if (ret)
		ret = -errno;
	drmModeAtomicFree(req);
	return ret;
}

void revoke_kms_off(struct revoke_kms *k)
{
	igt_assert_eq(revoke_kms_commit(k, 0, 0), 0);
}

uint64_t revoke_kms_fb_size(const struct revoke_kms *k)
{
	uint64_t size = (uint64_t)k->mode.hdisplay * k->mode.vdisplay * 4;

	return (size + 4095) & ~4095ull;
}

uint32_t revoke_kms_add_fb(struct revoke_kms *k, uint32_t handle)
{
	uint32_t handles[4] = { handle }, pitches[4] = { k->mode.hdisplay * 4 }, offsets[4] = {};
	uint32_t fb;

	igt_assert_f(!drmModeAddFB2(k->fd, k->mode.hdisplay, k->mode.vdisplay,
				    DRM_FORMAT_XRGB8888, handles, pitches, offsets, &fb, 0),
		     "ADDFB2 on GEM handle %u failed: %m\n", handle);
	return fb;
}
