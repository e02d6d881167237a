// SPDX-License-Identifier: MIT
/*
 * Copyright © 2026 The dma-buf revoke test authors
 */

/**
 * TEST: mesa revoke
 * Description: A real client: Mesa's GBM imports a buffer of the revoking
 *		exporter on the vgem device, maps it and reads its pixels
 *		(revoke_gbm_client, built against the root's Mesa); revokes
 *		give the client SIGBUS or an import error, never stale data
 *		or a hang, and after a restore its pixels are right again.
 *		Outside the IGT set: it needs GBM and the Mesa client, which
 *		IGT does not build; the test bed runs it.
 * Category: Core
 * Mega feature: General Core features
 * Sub-category: DMA-BUF
 * Functionality: dma-buf revoke
 * Feature: prime
 * Test category: functionality test
 *
 * SUBTEST: import-read
 * Description: GBM imports the exporter's buffer through vgem as a
 *		revocable attachment, and the client reads the pixels the
 *		exporter wrote.
 *
 * SUBTEST: revoke-while-mapped
 * Description: The exporter revokes the buffer while a client holds the
 *		import and a mapping: the revoke finishes in bounded time and
 *		the client's next read gets SIGBUS, and a second client's
 *		import fails. After the restore the first client's mapping
 *		and the second client's new import read the pixels written
 *		since.
 *
 * SUBTEST: killed-while-revoked
 * Description: A client killed while the buffer is revoked leaves no
 *		attachment behind, and the buffer restores.
 */

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt.h"
#include "revoke_exporter_helpers.h"
#include "revoke_vgem_helpers.h"

IGT_TEST_DESCRIPTION("Revokes dma-bufs imported by a Mesa (GBM) client.");

#define CLIENT "revoke_gbm_client"
/* Where the client lives, relative to this binary (meson and the test bed). */
#define CLIENT_DIR "tools/"
#define WIDTH 256
#define HEIGHT 64
#define SIZE (WIDTH * HEIGHT * 4)
#define SEED_BEFORE 0x5eed0001u
#define SEED_AFTER 0x5eed0002u

static int dev = -1;
static char client_path[PATH_MAX];

/* One revoke_gbm_client process and its command pipes. */
struct client {
	struct igt_helper_process proc;
	FILE *cmd, *reply;
	char line[256];
};

/* The client in tools/ beside this binary, where meson and the test bed put it. */
static bool find_client(void)
{
	ssize_t len = readlink("/proc/self/exe", client_path, sizeof(client_path) - 1);
	char *slash;

	if (len < 0)
		return false;
	client_path[len] = '\0';
	slash = strrchr(client_path, '/');
	if (!slash || slash + 1 + strlen(CLIENT_DIR CLIENT) >= client_path + sizeof(client_path))
		return false;
	strcpy(slash + 1, CLIENT_DIR CLIENT);
	return access(client_path, X_OK) == 0;
}

/* Reads the client's next reply line; an empty string when it is gone. */
static const char *client_reply(struct client *c)
{
	if (!fgets(c->line, sizeof(c->line), c->reply))
		c->line[0] = '\0';
	c->line[strcspn(c->line, "\n")] = '\0';
	return c->line;
}

static const char *client_do(struct client *c, const char *cmd)
{
	const char *reply;

	fprintf(c->cmd, "%s\n", cmd);
	fflush(c->cmd);
	reply = client_reply(c);
	igt_debug("client: %s -> %s\n", cmd, reply);
	return reply;
}

static void client_expect(struct client *c, const char *cmd, const char *want)
{
	const char *reply = client_do(c, cmd);

	igt_assert_f(strncmp(reply, want, strlen(want)) == 0,
		     "client answered \"%s\" to \"%s\", not \"%s\"\n", reply, cmd, want);
}

/*
 * Starts the client on @dmabuf. It answers "ready ..." or "skip REASON";
 * one that cannot start at all (no libgbm1 in the root) says nothing.
 */
static void client_start(struct client *c, int dmabuf)
{
	int to_client[2], from_client[2];
	const char *first;
	int status;

	igt_require_f(find_client(), "%s is not installed in %s beside this test\n", CLIENT, CLIENT_DIR);
	igt_assert(pipe2(to_client, O_CLOEXEC) == 0);
	igt_assert(pipe2(from_client, O_CLOEXEC) == 0);
	c->proc = (struct igt_helper_process){ .use_SIGKILL = true };
	igt_fork_helper(&c->proc) {
		char fd[16], width[16], height[16];

		snprintf(fd, sizeof(fd), "%d", dmabuf);
		snprintf(width, sizeof(width), "%d", WIDTH);
		snprintf(height, sizeof(height), "%d", HEIGHT);
		/*
		 * The client compiles no shaders, and the guest has no
		 * writable home for Mesa's shader cache.
		 */
		setenv("MESA_SHADER_CACHE_DISABLE", "true", 1);
		if (dup2(to_client[0], STDIN_FILENO) < 0 ||
		    dup2(from_client[1], STDOUT_FILENO) < 0 ||
		    fcntl(dmabuf, F_SETFD, 0) < 0)
			exit(126);
		execl(client_path, CLIENT, fd, width, height, (char *)NULL);
		exit(127);
	}
	close(to_client[0]);
	close(from_client[1]);
	c->cmd = fdopen(to_client[1], "w");
	c->reply = fdopen(from_client[0], "r");
	igt_assert(c->cmd && c->reply);

	first = client_reply(c);
	if (strncmp(first, "ready ", 6) == 0) {
		igt_info("Mesa client: GBM backend and driver libraries: %s\n", first + 6);
		return;
	}
	fclose(c->cmd);
	fclose(c->reply);
	status = igt_wait_helper(&c->proc);
	igt_require_f(strncmp(first, "skip ", 5) != 0, "%s\n", first + 5);
	igt_require_f(!(WIFEXITED(status) && WEXITSTATUS(status) == 127),
		      "%s cannot start: is Mesa (libgbm1, libgl1-mesa-dri) installed?\n", CLIENT);
	igt_assert_f(false, "%s failed to start (status %#x)\n", CLIENT, status);
}

