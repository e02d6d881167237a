/* SPDX-License-Identifier: MIT */
/* Loading and unloading kernel modules, with IGT's names. */
#ifndef IGT_KMOD_H
#define IGT_KMOD_H

#include <stdbool.h>

bool igt_kmod_is_loaded(const char *mod_name);
int igt_kmod_load(const char *mod_name, const char *opts);
int igt_kmod_unload(const char *mod_name);

#endif /* IGT_KMOD_H */
