// SPDX-License-Identifier: MIT
/*
 * IGT-compatible test core: our own implementation of the subset of IGT's
 * core that our tests use, speaking igt_runner's protocol.
 *
 * State machine in one place: a test runs its igt_main body once. Listing
 * mode prints subtest names and runs nothing else. Run mode executes the
 * fixtures and the selected subtests; a skip or failure longjmps back to
 * the block that started them. A failed or skipped fixture makes every
 * later subtest of its group skip (or fail) without running.
 *
 * Only the test's own thread (the one that runs main(), or a forked
 * child's) longjmps: a failure in another thread ends that thread and
 * fails the subtest when the test's thread ends it.
 */
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt_core.h"

#define MAX_CHILDREN 1024
#define MAX_HELPERS 4
#define MAX_EXIT_HANDLERS 10
#define DEBUG_RING_SIZE 64

jmp_buf igt_subtest_jmpbuf;
jmp_buf igt_dynamic_jmpbuf;
static int num_test_children;

enum skip_mode { RUN_NORMALLY, SKIP_HENCEFORTH, FAIL_HENCEFORTH };
enum result { RESULT_SUCCESS, RESULT_SKIP, RESULT_FAIL };
static const char *const result_names[] = { "SUCCESS", "SKIP", "FAIL" };

/* Process ids: the children there were when a (dynamic) subtest began. */
struct pid_set {
	pid_t *pids;
	int count;
};

/* Set in the thread that runs main(), and so in a forked child's. */
static __thread bool in_test_thread;
static pthread_t test_thread;
static atomic_bool thread_failed;

/* Threads log too: one line at a time, and the debug ring stays whole. */
static pthread_mutex_t log_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

__attribute__((constructor)) static void mark_test_thread(void)
{
	in_test_thread = true;
	test_thread = pthread_self();
}

static struct {
	const char *name;		/* basename of argv[0] */
	bool list_subtests;
	bool describe;
	const char *describe_pattern;
	const char *run_pattern;	/* --run-subtest */
	const char *dynamic_pattern;	/* --dynamic-subtest */
	bool debug;
	bool sentinel_on_stderr;

	bool has_subtests;
	bool matched_one, succeeded_one, skipped_one, failed_one;
	int exitcode;

	bool in_fixture;
	const char *subtest;		/* running subtest, or NULL */
	char subtest_buf[256];
	struct timespec subtest_start;
	bool dynamic_container;
	bool dynamic_ran, dynamic_failed;
	const char *dynamic;		/* running dynamic subtest, or NULL */
	char dynamic_buf[256];
	struct timespec dynamic_start;
	enum skip_mode skip_mode;

	char *description;		/* from igt_describe(), for the next subtest */
	const char *timeout_op;

	bool is_child;			/* forked by igt_fork() or igt_fork_helper() */
	pid_t children[MAX_CHILDREN];	/* igt_fork()'s; 0 once reaped */
	pid_t helpers[MAX_HELPERS];	/* igt_fork_helper()'s; 0 when free */
	struct pid_set subtest_children, dynamic_children;

	igt_exit_handler_t exit_handlers[MAX_EXIT_HANDLERS];
	int num_exit_handlers;
	bool in_exit_handlers;

	char *debug_ring[DEBUG_RING_SIZE];
	unsigned int debug_ring_next;
} igt;

/* Logging */

static const char *const level_names[] = { "DEBUG", "INFO", "WARNING", "CRITICAL" };

static void ring_push(const char *line)
{
	unsigned int slot = igt.debug_ring_next++ % DEBUG_RING_SIZE;
	char *old = igt.debug_ring[slot];

	igt.debug_ring[slot] = strdup(line);
	free(old);
}

/* On failure, show the recent debug messages that --debug would have shown. */
static void ring_dump(void)
{
	unsigned int i, start = 0;

	if (igt.debug || igt.debug_ring_next == 0)
		return;
	pthread_mutex_lock(&log_lock);
	if (igt.debug_ring_next > DEBUG_RING_SIZE)
		start = igt.debug_ring_next - DEBUG_RING_SIZE;
	fprintf(stderr, "**** DEBUG ****\n");
	for (i = start; i < igt.debug_ring_next; i++)
		fputs(igt.debug_ring[i % DEBUG_RING_SIZE] ?: "", stderr);
	fprintf(stderr, "****  END  ****\n");
	pthread_mutex_unlock(&log_lock);
}

/* Lines from other threads than the test's say which thread, as in IGT. */
static void thread_tag(char *buf, size_t size)
{
	if (in_test_thread)
		buf[0] = '\0';
	else
		snprintf(buf, size, "[thread:%d] ", gettid());
}

