// SPDX-License-Identifier: MIT
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt_aux.h"

static pid_t signal_helper = -1;
static volatile sig_atomic_t signals_received;

static void count_signal(int sig)
{
	(void)sig;
	signals_received++;
}

/**
 * igt_fork_signal_helper - interrupt the caller with SIGCONT every few
 * hundred microseconds, so blocking system calls see EINTR and restart.
 */
void igt_fork_signal_helper(void)
{
	struct sigaction sa = { .sa_handler = count_signal };
	pid_t parent = getpid();

	igt_assert_f(signal_helper < 0, "signal helper already running\n");
	/* No SA_RESTART: the point is to make system calls return EINTR. */
	sigaction(SIGCONT, &sa, NULL);
	signal_helper = fork();
	igt_assert(signal_helper >= 0);
	if (signal_helper == 0) {
		unsigned int seed = getpid();

		for (;;) {
			usleep(100 + rand_r(&seed) % 900);
			if (kill(parent, SIGCONT))
				_exit(0);
		}
	}
}

void igt_stop_signal_helper(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };

	if (signal_helper < 0)
		return;
	kill(signal_helper, SIGKILL);
	waitpid(signal_helper, NULL, 0);
	signal_helper = -1;
	sigaction(SIGCONT, &sa, NULL);
	igt_debug("signal helper sent %d signals\n", (int)signals_received);
	signals_received = 0;
}
