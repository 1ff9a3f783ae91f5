/* fcgi-pool: keeps N copies of a FastCGI program serving one listening socket, and
 * starts a new copy at once when one dies.
 *
 * Usage: fcgi-pool [-P] [-n WORKERS] [--] PROGRAM [ARG]...
 *
 * -P: stop (as on SIGTERM) when the process that started the pool dies, as a web server
 * that starts it (lighttpd's bin-path) would want if it were killed outright; not for
 * spawn-fcgi's default, which starts the pool and exits.
 *
 * Standard input must be the listening socket (as lighttpd's bin-path, spawn-fcgi and a
 * systemd socket unit with StandardInput=socket all arrange). Every worker inherits it
 * and accepts from it, so connections waiting in the socket's queue are taken by the
 * workers still alive when one is killed: a crash costs the one request it was serving,
 * and the web server never sees a refused connection (lighttpd would otherwise disable
 * the backend for a while, and nginx mark it failed).
 *
 * A worker that exits within a second of starting, five times in a row, makes the pool
 * wait a second before the next start, so a program that cannot start does not spin.
 * SIGTERM, SIGINT or SIGHUP stops the workers (SIGTERM) and then the pool. Workers get
 * SIGTERM if the pool itself dies (PR_SET_PDEATHSIG), so none is left behind holding an
 * old socket. Messages go to standard error, prefixed "fcgi-pool:". */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define POOL_MAX 64

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Only wakes sigsuspend: a signal left at its default (ignored) action would not. */
static void on_child(int sig)
{
	(void)sig;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Starts one worker; returns its pid, or -1 (reported) when fork fails. */
static pid_t start(char **argv, pid_t pool)
{
	pid_t pid = fork();

	if (pid < 0) {
		fprintf(stderr, "fcgi-pool: cannot start %s: %s\n", argv[0], strerror(errno));
		return -1;
	}
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != pool)
			_exit(1);
		execv(argv[0], argv);
		fprintf(stderr, "fcgi-pool: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

int main(int argc, char *argv[])
{
	pid_t pids[POOL_MAX] = {0}, pool = getpid();
	double started[POOL_MAX] = {0};
	struct sigaction sa;
	sigset_t block, old;
	int n = 4, i, quick = 0, type, with_parent = 0;
	pid_t parent = getppid();
	socklen_t len = sizeof type;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-P") == 0) {
			with_parent = 1;
		} else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
			char *end;
			long v = strtol(argv[++i], &end, 10);
			if (*end || v < 1 || v > POOL_MAX) {
				fprintf(stderr,
				        "fcgi-pool: -n takes a number of workers, 1 to %d\n",
				        POOL_MAX);
				return 2;
			}
			n = (int)v;
		} else {
			fprintf(stderr,
			        "usage: fcgi-pool [-P] [-n WORKERS] [--] PROGRAM [ARG]...\n");
			return 2;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "usage: fcgi-pool [-P] [-n WORKERS] [--] PROGRAM [ARG]...\n");
		return 2;
	}
	argv += i;
	if (getsockopt(0, SOL_SOCKET, SO_TYPE, &type, &len) < 0) {
		fprintf(stderr, "fcgi-pool: standard input is not a listening socket: start it "
		                "from the web server (bin-path), spawn-fcgi or a systemd socket "
		                "unit\n");
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* SIGCHLD and the stop signals are taken only in sigsuspend, so none is missed
	 * between a check and the wait. */
	sa.sa_handler = on_child;
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	/* SIGTERM, blocked until sigsuspend like the others, when the starter dies. */
	if (with_parent && (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent))
		stopping = 1;
	for (;;) {
		pid_t pid;
		int status;

		for (i = 0; i < n && !stopping; i++) {
			if (pids[i] > 0)
				continue;
			if (quick >= 5) {
				fprintf(stderr,
				        "fcgi-pool: %s keeps exiting at start; waiting a "
				        "second\n",
				        argv[0]);
				sleep(1);
				quick = 0;
			}
			started[i] = now();
			pids[i] = start(argv, pool);
		}
		if (stopping)
			break;
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for (i = 0; i < n; i++) {
				if (pids[i] != pid)
					continue;
				pids[i] = 0;
				quick = now() - started[i] < 1.0 ? quick + 1 : 0;
				if (WIFSIGNALED(status))
					fprintf(stderr,
					        "fcgi-pool: %s worker %ld killed by signal %d; "
					        "starting another\n",
					        argv[0], (long)pid, WTERMSIG(status));
				else
					fprintf(stderr,
					        "fcgi-pool: %s worker %ld exited with status %d; "
					        "starting another\n",
					        argv[0], (long)pid, WEXITSTATUS(status));
			}
		}
		for (i = 0; i < n && pids[i] > 0; i++)
			;
		if (i == n && !stopping)
			sigsuspend(&old);
	}
	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	while (wait(NULL) > 0)
		;
	return 0;
}
