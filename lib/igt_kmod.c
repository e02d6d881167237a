// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt_core.h"
#include "igt_kmod.h"

bool igt_kmod_is_loaded(const char *mod_name)
{
	char path[256];

	/* Module names use '_' in sysfs, whichever spelling the caller used. */
	snprintf(path, sizeof(path), "/sys/module/%s/initstate", mod_name);
	for (char *c = path + strlen("/sys/module/"); *c; c++)
		if (*c == '-')
			*c = '_';
	return access(path, F_OK) == 0;
}

/**
 * igt_kmod_load - load @mod_name and its dependencies with modprobe
 * Returns 0 when the module is loaded afterwards, else -errno (-ENOENT when
 * modprobe could not load it).
 */
int igt_kmod_load(const char *mod_name, const char *opts)
{
	char cmd[512];
	int status;

	if (igt_kmod_is_loaded(mod_name))
		return 0;
	snprintf(cmd, sizeof(cmd), "modprobe -q %s %s", mod_name, opts ?: "");
	status = system(cmd);
	if (status == -1)
		return -errno;
	if (!igt_kmod_is_loaded(mod_name)) {
		igt_debug("%s: exit status %d\n", cmd, WEXITSTATUS(status));
		return -ENOENT;
	}
	return 0;
}

/**
 * igt_kmod_unload - unload @mod_name without waiting for its users
 * Returns 0, or -errno from delete_module(2): -EBUSY while it is in use,
 * -ENOENT when it is not loaded.
 */
int igt_kmod_unload(const char *mod_name)
{
	char name[64];

	snprintf(name, sizeof(name), "%s", mod_name);
	for (char *c = name; *c; c++)
		if (*c == '-')
			*c = '_';
	if (syscall(SYS_delete_module, name, O_NONBLOCK))
		return -errno;
	return 0;
}
