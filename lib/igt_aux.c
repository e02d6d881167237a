// SPDX-License-Identifier: MIT
#include <signal.h>
#include <unistd.h>

#include "igt_aux.h"

static struct igt_helper_process signal_helper;
static volatile sig_atomic_t signals_received;

static void count_signal(int sig)
{
	signals_received++;
}

/* 500 times a second until the test is gone, to every process of its group. */
static void __attribute__((noreturn)) interrupt_group(pid_t group)
{
	for (;;) {
		usleep(2000);
		if (kill(-group, SIGCONT))
			exit(0);
	}
}

/**
 * igt_fork_signal_helper - interrupt the test and its children with SIGCONT
 * 500 times a second, from a helper process (igt_fork_helper()), as IGT's
 * does: system calls that restart do so, the others see EINTR.
 */
void igt_fork_signal_helper(void)
{
	struct sigaction sa = { .sa_handler = count_signal, .sa_flags = SA_RESTART };

	if (igt_only_list_subtests())
		return;
	/* SIGCONT wakes a process that does not expect it, and nothing else. */
	sigaction(SIGCONT, &sa, NULL);
	/* The test and the children it forks form a group; the helper leaves it. */
	setpgid(0, 0);
	igt_fork_helper(&signal_helper) {
		setpgid(0, 0);
		interrupt_group(getppid());
	}
}

void igt_stop_signal_helper(void)
{
	if (igt_only_list_subtests())
		return;
	igt_stop_helper(&signal_helper);
	igt_debug("signal helper sent %d signals\n", (int)signals_received);
	signals_received = 0;
}