static void client_stop(struct client *c)
{
	int status;

	fprintf(c->cmd, "quit\n");
	fclose(c->cmd);
	fclose(c->reply);
	status = igt_wait_helper(&c->proc);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "%s ended with status %#x\n", CLIENT, status);
}

/* Writes the pattern of @seed through the exporter's own mapping. */
static void write_pattern(int dmabuf, uint32_t seed)
{
	uint32_t *map = revoke_exporter_mmap(dmabuf, SIZE);

	revoke_fill(map, SIZE, seed);
	munmap(map, SIZE);
}

/* A buffer holding the SEED_BEFORE pattern. */
static int create_buffer(void)
{
	int dmabuf = revoke_exporter_create(dev, SIZE, REVOKE_EXPORTER_MMAP);

	write_pattern(dmabuf, SEED_BEFORE);
	return dmabuf;
}

static void test_import_read(void)
{
	struct revoke_exporter_query q;
	struct client c;
	char cmd[32];
	int dmabuf = create_buffer();

	client_start(&c, dmabuf);
	client_expect(&c, "import", "ok");
	revoke_exporter_query(dev, dmabuf, &q);
	igt_assert_eq(q.attachments, 1);
	client_expect(&c, "map", "ok");
	snprintf(cmd, sizeof(cmd), "check %u", SEED_BEFORE);
	client_expect(&c, cmd, "ok");
	client_expect(&c, "destroy", "ok");
	client_stop(&c);
	revoke_exporter_release(dev, dmabuf);
}

static void test_revoke_while_mapped(void)
{
	struct revoke_exporter_revoke rev;
	struct client holder, late;
	char cmd[32];
	const char *reply;
	int dmabuf = create_buffer();

	client_start(&holder, dmabuf);
	client_start(&late, dmabuf);
	client_expect(&holder, "import", "ok");
	client_expect(&holder, "map", "ok");
	snprintf(cmd, sizeof(cmd), "check %u", SEED_BEFORE);
	client_expect(&holder, cmd, "ok");

	/* Finishes within its timeout although the client holds a mapping. */
	revoke_exporter_revoke(dev, dmabuf, &rev);
	igt_assert_eq(rev.revocable, 1);
	igt_assert_eq(rev.mappings_after, 0);
	igt_info("revoke with the Mesa client's import mapped: callbacks %.3f ms, unmap wait %.3f ms\n",
		 rev.invalidate_ns / 1e6, rev.unmap_wait_ns / 1e6);
	client_expect(&holder, cmd, "sigbus");

	/* Another client cannot import the revoked buffer. */
	reply = client_do(&late, "import");
	igt_assert_f(strncmp(reply, "error", 5) == 0,
		     "GBM imported a revoked buffer: \"%s\"\n", reply);
	igt_info("GBM import of the revoked buffer: %s\n", reply);

	/* After the restore both read what was written since. */
	revoke_exporter_restore(dev, dmabuf);
	write_pattern(dmabuf, SEED_AFTER);
	snprintf(cmd, sizeof(cmd), "check %u", SEED_AFTER);
	client_expect(&holder, cmd, "ok");
	client_expect(&late, "import", "ok");
	client_expect(&late, "map", "ok");
	client_expect(&late, cmd, "ok");

	client_stop(&late);
	client_stop(&holder);
	revoke_exporter_release(dev, dmabuf);
}

static void test_killed_while_revoked(void)
{
	struct revoke_exporter_query q;
	struct revoke_exporter_revoke rev;
	struct client c;
	char cmd[32];
	int dmabuf = create_buffer();

	client_start(&c, dmabuf);
	client_expect(&c, "import", "ok");
	client_expect(&c, "map", "ok");
	revoke_exporter_revoke(dev, dmabuf, &rev);
	/* igt_stop_helper() fails unless SIGKILL ended it. */
	igt_stop_helper(&c.proc);
	fclose(c.cmd);
	fclose(c.reply);
	/* Its files and mappings went with it, and the attachment with them. */
	revoke_exporter_query(dev, dmabuf, &q);
	igt_assert_eq(q.attachments, 0);
	igt_assert_eq(q.mappings, 0);

	revoke_exporter_restore(dev, dmabuf);
	write_pattern(dmabuf, SEED_AFTER);
	client_start(&c, dmabuf);
	client_expect(&c, "import", "ok");
	client_expect(&c, "map", "ok");
	snprintf(cmd, sizeof(cmd), "check %u", SEED_AFTER);
	client_expect(&c, cmd, "ok");
	client_stop(&c);
	revoke_exporter_release(dev, dmabuf);
}

int igt_main()
{
	igt_fixture() {
		dev = revoke_exporter_open_with_vgem();
		/* A client that dies must not take the test with it. */
		signal(SIGPIPE, SIG_IGN);
	}

	igt_describe("Mesa's GBM imports the buffer through vgem and reads its pixels.");
	igt_subtest("import-read")
		test_import_read();

	igt_describe("A revoke gives the Mesa client SIGBUS and import errors; after restore it reads again.");
	igt_subtest("revoke-while-mapped")
		test_revoke_while_mapped();

	igt_describe("A Mesa client killed while the buffer is revoked leaves nothing behind.");
	igt_subtest("killed-while-revoked")
		test_killed_while_revoked();

	igt_fixture()
		close(dev);
}
