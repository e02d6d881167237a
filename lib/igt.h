/* SPDX-License-Identifier: MIT */
/* Umbrella header, as in IGT: the parts of IGT's igt.h that we provide. */
#ifndef IGT_H
#define IGT_H

#include "drmtest.h"
#include "igt_aux.h"
#include "igt_core.h"
#include "igt_fb.h"
#include "igt_kms.h"
#include "igt_stats.h"
#include "igt_sysfs.h"
#include "ioctl_wrappers.h"

#endif /* IGT_H */