void igt_log(const char *domain, enum igt_log_level level, const char *format, ...)
{
	char line[4096], tag[32];
	int prefix, text;
	va_list ap;

	if (level >= IGT_LOG_NONE)
		return;
	thread_tag(tag, sizeof(tag));
	prefix = snprintf(line, sizeof(line), "(%s:%d) ", igt.name ?: "igt", getpid());
	text = prefix + snprintf(line + prefix, sizeof(line) - prefix, "%s%s%s%s: ",
				 tag, domain ?: "", domain ? "-" : "", level_names[level]);
	va_start(ap, format);
	vsnprintf(line + text, sizeof(line) - text, format, ap);
	va_end(ap);

	pthread_mutex_lock(&log_lock);
	if (level == IGT_LOG_DEBUG) {
		ring_push(line);
		if (igt.debug) {
			fputs(line, stdout);
			fflush(stdout);
		}
	} else if (level == IGT_LOG_INFO) {
		/* Info lines are plain, as IGT prints them. */
		fputs(tag, stdout);
		fputs(line + text, stdout);
		fflush(stdout);
	} else {
		fflush(stdout);
		fputs(line, stderr);
	}
	pthread_mutex_unlock(&log_lock);
}

void igt_kmsg(const char *format, ...)
{
	char buf[1024];
	va_list ap;
	int fd, len;

	va_start(ap, format);
	len = vsnprintf(buf, sizeof(buf), format, ap);
	va_end(ap);

	/* Unprivileged runs (host unit tests) cannot write the kernel log. */
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, buf, len > (int)sizeof(buf) - 1 ? (int)sizeof(buf) - 1 : len) < 0)
		igt_debug("writing to /dev/kmsg failed: %m\n");
	close(fd);
}

void igt_emit_ignore_dmesg_regex(const char *ignore_dmesg_regex)
{
	igt_kmsg(KMSG_INFO "add ignored dmesg regex: %s\n", ignore_dmesg_regex);
}

/* Time */

int igt_gettime(struct timespec *ts)
{
	memset(ts, 0, sizeof(*ts));
	return clock_gettime(CLOCK_MONOTONIC, ts);
}

double igt_time_elapsed(struct timespec *then, struct timespec *now)
{
	return (now->tv_sec - then->tv_sec) + 1e-9 * (now->tv_nsec - then->tv_nsec);
}

uint64_t igt_nsec_elapsed(struct timespec *start)
{
	struct timespec now;

	igt_gettime(&now);
	/* As in IGT, a zeroed start is initialised by the first call. */
	if (start->tv_sec == 0 && start->tv_nsec == 0) {
		*start = now;
		return 0;
	}
	return (uint64_t)(now.tv_sec - start->tv_sec) * 1000000000ull +
	       (now.tv_nsec - start->tv_nsec);
}

static double seconds_since(struct timespec *start)
{
	struct timespec now;

	igt_gettime(&now);
	return igt_time_elapsed(start, &now);
}

/* Protocol output */

static void protocol_line(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void protocol_line(const char *format, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, format);
	vsnprintf(line, sizeof(line), format, ap);
	va_end(ap);

	fputs(line, stdout);
	fflush(stdout);
	/* igt_runner splits stderr by subtest with these sentinels. */
	if (igt.sentinel_on_stderr) {
		fputs(line, stderr);
		fflush(stderr);
	}
}

