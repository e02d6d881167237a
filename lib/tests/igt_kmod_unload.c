// SPDX-License-Identifier: MIT
/*
 * Host unit test of igt_kmod_unload(): it must do what IGT's does, on a
 * fake sysfs tree and a fake delete_module(2) that answers from a script,
 * so that a test passes the same way here and against IGT's library.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char fake_sysfs[64];
static long fake_delete_module(const char *name, unsigned int flags);

#define IGT_KMOD_SYSFS fake_sysfs
#define igt_kmod_delete(name, flags) fake_delete_module((name), (flags))
#include "../igt_kmod.c"

/* What delete_module() answers, call after call: an errno or 0 (removed). */
struct script {
	const char *module;
	int answers[UNLOAD_TRIES + 1];
	int count;
	int calls;
};

static struct script scripts[4];
static char call_log[256];
static unsigned int bad_flags;
static int failures;

static void sysfs_path(char *buf, size_t size, const char *module, const char *file)
{
	snprintf(buf, size, "%s/%s%s%s", fake_sysfs, module, file ? "/" : "", file ?: "");
}

static void write_file(const char *module, const char *file, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	sysfs_path(path, sizeof(path), module, file);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void add_module(const char *module, const char *initstate)
{
	char path[PATH_MAX];

	sysfs_path(path, sizeof(path), module, NULL);
	mkdir(path, 0755);
	sysfs_path(path, sizeof(path), module, "holders");
	mkdir(path, 0755);
	if (initstate)
		write_file(module, "initstate", initstate);
}

static void add_holder(const char *module, const char *holder)
{
	char path[PATH_MAX];

	/* sysfs has a link to the holder's directory; only its name counts. */
	sysfs_path(path, sizeof(path), module, "holders");
	strcat(path, "/");
	strcat(path, holder);
	if (symlink("../..", path))
		perror(path);
}

static void remove_module_dir(const char *module)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/%s'", fake_sysfs, module);
	if (system(cmd))
		exit(1);
}

static void script(const char *module, int count, const int *answers)
{
	for (int i = 0; i < 4; i++)
		if (!scripts[i].module) {
			scripts[i] = (struct script){ .module = module, .count = count };
			memcpy(scripts[i].answers, answers, count * sizeof(*answers));
			return;
		}
}

/* Past the end of its script a module answers as the last line says. */
static long fake_delete_module(const char *name, unsigned int flags)
{
	int answer = ENOENT;

	if (flags != O_NONBLOCK)
		bad_flags = flags;
	snprintf(call_log + strlen(call_log), sizeof(call_log) - strlen(call_log), "%s ", name);
	for (int i = 0; i < 4; i++) {
		struct script *s = &scripts[i];

		if (s->module && !strcmp(s->module, name)) {
			answer = s->answers[s->calls < s->count ? s->calls : s->count - 1];
			s->calls++;
		}
	}
	if (answer) {
		errno = answer;
		return -1;
	}
	remove_module_dir(name);
	return 0;
}

static void reset(void)
{
	snprintf(fake_sysfs, sizeof(fake_sysfs), "/tmp/igt_kmod_unload.XXXXXX");
	if (!mkdtemp(fake_sysfs)) {
		perror("mkdtemp");
		exit(1);
	}
	memset(scripts, 0, sizeof(scripts));
	call_log[0] = '\0';
	bad_flags = 0;
}

static void cleanup(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fake_sysfs);
	if (system(cmd))
		exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

#define check(cond, what...) do { \
	if (!(cond)) { \
		failures++; \
		printf("not ok: %s:%d: %s: ", __func__, __LINE__, #cond); \
		printf(what); \
		printf("\n"); \
	} \
} while (0)

static void test_not_loaded(void)
{
	int err;

	reset();
	err = igt_kmod_unload("vgem");
	check(err == -ENOENT, "%d", err);
	check(!strcmp(call_log, "vgem "), "calls: %s", call_log);
	cleanup();
}

static void test_builtin(void)
{
	int err;

	reset();
	add_module("vgem", NULL);
	err = igt_kmod_unload("vgem");
	check(err == 0, "%d", err);
	check(!call_log[0], "calls: %s", call_log);
	cleanup();
}

