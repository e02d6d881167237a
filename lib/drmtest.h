/* SPDX-License-Identifier: MIT */
/* Opening DRM devices by driver, with IGT's names and flags. */
#ifndef DRMTEST_H
#define DRMTEST_H

#include "igt_core.h"

#define ARRAY_SIZE(arr) (sizeof(arr) / sizeof(arr[0]))

#define DRIVER_VGEM (1 << 2)
#define DRIVER_VIRTIO (1 << 10)

int __drm_open_driver(int chipset);
int __drm_open_driver_render(int chipset);
int drm_open_driver(int chipset);
int drm_open_driver_master(int chipset);
int drm_open_driver_render(int chipset);
int drm_close_driver(int fd);

#endif /* DRMTEST_H */