static bool valid_subtest_name(const char *name)
{
	const char *c;

	if (!*name)
		return false;
	for (c = name; *c; c++)
		if (!(*c == '-' || *c == '_' || (*c >= 'a' && *c <= 'z') ||
		      (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
			return false;
	return true;
}

/*
 * igt_runner passes comma-separated globs; as with IGT's uwildmat, a
 * pattern starting with '!' excludes, and the last pattern that matches
 * decides.
 */
static bool pattern_matches(const char *patterns, const char *name)
{
	char *copy = strdup(patterns), *save = NULL, *pat;
	bool result = false;

	for (pat = strtok_r(copy, ",", &save); pat; pat = strtok_r(NULL, ",", &save)) {
		bool negate = pat[0] == '!';

		if (fnmatch(negate ? pat + 1 : pat, name, 0) == 0)
			result = !negate;
	}
	free(copy);
	return result;
}

/* Internal errors: a misuse of the core, which IGT's assert()s catch too. */
static void __attribute__((noreturn, format(printf, 1, 2))) core_bug(const char *format, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "igt_core: ");
	va_start(ap, format);
	vfprintf(stderr, format, ap);
	va_end(ap);
	abort();
}

/* Children */

/* The parent of @pid, from /proc/PID/stat; 0 when it is gone. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *end;
	pid_t ppid = 0;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	/* "pid (comm) state ppid ...": comm may hold spaces and parentheses. */
	end = strrchr(buf, ')');
	if (!end || sscanf(end + 1, " %*c %d", &ppid) != 1)
		return 0;
	return ppid;
}

static void pid_set_add(struct pid_set *set, pid_t pid)
{
	pid_t *pids = realloc(set->pids, (set->count + 1) * sizeof(*pids));

	if (!pids)
		return;
	pids[set->count++] = pid;
	set->pids = pids;
}

static bool pid_set_has(const struct pid_set *set, pid_t pid)
{
	for (int i = 0; i < set->count; i++)
		if (set->pids[i] == pid)
			return true;
	return false;
}

static void pid_set_free(struct pid_set *set)
{
	free(set->pids);
	*set = (struct pid_set){};
}

/*
 * Our children however they were forked (igt_fork(), igt_fork_helper(),
 * fork(), system()...), running or exited and not yet waited for.
 */
static struct pid_set children_now(void)
{
	struct pid_set set = {};
	pid_t self = getpid();
	struct dirent *d;
	int err = errno;
	DIR *proc;

	proc = opendir("/proc");
	if (!proc)
		goto out;
	while ((d = readdir(proc))) {
		pid_t pid = atoi(d->d_name);

		if (pid > 0 && parent_of(pid) == self)
			pid_set_add(&set, pid);
	}
	closedir(proc);
out:
	/* A failed assertion prints errno: it must still be the test's. */
	errno = err;
	return set;
}

static void kill_and_reap_children(int sig)
{
	int i;

	for (i = 0; i < num_test_children; i++)
		if (igt.children[i] > 0)
			kill(igt.children[i], sig);
	for (i = 0; i < num_test_children; i++)
		if (igt.children[i] > 0)
			waitpid(igt.children[i], NULL, 0);
	num_test_children = 0;
}

static void forget_helper(pid_t pid)
{
	for (int i = 0; i < MAX_HELPERS; i++)
		if (igt.helpers[i] == pid)
			igt.helpers[i] = 0;
}

/*
 * Kills and reaps every child forked since @before was taken and still
 * there, however it was forked, and returns how many there were. The
 * children of igt_fork() all go, as in IGT, but those from before do not
 * count: a subtest owns its dynamic subtests' leftovers, not the reverse.
 */
static int reap_children_since(const struct pid_set *before)
{
	struct pid_set now;
	int i, left = 0;

	for (i = 0; i < num_test_children; i++)
		if (igt.children[i] > 0 && !pid_set_has(before, igt.children[i])) {
			igt_critical("child %d (pid %d) was not waited for\n", i, igt.children[i]);
			left++;
		}
	kill_and_reap_children(SIGKILL);

	now = children_now();
	for (i = 0; i < now.count; i++) {
		pid_t pid = now.pids[i];

		if (pid_set_has(before, pid))
			continue;
		igt_critical("child process %d was left behind\n", pid);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		forget_helper(pid);
		left++;
	}
	pid_set_free(&now);
	return left;
}

void igt_kill_children(int signal)
{
	int i;

	for (i = 0; i < num_test_children; i++)
		if (igt.children[i] > 0)
			kill(igt.children[i], signal);
}

/*
 * A forked child starts with no children, helpers or exit handlers of its
 * own; the thread that forked it is its test thread.
 */
static void enter_child(void)
{
	igt.is_child = true;
	in_test_thread = true;
	num_test_children = 0;
	memset(igt.helpers, 0, sizeof(igt.helpers));
	igt.num_exit_handlers = 0;
	/* Another thread may have held it across fork(). */
	log_lock = (pthread_mutex_t)PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
	test_thread = pthread_self();
	atomic_store(&thread_failed, false);
}

bool __igt_fork(void)
{
	pid_t pid;

	igt_assert_f(num_test_children < MAX_CHILDREN, "too many children\n");
	fflush(NULL);
	pid = fork();
	igt_assert_f(pid >= 0, "fork failed: %m\n");
	if (pid == 0) {
		enter_child();
		return true;
	}
	igt.children[num_test_children++] = pid;
	return false;
}

/* The code a failed child hands on: its exit status, or 128 + signal. */
static int child_failure(int i, int status)
{
	pid_t pid = igt.children[i];

	if (WIFSIGNALED(status)) {
		igt_critical("child %d (pid %d) died with signal %d (%s)\n", i, pid,
			     WTERMSIG(status), strsignal(WTERMSIG(status)));
		return 128 + WTERMSIG(status);
	}
	if (WEXITSTATUS(status) == IGT_EXIT_SKIP) {
		igt_critical("child %d (pid %d) skipped: children must not skip\n", i, pid);
		return IGT_EXIT_FAILURE;
	}
	igt_critical("child %d (pid %d) failed, exit status %d\n", i, pid, WEXITSTATUS(status));
	return WEXITSTATUS(status);
}

static int child_index(pid_t pid)
{
	for (int i = 0; i < num_test_children; i++)
		if (igt.children[i] == pid)
			return i;
	return -1;
}

/*
 * As IGT, waits for any child in the order they end and kills the others
 * at the first failure, which would often leave them waiting forever.
 */
int __igt_waitchildren(void)
{
	int left = 0, err = 0;

	for (int i = 0; i < num_test_children; i++)
		left += igt.children[i] > 0;
	while (left) {
		int status, i;
		pid_t pid;

		pid = wait(&status);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			igt_critical("waiting for %d children: %m\n", left);
			err = err ?: IGT_EXIT_FAILURE;
			break;
		}
		i = child_index(pid);
		if (i < 0)
			continue;
		left--;
		if (status && !err)
			err = child_failure(i, status);
		igt.children[i] = 0;
		if (err)
			igt_kill_children(SIGKILL);
	}
	num_test_children = 0;
	return err;
}