static void test_idle(void)
{
	int err;

	reset();
	add_module("revoke_exporter", "live\n");
	script("revoke_exporter", 1, (int[]){ 0 });
	err = igt_kmod_unload("revoke-exporter");
	check(err == 0, "%d", err);
	check(!strcmp(call_log, "revoke_exporter "), "calls: %s", call_log);
	check(!bad_flags, "flags %#x, not O_NONBLOCK", bad_flags);
	check(!igt_kmod_is_loaded("revoke_exporter"), "still loaded");
	cleanup();
}

/* A user goes away during the retries: the unload then succeeds. */
static void test_busy_then_idle(void)
{
	double start;
	int err;

	reset();
	add_module("vgem", "live\n");
	script("vgem", 4, (int[]){ EAGAIN, EAGAIN, EBUSY, 0 });
	start = now();
	err = igt_kmod_unload("vgem");
	check(err == 0, "%d", err);
	check(scripts[0].calls == 4, "%d calls", scripts[0].calls);
	check(now() - start >= 1.45 && now() - start < 2.5, "%.2f s", now() - start);
	cleanup();
}

/* 20 tries, 19 pauses of 0.5 s between them, then the kernel's answer. */
static void test_stays_busy(void)
{
	double start, took;
	int err;

	reset();
	add_module("vgem", "live\n");
	script("vgem", 1, (int[]){ EAGAIN });
	start = now();
	err = igt_kmod_unload("vgem");
	took = now() - start;
	check(err == -EAGAIN, "%d", err);
	check(scripts[0].calls == UNLOAD_TRIES, "%d calls", scripts[0].calls);
	check(took >= 9.45 && took < 11, "%.2f s", took);
	check(igt_kmod_is_loaded("vgem"), "gone");
	cleanup();
}

static void test_other_errors_not_retried(void)
{
	int err;

	reset();
	add_module("vgem", "live\n");
	script("vgem", 1, (int[]){ EPERM });
	err = igt_kmod_unload("vgem");
	check(err == -EPERM, "%d", err);
	check(scripts[0].calls == 1, "%d calls", scripts[0].calls);
	cleanup();
}

static void test_holders_first(void)
{
	int err;

	reset();
	add_module("drm", "live\n");
	add_module("vgem", "live\n");
	add_holder("drm", "vgem");
	script("vgem", 1, (int[]){ 0 });
	script("drm", 1, (int[]){ 0 });
	err = igt_kmod_unload("drm");
	check(err == 0, "%d", err);
	check(!strcmp(call_log, "vgem drm "), "calls: %s", call_log);
	cleanup();
}

static void test_holder_fails(void)
{
	int err;

	reset();
	add_module("drm", "live\n");
	add_module("vgem", "live\n");
	add_holder("drm", "vgem");
	script("vgem", 1, (int[]){ EPERM });
	err = igt_kmod_unload("drm");
	check(err == -EPERM, "%d", err);
	check(!strcmp(call_log, "vgem "), "calls: %s", call_log);
	cleanup();
}

static void *finish_init(void *arg)
{
	usleep(300000);
	write_file("vgem", "initstate", "live\n");
	return NULL;
}

/* A module still in its init is left to finish it before the first try. */
static void test_waits_for_init(void)
{
	pthread_t thread;
	double start;
	int err;

	reset();
	add_module("vgem", "coming\n");
	script("vgem", 1, (int[]){ 0 });
	start = now();
	pthread_create(&thread, NULL, finish_init, NULL);
	err = igt_kmod_unload("vgem");
	pthread_join(thread, NULL);
	check(err == 0, "%d", err);
	check(now() - start >= 0.3, "%.2f s", now() - start);
	cleanup();
}

int main(void)
{
	test_not_loaded();
	test_builtin();
	test_idle();
	test_busy_then_idle();
	test_stays_busy();
	test_other_errors_not_retried();
	test_holders_first();
	test_holder_fails();
	test_waits_for_init();
	printf("%s\n", failures ? "FAIL" : "PASS");
	return failures ? 1 : 0;
}
