/* SPDX-License-Identifier: MIT */
/*
 * IGT-compatible test core for building our tests outside an IGT tree.
 *
 * Only names and signatures that upstream IGT has are declared here, so a
 * test written against this header builds unchanged inside IGT. The
 * implementation is our own; it follows igt_runner's protocol: subtest
 * listing and selection, result lines on stdout (and sentinels on stderr),
 * [IGT] markers in the kernel log, and IGT's exit codes.
 */
#ifndef IGT_CORE_H
#define IGT_CORE_H

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

/* Exit codes, as igt_runner reads them. */
#define IGT_EXIT_SUCCESS 0
#define IGT_EXIT_INVALID 79
#define IGT_EXIT_FAILURE 98
#define IGT_EXIT_SKIP 77
#define IGT_EXIT_ABORT 112

#ifndef IGT_LOG_DOMAIN
#define IGT_LOG_DOMAIN (NULL)
#endif

#define __igt_tokencat2(x, y) x ## y
#define igt_tokencat(x, y) __igt_tokencat2(x, y)
#define igt_unique(prefix) igt_tokencat(prefix, __LINE__)

/* The test's one-line description, which --describe prints first. */
extern const char *__igt_test_description __attribute__((weak));
#define IGT_TEST_DESCRIPTION(str) const char *__igt_test_description = str

/* Control flow: subtests and fixtures jump back here on skip or failure. */
extern jmp_buf igt_subtest_jmpbuf;
extern jmp_buf igt_dynamic_jmpbuf;

typedef int (*igt_opt_handler_t)(int opt, int opt_index, void *data);
#define IGT_OPT_HANDLER_SUCCESS 0
#define IGT_OPT_HANDLER_ERROR -2
struct option;

int igt_subtest_init_parse_opts(int *argc, char **argv,
				const char *extra_short_opts,
				const struct option *extra_long_opts,
				const char *help_str,
				igt_opt_handler_t extra_opt_handler,
				void *handler_data);
void igt_exit(void) __attribute__((noreturn));

bool __igt_fixture(void);
void __igt_fixture_complete(void);
bool __igt_run_subtest(const char *subtest_name, const char *file, const int line);
bool __igt_run_dynamic_subtest(const char *dynamic_subtest_name);
bool __igt_enter_dynamic_container(void);
void __igt_subtest_group_save(int *save, int *desc);
void __igt_subtest_group_restore(int save, int desc);

bool igt_only_list_subtests(void);
const char *igt_test_name(void);
const char *igt_subtest_name(void);

/**
 * igt_main() - body of a test with subtests; parses the standard options,
 * runs the body and exits with the combined result. Written as IGT (2.3
 * and later) has it: "int igt_main()" or "int igt_main_args(...)"; the
 * "int" the test writes makes the first line a declaration of main().
 */
#define igt_main_args(short_opts, long_opts, help_str, opt_handler, handler_data) \
	main(int argc, char **argv); \
	static void igt_unique(__real_main)(void); \
	int main(int argc, char **argv) \
	{ \
		igt_subtest_init_parse_opts(&argc, argv, short_opts, long_opts, \
					    help_str, opt_handler, handler_data); \
		igt_unique(__real_main)(); \
		igt_exit(); \
	} \
	static void igt_unique(__real_main)(void)

#define igt_main() igt_main_args(NULL, NULL, NULL, NULL, NULL)

/* Setup and teardown code shared by the subtests that follow it. */
#define igt_fixture() \
	for (volatile int igt_unique(__fixture_done) = 0; \
	     !igt_unique(__fixture_done) && __igt_fixture() && \
	     sigsetjmp(igt_subtest_jmpbuf, 1) == 0; \
	     igt_unique(__fixture_done) = 1, __igt_fixture_complete())

#define igt_subtest(name) \
	for (; __igt_run_subtest((name), __FILE__, __LINE__) && \
	       sigsetjmp(igt_subtest_jmpbuf, 1) == 0; \
	     igt_success())

#define __igt_subtest_f(tmp, format...) \
	for (char tmp[256]; \
	     snprintf(tmp, sizeof(tmp), format), \
	     __igt_run_subtest(tmp, __FILE__, __LINE__) && \
	     sigsetjmp(igt_subtest_jmpbuf, 1) == 0; \
	     igt_success())

#define igt_subtest_f(f...) __igt_subtest_f(igt_unique(__subtest_name), f)

