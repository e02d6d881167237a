/* SPDX-License-Identifier: MIT */
/*
 * The part of IGT's igt_fb.h the tests use: struct igt_fb and
 * igt_init_fb(), for framebuffers the tests add on GEM handles they own
 * (imports), with IGT's names and fields.
 */
#ifndef IGT_FB_H
#define IGT_FB_H

#include <stdbool.h>
#include <stdint.h>

enum igt_color_encoding {
	IGT_COLOR_YCBCR_BT601,
	IGT_COLOR_YCBCR_BT709,
	IGT_COLOR_YCBCR_BT2020,
	IGT_NUM_COLOR_ENCODINGS,
};

enum igt_color_range {
	IGT_COLOR_YCBCR_LIMITED_RANGE,
	IGT_COLOR_YCBCR_FULL_RANGE,
	IGT_NUM_COLOR_RANGES,
};

typedef struct igt_fb {
	uint32_t fb_id;
	int fd;
	uint32_t gem_handle;
	bool is_dumb;
	uint32_t drm_format;
	int width;
	int height;
	enum igt_color_encoding color_encoding;
	enum igt_color_range color_range;
	uint64_t modifier;
	uint64_t size;
	unsigned int num_planes;
	uint32_t strides[4];
	uint32_t offsets[4];
	unsigned int plane_bpp[4];
	unsigned int plane_width[4];
	unsigned int plane_height[4];
} igt_fb_t;

/* Single-plane RGB formats of 32 bits per pixel only: what the tests scan out. */
void igt_init_fb(struct igt_fb *fb, int fd, int width, int height,
		 uint32_t drm_format, uint64_t modifier,
		 enum igt_color_encoding color_encoding,
		 enum igt_color_range color_range);

#endif /* IGT_FB_H */