void igt_waitchildren(void)
{
	int err = __igt_waitchildren();

	if (err)
		igt_fail(err);
}

static void waitchildren_alarm(int sig)
{
	igt_info("Timed out waiting for children\n");
	igt_kill_children(SIGKILL);
}

/* Children that do not end in time are killed, and their exit fails the subtest. */
void igt_waitchildren_timeout(int seconds, const char *reason)
{
	struct sigaction sa = { .sa_handler = waitchildren_alarm };
	int err;

	sigaction(SIGALRM, &sa, NULL);
	alarm(seconds);
	err = __igt_waitchildren();
	igt_reset_timeout();
	if (err) {
		igt_debug("children of %s: exit code %d\n", reason ?: "(no reason given)", err);
		igt_fail(err);
	}
}

/* Helpers */

/* A helper the core already stopped: a subtest left it behind. */
static bool helper_gone(const struct igt_helper_process *proc)
{
	return igt.helpers[proc->id] != proc->pid;
}

static void stop_helpers_at_exit(int sig)
{
	for (int i = 0; i < MAX_HELPERS; i++) {
		if (!igt.helpers[i])
			continue;
		kill(igt.helpers[i], SIGTERM);
		while (waitpid(igt.helpers[i], NULL, 0) < 0 && errno == EINTR)
			;
		igt.helpers[i] = 0;
	}
}

bool __igt_fork_helper(struct igt_helper_process *proc)
{
	pid_t pid;
	int id;

	if (proc->running)
		core_bug("igt_fork_helper() on a running helper\n");
	for (id = 0; id < MAX_HELPERS && igt.helpers[id]; id++)
		;
	if (id == MAX_HELPERS)
		core_bug("more than %d helper processes\n", MAX_HELPERS);
	igt_install_exit_handler(stop_helpers_at_exit);

	fflush(NULL);
	pid = fork();
	igt_assert_f(pid >= 0, "fork failed: %m\n");
	if (pid == 0) {
		enter_child();
		return true;
	}
	igt.helpers[id] = pid;
	proc->running = true;
	proc->pid = pid;
	proc->id = id;
	return false;
}

/* Waits for a helper to end by itself; returns its wait status. */
int igt_wait_helper(struct igt_helper_process *proc)
{
	int status = -1;

	if (!proc->running)
		core_bug("igt_wait_helper() on a helper that is not running\n");
	if (!helper_gone(proc)) {
		while (waitpid(proc->pid, &status, 0) < 0 && errno == EINTR)
			;
		igt.helpers[proc->id] = 0;
	}
	proc->running = false;
	return status;
}

/* Kills a running helper; one that ended before is a bug of the test, as in IGT. */
void igt_stop_helper(struct igt_helper_process *proc)
{
	int sig = proc->use_SIGKILL ? SIGKILL : SIGTERM;
	int status;

	if (!proc->running)
		return;
	if (helper_gone(proc)) {
		proc->running = false;
		return;
	}
	kill(proc->pid, sig);
	status = igt_wait_helper(proc);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != sig)
		core_bug("helper %d ended before it was stopped (wait status %#x)\n",
			 proc->pid, status);
}

/* Exit handlers: each runs once, at exit() or on a fatal signal. */

static void call_exit_handlers(int sig)
{
	int n = igt.num_exit_handlers;

	/* Once: a handler that dies of a signal must not run them all again. */
	igt.num_exit_handlers = 0;
	igt.in_exit_handlers = true;
	while (n--)
		igt.exit_handlers[n](sig);
}

static void restore_signal_handlers(void);

static void run_exit_handlers_at_exit(void)
{
	/* A crash in a handler then kills the process, as in IGT. */
	restore_signal_handlers();
	call_exit_handlers(0);
}

void igt_install_exit_handler(igt_exit_handler_t fn)
{
	static bool registered;
	int i;

	for (i = 0; i < igt.num_exit_handlers; i++)
		if (igt.exit_handlers[i] == fn)
			return;
	igt_assert(igt.num_exit_handlers < MAX_EXIT_HANDLERS);
	igt.exit_handlers[igt.num_exit_handlers++] = fn;
	if (!registered) {
		registered = true;
		igt_assert(atexit(run_exit_handlers_at_exit) == 0);
	}
}

/* Subtest bookkeeping */

static void note_failure(int exitcode)
{
	/* The exit code is the first failure's, as in IGT. */
	if (!igt.failed_one)
		igt.exitcode = exitcode;
	igt.failed_one = true;
}