/* A subtest whose parts are igt_dynamic() blocks discovered at run time. */
#define igt_subtest_with_dynamic(name) \
	for (; __igt_run_subtest((name), __FILE__, __LINE__) && \
	       __igt_enter_dynamic_container() && \
	       sigsetjmp(igt_subtest_jmpbuf, 1) == 0; \
	     igt_success())

#define __igt_subtest_with_dynamic_f(tmp, format...) \
	for (char tmp[256]; \
	     snprintf(tmp, sizeof(tmp), format), \
	     __igt_run_subtest(tmp, __FILE__, __LINE__) && \
	     __igt_enter_dynamic_container() && \
	     sigsetjmp(igt_subtest_jmpbuf, 1) == 0; \
	     igt_success())

#define igt_subtest_with_dynamic_f(f...) \
	__igt_subtest_with_dynamic_f(igt_unique(__subtest_name), f)

#define igt_dynamic(name) \
	for (; __igt_run_dynamic_subtest((name)) && \
	       sigsetjmp(igt_dynamic_jmpbuf, 1) == 0; \
	     igt_success())

#define __igt_dynamic_f(tmp, format...) \
	for (char tmp[256]; \
	     snprintf(tmp, sizeof(tmp), format), \
	     __igt_run_dynamic_subtest(tmp) && \
	     sigsetjmp(igt_dynamic_jmpbuf, 1) == 0; \
	     igt_success())

#define igt_dynamic_f(f...) __igt_dynamic_f(igt_unique(__dynamic_name), f)

/* A scope for fixtures: a skip in its fixture skips only its subtests. */
#define igt_subtest_group() \
	for (int igt_unique(__group_done) = 0, igt_unique(__group_saved) = 0, \
		 igt_unique(__group_desc) = 0; \
	     !igt_unique(__group_done) && \
	     (__igt_subtest_group_save(&igt_unique(__group_saved), \
				       &igt_unique(__group_desc)), true); \
	     igt_unique(__group_done) = 1, \
	     __igt_subtest_group_restore(igt_unique(__group_saved), \
					 igt_unique(__group_desc)))

