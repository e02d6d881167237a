// SPDX-License-Identifier: MIT
/*
 * Kernel modules, with IGT's names and, for igt_kmod_unload(), IGT's
 * behaviour: the modules that hold it go first, then its removal is tried
 * again while the kernel says it is busy.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt_core.h"
#include "igt_kmod.h"

/*
 * Where modules are looked up, and how one is removed: the host unit test
 * (lib/tests/igt_kmod_unload.c) builds this file with fakes of both.
 */
#ifndef IGT_KMOD_SYSFS
#define IGT_KMOD_SYSFS "/sys/module"
#define igt_kmod_delete(name, flags) syscall(SYS_delete_module, (name), (flags))
#endif

/* As IGT: 20 tries half a second apart, so a busy module gets about 10 s. */
#define UNLOAD_TRIES 20
#define UNLOAD_RETRY_US 500000
/* A module still initialising gets 10 s to finish before it is removed. */
#define LOADING_WAIT_MS 10000
#define LOADING_POLL_MS 100

enum module_state { MODULE_ABSENT, MODULE_BUILTIN, MODULE_COMING, MODULE_LOADED };

/* sysfs spells module names with '_', whichever the caller used. */
static void module_name(char *buf, size_t size, const char *mod_name)
{
	snprintf(buf, size, "%s", mod_name);
	for (char *c = buf; *c; c++)
		if (*c == '-')
			*c = '_';
}

/* A built-in module has a sysfs directory but no initstate. */
static enum module_state module_state(const char *name)
{
	char path[PATH_MAX], state[16] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/initstate", IGT_KMOD_SYSFS, name);
	f = fopen(path, "re");
	if (!f) {
		snprintf(path, sizeof(path), "%s/%s", IGT_KMOD_SYSFS, name);
		return access(path, F_OK) == 0 ? MODULE_BUILTIN : MODULE_ABSENT;
	}
	if (!fgets(state, sizeof(state), f))
		state[0] = '\0';
	fclose(f);
	return strncmp(state, "coming", 6) == 0 ? MODULE_COMING : MODULE_LOADED;
}

bool igt_kmod_is_loaded(const char *mod_name)
{
	char name[NAME_MAX];
	enum module_state state;

	module_name(name, sizeof(name), mod_name);
	state = module_state(name);
	return state == MODULE_COMING || state == MODULE_LOADED;
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

static void wait_until_initialised(const char *name)
{
	for (int ms = 0; ms < LOADING_WAIT_MS && module_state(name) == MODULE_COMING;
	     ms += LOADING_POLL_MS) {
		if (ms == 0)
			igt_debug("%s still initializing\n", name);
		usleep(LOADING_POLL_MS * 1000);
	}
}

/* The kernel refuses a module in use with EAGAIN (EBUSY while it dies). */
static int remove_module(const char *name)
{
	int tries, err;

	for (tries = 1; ; tries++) {
		err = igt_kmod_delete(name, O_NONBLOCK) ? -errno : 0;
		if ((err != -EAGAIN && err != -EBUSY) || tries == UNLOAD_TRIES)
			break;
		igt_debug("%s busy (%d) on try %d of %d\n", name, err, tries, UNLOAD_TRIES);
		usleep(UNLOAD_RETRY_US);
	}
	if (err)
		igt_debug("could not unload %s: %s, after %d tries\n", name, strerror(-err), tries);
	else if (tries > 1)
		igt_debug("%s unloaded on try %d\n", name, tries);
	return err;
}

static int unload(const char *name);

/* The modules that use @name's symbols, which must go before it. */
static int unload_holders(const char *name)
{
	char path[PATH_MAX];
	struct dirent *d;
	int err = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/%s/holders", IGT_KMOD_SYSFS, name);
	dir = opendir(path);
	if (!dir)
		return 0;
	while (!err && (d = readdir(dir)))
		if (d->d_name[0] != '.')
			err = unload(d->d_name);
	closedir(dir);
	return err;
}

static int unload(const char *name)
{
	int err;

	if (module_state(name) == MODULE_BUILTIN)
		return 0;
	err = unload_holders(name);
	if (err)
		return err;
	wait_until_initialised(name);
	return remove_module(name);
}

/**
 * igt_kmod_unload - unload @mod_name as IGT does
 * Unloads the modules that hold @mod_name first, then @mod_name, trying
 * again for about 10 s while the kernel reports it busy. A built-in module
 * counts as unloaded.
 * Returns 0, or -errno from delete_module(2): -EAGAIN (or -EBUSY) when it
 * stayed in use, -ENOENT when it is not loaded.
 */
int igt_kmod_unload(const char *mod_name)
{
	char name[NAME_MAX];

	module_name(name, sizeof(name), mod_name);
	return unload(name);
}