/* Counts a subtest's result and prints it; the caller jumps or returns. */
static void report_subtest(enum result result, int exitcode)
{
	if (result == RESULT_SUCCESS)
		igt.succeeded_one = true;
	else if (result == RESULT_SKIP)
		igt.skipped_one = true;
	else
		note_failure(exitcode);
	protocol_line("Subtest %s: %s (%.3fs)\n", igt.subtest, result_names[result],
		      seconds_since(&igt.subtest_start));
	igt_kmsg(KMSG_INFO "%s: finished subtest %s, %s\n", igt.name, igt.subtest,
		 result_names[result]);
	igt.subtest = NULL;
	igt.dynamic_container = false;
}

/*
 * A child left behind fails the (dynamic) subtest that forked it, unless
 * that already failed: it could have hidden a failure, and it would
 * disturb the next subtest.
 */
static enum result check_children(struct pid_set *before, enum result result)
{
	int left = reap_children_since(before);

	pid_set_free(before);
	if (!left || result == RESULT_FAIL)
		return result;
	igt_critical("%s %s left %d child process(es) running: killed\n",
		     igt.dynamic ? "Dynamic subtest" : "Subtest", igt.dynamic ?: igt.subtest, left);
	return RESULT_FAIL;
}

static void __attribute__((noreturn)) end_dynamic(enum result result)
{
	result = check_children(&igt.dynamic_children, result);
	if (result == RESULT_FAIL)
		igt.dynamic_failed = true;
	protocol_line("Dynamic subtest %s: %s (%.3fs)\n", igt.dynamic, result_names[result],
		      seconds_since(&igt.dynamic_start));
	igt_kmsg(KMSG_INFO "%s: finished dynamic subtest %s, %s\n", igt.name, igt.dynamic,
		 result_names[result]);
	igt.dynamic = NULL;
	siglongjmp(igt_dynamic_jmpbuf, 1);
}

static void __attribute__((noreturn)) end_subtest(enum result result, int exitcode)
{
	if (check_children(&igt.subtest_children, result) != result) {
		result = RESULT_FAIL;
		exitcode = IGT_EXIT_FAILURE;
	}
	report_subtest(result, exitcode);
	siglongjmp(igt_subtest_jmpbuf, 1);
}

/* A skip or failure in a fixture decides for the subtests after it. */
static void __attribute__((noreturn)) end_fixture(enum skip_mode mode)
{
	igt.in_fixture = false;
	if (igt.skip_mode == RUN_NORMALLY || mode == FAIL_HENCEFORTH)
		igt.skip_mode = mode;
	kill_and_reap_children(SIGKILL);
	siglongjmp(igt_subtest_jmpbuf, 1);
}

/*
 * Children still there when the test exits are a failure, as IGT's
 * igt_exit() asserts (it aborts; we say which and exit 98).
 */
static void __attribute__((noreturn)) exit_test(int code)
{
	struct pid_set none = {};
	int left = reap_children_since(&none);

	if (left) {
		igt_critical("%d child process(es) left at exit: killed\n", left);
		if (code == IGT_EXIT_SUCCESS || code == IGT_EXIT_SKIP)
			code = IGT_EXIT_FAILURE;
	}
	igt_kmsg(KMSG_INFO "%s: exiting, ret=%d\n", igt.name, code);
	fflush(stdout);
	fflush(stderr);
	exit(code);
}

/* A thread that is not the test's ends here; the test's fails the subtest. */
static void __attribute__((noreturn)) fail_thread(void)
{
	atomic_store(&thread_failed, true);
	pthread_exit(NULL);
}

/*
 * Ends the running (dynamic) subtest with its result and jumps back to the
 * loop that started it, which then stops: the block runs exactly once.
 */
void igt_success(void)
{
	if (!in_test_thread)
		return;
	if (atomic_exchange(&thread_failed, false)) {
		igt_critical("Failure in a thread!\n");
		igt_fail(IGT_EXIT_FAILURE);
	}
	if (igt.dynamic)
		end_dynamic(RESULT_SUCCESS);
	if (!igt.subtest)
		return;
	if (igt.dynamic_container && igt.dynamic_failed)
		end_subtest(RESULT_FAIL, IGT_EXIT_FAILURE);
	if (igt.dynamic_container && !igt.dynamic_ran)
		end_subtest(RESULT_SKIP, 0);
	end_subtest(RESULT_SUCCESS, 0);
}

void igt_fail(int exitcode)
{
	if (!in_test_thread)
		fail_thread();
	/* An exit handler that fails cannot undo the exit, nor jump back. */
	if (igt.in_exit_handlers)
		_exit(IGT_EXIT_FAILURE);
	if (igt.is_child)
		exit(exitcode);

	ring_dump();
	if (igt.dynamic)
		end_dynamic(RESULT_FAIL);
	if (igt.subtest)
		end_subtest(RESULT_FAIL, exitcode);
	/* As in IGT, a failed fixture fails the run and the subtests after it. */
	note_failure(exitcode);
	if (igt.in_fixture)
		end_fixture(FAIL_HENCEFORTH);
	exit_test(exitcode);
}