void igt_describe_f(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define igt_describe(dsc) igt_describe_f("%s", dsc)

/*
 * Results. A failure in another thread than the test's own ends that
 * thread (as pthread_exit()) and fails the subtest when it ends; only the
 * test's thread may skip.
 */
void igt_success(void);
void igt_fail(int exitcode) __attribute__((noreturn));
void igt_skip(const char *f, ...) __attribute__((format(printf, 1, 2))) __attribute__((noreturn));
void __igt_skip_check(const char *file, const int line, const char *func,
		      const char *check, const char *format, ...)
	__attribute__((format(printf, 5, 6))) __attribute__((noreturn));
void __igt_fail_assert(const char *domain, const char *file, const int line,
		       const char *func, const char *assertion,
		       const char *format, ...)
	__attribute__((format(printf, 6, 7))) __attribute__((noreturn));
void __igt_abort(const char *domain, const char *file, const int line,
		 const char *func, const char *expression, const char *f, ...)
	__attribute__((format(printf, 6, 7))) __attribute__((noreturn));

#define igt_abort_on_f(expr, f...) \
	do { if ((expr)) \
		__igt_abort(IGT_LOG_DOMAIN, __FILE__, __LINE__, __func__, #expr, f); \
	} while (0)

#define igt_assert(expr) \
	do { if (!(expr)) \
		__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, __func__, #expr, NULL); \
	} while (0)

#define igt_assert_f(expr, f...) \
	do { if (!(expr)) \
		__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, __func__, #expr, f); \
	} while (0)

#define igt_fail_on(expr) igt_assert(!(expr))
#define igt_fail_on_f(expr, f...) igt_assert_f(!(expr), f)

#define igt_assert_cmpint(n1, cmp, ncmp, n2) \
	do { \
		int __n1 = (n1), __n2 = (n2); \
		if (__n1 cmp __n2) ; else \
		__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, __func__, \
				  #n1 " " #cmp " " #n2, \
				  "error: %d " #ncmp " %d\n", __n1, __n2); \
	} while (0)

#define igt_assert_cmpuint(n1, cmp, ncmp, n2) \
	do { \
		uint32_t __n1 = (n1), __n2 = (n2); \
		if (__n1 cmp __n2) ; else \
		__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, __func__, \
				  #n1 " " #cmp " " #n2, \
				  "error: %#x " #ncmp " %#x\n", __n1, __n2); \
	} while (0)

#define igt_assert_cmps64(n1, cmp, ncmp, n2) \
	do { \
		int64_t __n1 = (n1), __n2 = (n2); \
		if (__n1 cmp __n2) ; else \
		__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, __func__, \
				  #n1 " " #cmp " " #n2, \
				  "error: %" PRId64 " " #ncmp " %" PRId64 "\n", __n1, __n2); \
	} while (0)

#define igt_assert_cmpu64(n1, cmp, ncmp, n2) \
	do { \
		uint64_t __n1 = (n1), __n2 = (n2); \
		if (__n1 cmp __n2) ; else \
		__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, __func__, \
				  #n1 " " #cmp " " #n2, \
				  "error: %#" PRIx64 " " #ncmp " %#" PRIx64 "\n", __n1, __n2); \
	} while (0)

#define igt_assert_cmpdouble(n1, cmp, ncmp, n2) \
	do { \
		double __n1 = (n1), __n2 = (n2); \
		if (__n1 cmp __n2) ; else \
		__igt_fail_assert(IGT_LOG_DOMAIN, __FILE__, __LINE__, __func__, \
				  #n1 " " #cmp " " #n2, \
				  "error: %#lf " #ncmp " %#lf\n", __n1, __n2); \
	} while (0)

#define igt_assert_eq(n1, n2) igt_assert_cmpint(n1, ==, !=, n2)
#define igt_assert_eq_u32(n1, n2) igt_assert_cmpuint(n1, ==, !=, n2)
#define igt_assert_eq_s64(n1, n2) igt_assert_cmps64(n1, ==, !=, n2)
#define igt_assert_eq_u64(n1, n2) igt_assert_cmpu64(n1, ==, !=, n2)
#define igt_assert_eq_double(n1, n2) igt_assert_cmpdouble(n1, ==, !=, n2)
#define igt_assert_neq(n1, n2) igt_assert_cmpint(n1, !=, ==, n2)
#define igt_assert_neq_u32(n1, n2) igt_assert_cmpuint(n1, !=, ==, n2)
#define igt_assert_neq_u64(n1, n2) igt_assert_cmpu64(n1, !=, ==, n2)
#define igt_assert_lte(n1, n2) igt_assert_cmpint(n1, <=, >, n2)
#define igt_assert_lte_u64(n1, n2) igt_assert_cmpu64(n1, <=, >, n2)
#define igt_assert_lte_s64(n1, n2) igt_assert_cmps64(n1, <=, >, n2)
#define igt_assert_lt(n1, n2) igt_assert_cmpint(n1, <, >=, n2)
#define igt_assert_lt_u64(n1, n2) igt_assert_cmpu64(n1, <, >=, n2)
#define igt_assert_lt_s64(n1, n2) igt_assert_cmps64(n1, <, >=, n2)

#define igt_assert_fd(fd) \
	igt_assert_f((fd) >= 0, "file descriptor " #fd " failed\n")

#define igt_require(expr) \
	do { if (!(expr)) \
		__igt_skip_check(__FILE__, __LINE__, __func__, #expr, NULL); \
	} while (0)

#define igt_require_f(expr, f...) \
	do { if (!(expr)) \
		__igt_skip_check(__FILE__, __LINE__, __func__, #expr, f); \
	} while (0)

#define igt_require_fd(fd) \
	igt_require_f((fd) >= 0, "file descriptor " #fd " failed\n")

#define igt_skip_on(expr) \
	do { if ((expr)) \
		__igt_skip_check(__FILE__, __LINE__, __func__, "!(" #expr ")", NULL); \
	} while (0)

#define igt_skip_on_f(expr, f...) \
	do { if ((expr)) \
		__igt_skip_check(__FILE__, __LINE__, __func__, "!(" #expr ")", f); \
	} while (0)

/* Logging. */
enum igt_log_level {
	IGT_LOG_DEBUG,
	IGT_LOG_INFO,
	IGT_LOG_WARN,
	IGT_LOG_CRITICAL,
	IGT_LOG_NONE,
};

void igt_log(const char *domain, enum igt_log_level level, const char *format, ...)
	__attribute__((format(printf, 3, 4)));
#define igt_debug(f...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_DEBUG, f)
#define igt_info(f...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_INFO, f)
#define igt_warn(f...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_WARN, f)
#define igt_critical(f...) igt_log(IGT_LOG_DOMAIN, IGT_LOG_CRITICAL, f)

#define igt_warn_on(condition) \
	({ bool __c = (condition); \
	   if (__c) igt_warn("Warning on condition %s in function %s, file %s:%i\n", \
			     #condition, __func__, __FILE__, __LINE__); \
	   __c; })

#define igt_warn_on_f(condition, f...) \
	({ bool __c = (condition); \
	   if (__c) { igt_warn("Warning on condition %s in function %s, file %s:%i\n", \
			       #condition, __func__, __FILE__, __LINE__); \
		      igt_warn(f); } \
	   __c; })

#define KMSG_EMER "<0>[IGT] "
#define KMSG_ALERT "<1>[IGT] "
#define KMSG_CRIT "<2>[IGT] "
#define KMSG_ERR "<3>[IGT] "
#define KMSG_WARNING "<4>[IGT] "
#define KMSG_NOTICE "<5>[IGT] "
#define KMSG_INFO "<6>[IGT] "
#define KMSG_DEBUG "<7>[IGT] "
void igt_kmsg(const char *format, ...) __attribute__((format(printf, 1, 2)));
void igt_emit_ignore_dmesg_regex(const char *ignore_dmesg_regex);

/*
 * Processes. A subtest waits for the children it forks with igt_fork() and
 * stops the helpers it forks with igt_fork_helper(): a child of any kind
 * that it leaves behind is killed and fails it. A failure in a child fails
 * the subtest once igt_waitchildren() sees it; a child must not skip.
 */
bool __igt_fork(void);
#define igt_fork(child, num_children) \
	for (int child = 0; child < (num_children); child++) \
		for (; __igt_fork(); exit(0))
int __igt_waitchildren(void);
void igt_waitchildren(void);
void igt_waitchildren_timeout(int seconds, const char *reason);
void igt_kill_children(int signal);

/*
 * A background process whose failures are not forwarded: it runs until
 * igt_stop_helper() kills it (SIGTERM, or SIGKILL with use_SIGKILL) and
 * must still be running then. Set only use_SIGKILL; the core owns the rest.
 */
struct igt_helper_process {
	bool running;
	bool use_SIGKILL;
	pid_t pid;
	int id;
};
bool __igt_fork_helper(struct igt_helper_process *proc);
#define igt_fork_helper(proc) \
	for (; __igt_fork_helper(proc); exit(0))
int igt_wait_helper(struct igt_helper_process *proc);
void igt_stop_helper(struct igt_helper_process *proc);

/*
 * Called once each, last installed first, when the process exits or dies
 * of a signal (then @sig is that signal, else 0). A forked child starts
 * with none.
 */
typedef void (*igt_exit_handler_t)(int sig);
void igt_install_exit_handler(igt_exit_handler_t fn);

/*
 * Time. A timeout that expires fails the running subtest (or, in a fixture,
 * the subtests after it); it lasts until igt_reset_timeout(), across the
 * end of a subtest.
 */
void igt_set_timeout(unsigned int seconds, const char *op);
void igt_reset_timeout(void);
int igt_gettime(struct timespec *ts);
double igt_time_elapsed(struct timespec *then, struct timespec *now);
uint64_t igt_nsec_elapsed(struct timespec *start);
static inline uint32_t igt_seconds_elapsed(struct timespec *start)
{
	return igt_nsec_elapsed(start) >> 30;
}

/* Time units, as IGT's igt_core.h defines them. */
#ifndef __WORDSIZE
#define __WORDSIZE (__SIZEOF_LONG__ * 8)
#endif

#if __WORDSIZE == 64
#define MSEC_PER_SEC (1000ul)
#define USEC_PER_MSEC (1000ul)
#define NSEC_PER_USEC (1000ul)
#else
#define MSEC_PER_SEC (1000ull)
#define USEC_PER_MSEC (1000ull)
#define NSEC_PER_USEC (1000ull)
#endif

#define USEC_PER_SEC (1000u * MSEC_PER_SEC)
#define USEC_PER_DECISEC (100u * MSEC_PER_SEC)
#define NSEC_PER_SEC (1000u * USEC_PER_SEC)
#define NSEC_PER_MSEC (1000u * USEC_PER_MSEC)

#endif /* IGT_CORE_H */
