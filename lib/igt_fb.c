// SPDX-License-Identifier: MIT
#include <string.h>

#include <drm_fourcc.h>

#include "igt_core.h"
#include "igt_fb.h"

static bool is_rgb32(uint32_t format)
{
	switch (format) {
	case DRM_FORMAT_XRGB8888:
	case DRM_FORMAT_ARGB8888:
	case DRM_FORMAT_XBGR8888:
	case DRM_FORMAT_ABGR8888:
		return true;
	default:
		return false;
	}
}

void igt_init_fb(struct igt_fb *fb, int fd, int width, int height,
		 uint32_t drm_format, uint64_t modifier,
		 enum igt_color_encoding color_encoding,
		 enum igt_color_range color_range)
{
	igt_assert_f(is_rgb32(drm_format),
		     "DRM format %08x is not one the standalone core knows\n", drm_format);

	memset(fb, 0, sizeof(*fb));
	fb->fd = fd;
	fb->width = width;
	fb->height = height;
	fb->drm_format = drm_format;
	fb->modifier = modifier;
	fb->color_encoding = color_encoding;
	fb->color_range = color_range;
	fb->num_planes = 1;
	fb->plane_bpp[0] = 32;
	fb->plane_width[0] = width;
	fb->plane_height[0] = height;
}