static void vskip(const char *format, va_list ap)
{
	if (format) {
		char msg[1024];

		vsnprintf(msg, sizeof(msg), format, ap);
		igt_info("%s", msg);
	}

	if (!in_test_thread)
		fail_thread();
	if (igt.in_exit_handlers)
		_exit(IGT_EXIT_FAILURE);
	if (igt.is_child) {
		/* A child cannot decide the subtest's result; its parent fails. */
		exit(IGT_EXIT_SKIP);
	}
	if (igt.dynamic)
		end_dynamic(RESULT_SKIP);
	if (igt.subtest)
		end_subtest(RESULT_SKIP, 0);
	if (igt.in_fixture)
		end_fixture(SKIP_HENCEFORTH);
	/* A requirement of the whole binary: every subtest skips. */
	exit_test(IGT_EXIT_SKIP);
}

void igt_skip(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vskip(f, ap);
	va_end(ap);
	abort(); /* not reached */
}

void __igt_skip_check(const char *file, const int line, const char *func,
		      const char *check, const char *format, ...)
{
	va_list ap;
	int err = errno;

	/* Only the test's thread can skip, as in IGT. */
	if (!in_test_thread)
		core_bug("igt_require() in another thread than the test's (%s:%d)\n", file, line);
	igt_info("Test requirement not met in function %s, file %s:%i:\n", func, file, line);
	igt_info("Test requirement: %s\n", check);
	if (err)
		igt_debug("Last errno: %i, %s\n", err, strerror(err));
	va_start(ap, format);
	vskip(format, ap);
	va_end(ap);
	abort(); /* not reached */
}

void __igt_fail_assert(const char *domain, const char *file, const int line,
		       const char *func, const char *assertion,
		       const char *format, ...)
{
	int err = errno;

	igt_log(domain, IGT_LOG_CRITICAL, "Test assertion failure function %s, file %s:%i:\n",
		func, file, line);
	igt_log(domain, IGT_LOG_CRITICAL, "Failed assertion: %s\n", assertion);
	if (err)
		igt_log(domain, IGT_LOG_CRITICAL, "Last errno: %i, %s\n", err, strerror(err));
	if (format) {
		char msg[1024];
		va_list ap;

		va_start(ap, format);
		vsnprintf(msg, sizeof(msg), format, ap);
		va_end(ap);
		igt_log(domain, IGT_LOG_CRITICAL, "%s", msg);
	}
	if (igt.subtest && in_test_thread)
		igt_log(domain, IGT_LOG_CRITICAL, "%s %s failed.\n",
			igt.dynamic ? "Dynamic subtest" : "Subtest",
			igt.dynamic ?: igt.subtest);
	igt_fail(IGT_EXIT_FAILURE);
}

void __igt_abort(const char *domain, const char *file, const int line,
		 const char *func, const char *expression, const char *format, ...)
{
	va_list ap;

	igt_log(domain, IGT_LOG_CRITICAL, "Test abort in function %s, file %s:%i:\n",
		func, file, line);
	igt_log(domain, IGT_LOG_CRITICAL, "abort condition: %s\n", expression);
	if (format) {
		va_start(ap, format);
		vfprintf(stderr, format, ap);
		va_end(ap);
	}
	igt_kmsg(KMSG_ERR "%s: aborting\n", igt.name);
	igt_kill_children(SIGKILL);
	exit(IGT_EXIT_ABORT);
}

/* Timeouts: as in IGT, the alarm is a failure like any other. */

static void timeout_alarm(int sig)
{
	/* The signal may land in any thread; the test's thread must fail. */
	if (!in_test_thread) {
		pthread_kill(test_thread, sig);
		return;
	}
	igt_info("Timed out: %s\n", igt.timeout_op ?: "(no operation given)");
	igt_fail(IGT_EXIT_FAILURE);
}

void igt_set_timeout(unsigned int seconds, const char *op)
{
	struct sigaction sa = { .sa_handler = timeout_alarm };

	igt.timeout_op = op;
	if (seconds)
		sigaction(SIGALRM, &sa, NULL);
	alarm(seconds);
}

void igt_reset_timeout(void)
{
	igt_set_timeout(0, NULL);
}

/* Crashes inside a subtest are reported as CRASH, not left to the runner. */
static void fatal_signal(int sig)
{
	if (!igt.is_child) {
		kill_and_reap_children(SIGKILL);
		if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
		    sig == SIGABRT) {
			fprintf(stderr, "Received signal %s.\n", strsignal(sig));
			if (igt.dynamic)
				protocol_line("Dynamic subtest %s: CRASH (%.3fs)\n", igt.dynamic,
					      seconds_since(&igt.dynamic_start));
			if (igt.subtest)
				protocol_line("Subtest %s: CRASH (%.3fs)\n", igt.subtest,
					      seconds_since(&igt.subtest_start));
		}
	}
	restore_signal_handlers();
	call_exit_handlers(sig);
	raise(sig);
}

static const int fatal_signals[] = { SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGPIPE,
				     SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };

static void install_signal_handlers(void)
{
	struct sigaction sa = { .sa_handler = fatal_signal, .sa_flags = SA_NODEFER };
	size_t i;

	for (i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaction(fatal_signals[i], &sa, NULL);
}

static void restore_signal_handlers(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	size_t i;

	for (i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaction(fatal_signals[i], &sa, NULL);
}

/* Blocks */

bool igt_only_list_subtests(void)
{
	return igt.list_subtests || igt.describe;
}

const char *igt_test_name(void)
{
	return igt.name;
}

const char *igt_subtest_name(void)
{
	return igt.subtest;
}

void igt_describe_f(const char *fmt, ...)
{
	va_list ap;

	free(igt.description);
	igt.description = NULL;
	va_start(ap, fmt);
	if (vasprintf(&igt.description, fmt, ap) < 0)
		igt.description = NULL;
	va_end(ap);
}

bool __igt_fixture(void)
{
	if (igt_only_list_subtests() || igt.skip_mode != RUN_NORMALLY)
		return false;
	igt.in_fixture = true;
	return true;
}

void __igt_fixture_complete(void)
{
	igt.in_fixture = false;
}

/*
 * IGT's signatures: its groups also keep a pending igt_describe() across
 * the group; ours attach a description to the next subtest only, so there
 * is nothing to keep in desc.
 */
void __igt_subtest_group_save(int *save, int *desc)
{
	*save = igt.skip_mode;
	*desc = 0;
}

void __igt_subtest_group_restore(int save, int desc)
{
	(void)desc;
	igt.skip_mode = save;
}

static void print_description(const char *name, const char *file, int line)
{
	const char *d = igt.description;

	if (igt.describe_pattern && !pattern_matches(igt.describe_pattern, name))
		return;
	printf("SUB %s %s:%d:\n", name, file, line);
	if (!d) {
		printf("  NO DOCUMENTATION!\n\n");
		return;
	}
	/* Indent every line of the description by two spaces. */
	while (*d) {
		const char *nl = strchr(d, '\n');
		int len = nl ? (int)(nl - d) : (int)strlen(d);

		printf("  %.*s\n", len, d);
		d += len + (nl ? 1 : 0);
	}
	printf("\n");
}

bool __igt_run_subtest(const char *subtest_name, const char *file, const int line)
{
	bool run;

	igt.has_subtests = true;
	if (!valid_subtest_name(subtest_name)) {
		fprintf(stderr, "Invalid subtest name \"%s\" (%s:%d)\n", subtest_name, file, line);
		exit(IGT_EXIT_ABORT);
	}
	igt_assert_f(!igt.subtest, "subtest %s started inside subtest %s\n",
		     subtest_name, igt.subtest);

	if (igt.list_subtests) {
		printf("%s\n", subtest_name);
		run = false;
	} else if (igt.describe) {
		print_description(subtest_name, file, line);
		run = false;
	} else {
		run = !igt.run_pattern || pattern_matches(igt.run_pattern, subtest_name);
	}
	free(igt.description);
	igt.description = NULL;
	if (!run)
		return false;

	igt.matched_one = true;
	snprintf(igt.subtest_buf, sizeof(igt.subtest_buf), "%s", subtest_name);
	igt_kmsg(KMSG_INFO "%s: starting subtest %s\n", igt.name, subtest_name);
	protocol_line("Starting subtest: %s\n", subtest_name);
	igt.subtest = igt.subtest_buf;
	igt_gettime(&igt.subtest_start);

	if (igt.skip_mode == SKIP_HENCEFORTH) {
		report_subtest(RESULT_SKIP, 0);
		return false;
	}
	if (igt.skip_mode == FAIL_HENCEFORTH) {
		report_subtest(RESULT_FAIL, IGT_EXIT_FAILURE);
		return false;
	}
	/* What is running now (fixtures' helpers) is not this subtest's. */
	igt.subtest_children = children_now();
	atomic_store(&thread_failed, false);
	return true;
}

bool __igt_enter_dynamic_container(void)
{
	igt.dynamic_container = true;
	igt.dynamic_ran = false;
	igt.dynamic_failed = false;
	return true;
}

bool __igt_run_dynamic_subtest(const char *dynamic_subtest_name)
{
	igt_assert_f(igt.subtest && igt.dynamic_container,
		     "igt_dynamic(%s) outside igt_subtest_with_dynamic\n", dynamic_subtest_name);
	igt_assert_f(!igt.dynamic, "dynamic subtest %s inside dynamic subtest %s\n",
		     dynamic_subtest_name, igt.dynamic);
	if (!valid_subtest_name(dynamic_subtest_name)) {
		fprintf(stderr, "Invalid dynamic subtest name \"%s\"\n", dynamic_subtest_name);
		exit(IGT_EXIT_ABORT);
	}
	if (igt.dynamic_pattern && !pattern_matches(igt.dynamic_pattern, dynamic_subtest_name))
		return false;

	igt.dynamic_ran = true;
	snprintf(igt.dynamic_buf, sizeof(igt.dynamic_buf), "%s", dynamic_subtest_name);
	igt_kmsg(KMSG_INFO "%s: starting dynamic subtest %s\n", igt.name, dynamic_subtest_name);
	protocol_line("Starting dynamic subtest: %s\n", dynamic_subtest_name);
	igt.dynamic = igt.dynamic_buf;
	igt_gettime(&igt.dynamic_start);
	igt.dynamic_children = children_now();
	atomic_store(&thread_failed, false);
	return true;
}

/* Options and exit */

enum {
	OPT_LIST_SUBTESTS = 500,
	OPT_RUN_SUBTEST,
	OPT_DYNAMIC_SUBTEST,
	OPT_DESCRIBE,
	OPT_DEBUG,
	OPT_HELP,
};

static void print_usage(FILE *f, const char *help_str)
{
	fprintf(f, "Usage: %s [OPTIONS]\n"
		"  --list-subtests\n"
		"  --run-subtest <pattern>\n"
		"  --dynamic-subtest <pattern>\n"
		"  --describe[=pattern]\n"
		"  --debug\n"
		"  --help\n", igt.name);
	if (help_str)
		fprintf(f, "%s\n", help_str);
}

static void print_version(void)
{
	struct utsname u;

	uname(&u);
	printf("IGT-Version: 2.5-revoke-standalone (%s) (%s: %s %s)\n",
	       u.machine, u.sysname, u.release, u.machine);
	fflush(stdout);
}

int igt_subtest_init_parse_opts(int *argc, char **argv,
				const char *extra_short_opts,
				const struct option *extra_long_opts,
				const char *help_str,
				igt_opt_handler_t extra_opt_handler,
				void *handler_data)
{
	static const struct option core_opts[] = {
		{ "list-subtests", no_argument, NULL, OPT_LIST_SUBTESTS },
		{ "run-subtest", required_argument, NULL, OPT_RUN_SUBTEST },
		{ "dynamic-subtest", required_argument, NULL, OPT_DYNAMIC_SUBTEST },
		{ "describe", optional_argument, NULL, OPT_DESCRIBE },
		{ "debug", optional_argument, NULL, OPT_DEBUG },
		{ "help", no_argument, NULL, OPT_HELP },
	};
	size_t ncore = sizeof(core_opts) / sizeof(core_opts[0]), nextra = 0, i;
	struct option *opts;
	char short_opts[128];
	int c, idx;

	igt.name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	igt.sentinel_on_stderr = getenv("IGT_SENTINEL_ON_STDERR") != NULL;

	while (extra_long_opts && extra_long_opts[nextra].name)
		nextra++;
	opts = calloc(ncore + nextra + 1, sizeof(*opts));
	memcpy(opts, core_opts, sizeof(core_opts));
	for (i = 0; i < nextra; i++)
		opts[ncore + i] = extra_long_opts[i];
	snprintf(short_opts, sizeof(short_opts), "h%s", extra_short_opts ?: "");

	opterr = 0;
	while ((c = getopt_long(*argc, argv, short_opts, opts, &idx)) != -1) {
		switch (c) {
		case OPT_LIST_SUBTESTS:
			igt.list_subtests = true;
			break;
		case OPT_RUN_SUBTEST:
			igt.run_pattern = optarg;
			break;
		case OPT_DYNAMIC_SUBTEST:
			igt.dynamic_pattern = optarg;
			break;
		case OPT_DESCRIBE:
			igt.describe = true;
			igt.describe_pattern = optarg;
			if (&__igt_test_description)
				printf("%s\n\n", __igt_test_description);
			break;
		case OPT_DEBUG:
			igt.debug = true;
			break;
		case 'h':
		case OPT_HELP:
			print_usage(stdout, help_str);
			exit(IGT_EXIT_SUCCESS);
		case '?':
			fprintf(stderr, "%s: unknown option %s\n", igt.name, argv[optind - 1]);
			print_usage(stderr, help_str);
			exit(IGT_EXIT_INVALID);
		default:
			if (!extra_opt_handler ||
			    extra_opt_handler(c, idx, handler_data) != 0) {
				print_usage(stderr, help_str);
				exit(IGT_EXIT_INVALID);
			}
		}
	}
	free(opts);

	if (!igt_only_list_subtests()) {
		install_signal_handlers();
		print_version();
		igt_kmsg(KMSG_INFO "%s: executing\n", igt.name);
	}
	return optind;
}

void igt_exit(void)
{
	int code;

	if (igt_only_list_subtests())
		exit(IGT_EXIT_SUCCESS);

	if (igt.run_pattern && !igt.matched_one) {
		fprintf(stderr, "Unknown subtest: %s\n", igt.run_pattern);
		exit(IGT_EXIT_INVALID);
	}

	if (igt.failed_one)
		code = igt.exitcode ?: IGT_EXIT_FAILURE;
	else if (igt.succeeded_one || !igt.has_subtests)
		code = IGT_EXIT_SUCCESS;
	else
		code = IGT_EXIT_SKIP;
	exit_test(code);
}
