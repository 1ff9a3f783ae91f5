/* The sandbox: each case runs in a child process, which enters the sandbox and then
 * does one thing; the parent checks how the child ended (a forbidden system call kills
 * it with SIGSYS, an allowed one lets it exit 0). */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "db.h"
#include "sandbox.h"

static char dir_ok[256], dir_other[256];
static char db_path[300]; /* dir_ok/consent.db */
static pid_t test_pid; /* the test itself, parent of the children */

/* Exit statuses of the children besides 0 (all well). */
enum { CHILD_SETUP = 10, CHILD_WRONG = 11 };

/* fork() with stdout flushed first, so that the child does not print the parent's
 * buffered output again. */
static pid_t child(void)
{
	fflush(stdout);
	return fork();
}

/* Runs before (when not NULL), then fn in a child after entering the sandbox with dir_ok
 * writable; returns the wait status. The child leaves with _exit, so no exit handler
 * runs in it. */
static int in_sandbox(int (*before)(void), int (*fn)(void))
{
	pid_t pid;
	int status = 0;

	if ((pid = child()) < 0)
		return -1;
	if (pid == 0) {
		const char *dirs[] = {dir_ok};
		struct buf err = BUF_INIT;
		if (before && before() < 0)
			_exit(CHILD_SETUP);
		if (sandbox_enter(dirs, 1, &err) < 0) {
			printf("  sandbox_enter: %s", buf_str(&err));
			fflush(stdout);
			_exit(CHILD_SETUP);
		}
		_exit(fn());
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return status;
}

static int killed_by_sigsys(int status)
{
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS;
}

static int exited_ok(int status)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int do_execve(void)
{
	char *const argv[] = {"true", NULL}, *const envp[] = {NULL};

	execve("/bin/true", argv, envp);
	return CHILD_WRONG; /* refused without the kill: still wrong */
}

static int do_socket(void)
{
	return socket(AF_INET, SOCK_STREAM, 0) >= 0 ? 0 : CHILD_WRONG;
}

static int do_fork(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	return CHILD_WRONG;
}

static int do_exec_memory(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
	               -1, 0);

	return p == MAP_FAILED ? CHILD_WRONG : 0;
}

static int do_mprotect_exec(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return CHILD_WRONG; /* plain memory must still be allowed */
	mprotect(p, 4096, PROT_READ | PROT_EXEC);
	return CHILD_WRONG;
}

static int do_kill_parent(void)
{
	kill(test_pid, 0); /* signal 0: the call alone, harmless if allowed */
	return CHILD_WRONG;
}

static void test_execve_kills(void)
{
	CHECK(killed_by_sigsys(in_sandbox(NULL, do_execve)));
}

static void test_socket_kills(void)
{
	CHECK(killed_by_sigsys(in_sandbox(NULL, do_socket)));
}

static void test_fork_kills(void)
{
	CHECK(killed_by_sigsys(in_sandbox(NULL, do_fork)));
}

static void *thread_main(void *arg)
{
	*(int *)arg = 42;
	return NULL;
}

/* sign.fcgi's threads (group commit): a thread starts and is joined inside the sandbox
 * (glibc tries clone3 first, refused with ENOSYS, then clone). */
static int do_thread(void)
{
	pthread_t t;
	int v = 0;

	if (pthread_create(&t, NULL, thread_main, &v) != 0 || pthread_join(t, NULL) != 0)
		return CHILD_WRONG;
	return v == 42 ? 0 : CHILD_WRONG;
}

/* A process sharing memory but not a thread (clone with CLONE_VM alone) is not allowed. */
__attribute__((unused)) static int do_clone_vm_process(void)
{
	/* vfork-like, so that were it allowed, the parent would wait while the child leaves */
	if (syscall(SYS_clone, (long)(CLONE_VM | CLONE_VFORK | SIGCHLD), 0L, 0L, 0L, 0L) == 0)
		_exit(CHILD_WRONG);
	return CHILD_WRONG;
}

static void test_threads_allowed(void)
{
	CHECK(exited_ok(in_sandbox(NULL, do_thread)));
#if !defined(__SANITIZE_ADDRESS__)
	CHECK(killed_by_sigsys(in_sandbox(NULL, do_clone_vm_process)));
#endif
}

static void test_executable_memory_kills(void)
{
	CHECK(killed_by_sigsys(in_sandbox(NULL, do_exec_memory)));
	CHECK(killed_by_sigsys(in_sandbox(NULL, do_mprotect_exec)));
}

static void test_signal_to_another_process_kills(void)
{
	CHECK(killed_by_sigsys(in_sandbox(NULL, do_kill_parent)));
}

/* Ordinary work goes on: memory, time, randomness, files in the writable folder. */
static int do_ordinary_work(void)
{
	char path[512], back[6] = "";
	struct timespec ts;
	unsigned char r[16];
	void *big;
	int fd;

	if ((big = malloc(64 << 20)) == NULL)
		return 1;
	memset(big, 1, 64 << 20);
	free(big);
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0 || getentropy(r, sizeof r) < 0)
		return 2;
	snprintf(path, sizeof path, "%s/file", dir_ok);
	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0)
		return 3;
	if (write(fd, "hello", 5) != 5 || fdatasync(fd) < 0 || pread(fd, back, 5, 0) != 5 ||
	    ftruncate(fd, 0) < 0 || close(fd) < 0 || strcmp(back, "hello") != 0)
		return 4;
	if (unlink(path) < 0)
		return 5;
	return 0;
}

static void test_ordinary_work_allowed(void)
{
	int st = in_sandbox(NULL, do_ordinary_work);

	if (!exited_ok(st))
		printf("  child status %d (exit %d)\n", st, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	CHECK(exited_ok(st));
}

/* A database opened before the sandbox, as the programs do, is written after it, a
 * second connection opens, and closing both removes the -wal and -shm files. */
static struct db *test_db;

static int open_database(void)
{
	struct buf err = BUF_INIT;

	test_db = db_open(db_path, DB_OPEN_CREATE, &err);
	if (test_db == NULL || db_migrate(test_db, &err) < 0) {
		printf("  %s", buf_str(&err));
		buf_free(&err);
		return -1;
	}
	buf_free(&err);
	return 0;
}

static int do_database(void)
{
	static const char ins[] = "INSERT INTO secret (name, value) VALUES ('sandbox', x'01')";
	char path[512];
	struct buf err = BUF_INIT;
	struct db *again;
	int rc = 0;

	if (db_begin(test_db) < 0 || db_exec_stmt(db_stmt(test_db, ins)) < 0 ||
	    db_commit(test_db) < 0)
		return 1;
	if ((again = db_open(db_path, DB_OPEN_EXISTING, &err)) == NULL)
		return 2;
	if (db_verify(again, &err) != 0)
		rc = 3;
	db_close(again);
	db_close(test_db);
	snprintf(path, sizeof path, "%s/consent.db-wal", dir_ok);
	if (rc == 0 && access(path, F_OK) == 0)
		rc = 4;
	buf_free(&err);
	return rc;
}

static void test_database_works(void)
{
	int st = in_sandbox(open_database, do_database);

	if (!exited_ok(st))
		printf("  child status %d (exit %d)\n", st, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	CHECK(exited_ok(st));
}

/* With Landlock, nothing is written outside the writable folders: no new file, no
 * writing to or removing an existing one (its file permissions would allow all three). */
static int do_write_elsewhere(void)
{
	char path[512];

	snprintf(path, sizeof path, "%s/new", dir_other);
	if (open(path, O_WRONLY | O_CREAT, 0600) >= 0 || errno != EACCES)
		return CHILD_WRONG;
	snprintf(path, sizeof path, "%s/old", dir_other);
	if (open(path, O_WRONLY) >= 0 || errno != EACCES)
		return CHILD_WRONG + 1;
	if (open(path, O_RDONLY | O_TRUNC) >= 0 || errno != EACCES)
		return CHILD_WRONG + 2;
	if (unlink(path) == 0 || errno != EACCES)
		return CHILD_WRONG + 3;
	if (open(path, O_RDONLY) < 0)
		return CHILD_WRONG + 4; /* reading is left to file permissions */
	return 0;
}

static void test_writes_confined(void)
{
	const char *dirs[] = {dir_ok};
	struct buf err = BUF_INIT;
	pid_t pid;
	int st = 0, landlock = 0, fd;
	char path[512];
	struct stat sb;

	/* Whether this kernel has Landlock: ask in a child, which is then confined. */
	if ((pid = child()) == 0) {
		int layers = sandbox_enter(dirs, 1, &err);
		_exit(layers >= 0 && (layers & SANDBOX_LANDLOCK) ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	landlock = exited_ok(st);
	if (!landlock) {
		printf("  (this kernel has no Landlock: only seccomp is checked)\n");
		return;
	}
	snprintf(path, sizeof path, "%s/old", dir_other);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 || write(fd, "x", 1) != 1) {
		printf("  %s: %s\n", path, strerror(errno));
		check_failed_now = 1;
	}
	if (fd >= 0)
		close(fd);
	st = in_sandbox(NULL, do_write_elsewhere);
	if (!exited_ok(st))
		printf("  child status %d (exit %d)\n", st, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	CHECK(exited_ok(st));
	CHECK(stat(path, &sb) == 0 && sb.st_size == 1);
	snprintf(path, sizeof path, "%s/new", dir_other);
	CHECK(access(path, F_OK) < 0);
}

#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
/* In a sanitizer build the sanitizers still report from inside the sandbox: a leak
 * found at exit and a heap overflow end the process with an error status, not SIGSYS. */
static void *volatile sink;

static int quiet(void)
{
	int fd = open("/dev/null", O_WRONLY);

	return fd < 0 || dup2(fd, 2) < 0 ? -1 : 0;
}

static int do_leak(void)
{
	sink = malloc(100);
	sink = NULL;
	exit(0); /* the leak check runs at exit */
}

static volatile size_t past_the_end = 8;

static int do_overflow(void)
{
	char *p = calloc(1, 8);

	sink = p;
	return p[past_the_end];
}

static void test_sanitizers_report_in_sandbox(void)
{
	int st = in_sandbox(quiet, do_leak);

	CHECK(WIFEXITED(st) && WEXITSTATUS(st) != 0);
	st = in_sandbox(quiet, do_overflow);
	if (!(WIFEXITED(st) && WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != CHILD_WRONG))
		printf("  overflow: child status %d\n", st);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != CHILD_WRONG);
}
#define SANDBOX_TEST_SANITIZERS 1
#endif

/* A folder that does not exist: refused before anything is applied, so the process
 * can still do what the sandbox forbids. */
static void test_missing_folder_refused(void)
{
	const char *dirs[] = {"/nonexistent/sandbox-test"};
	struct buf err = BUF_INIT;
	pid_t pid;
	int st = 0;

	if ((pid = child()) == 0) {
		if (sandbox_enter(dirs, 1, &err) != -1 ||
		    strstr(buf_str(&err), "/nonexistent/sandbox-test") == NULL)
			_exit(CHILD_WRONG);
		do_execve(); /* not confined: exec works and exits 0 */
		_exit(CHILD_WRONG + 1);
	}
	waitpid(pid, &st, 0);
	CHECK(exited_ok(st));
	buf_free(&err);
}

static void test_too_many_folders_refused(void)
{
	const char *dirs[SANDBOX_MAX_DIRS + 1];
	struct buf err = BUF_INIT;
	size_t i;

	for (i = 0; i < SANDBOX_MAX_DIRS + 1; i++)
		dirs[i] = dir_ok;
	CHECK_INT(sandbox_enter(dirs, SANDBOX_MAX_DIRS + 1, &err), -1);
	CHECK(strstr(buf_str(&err), "at most") != NULL);
	buf_free(&err);
}

/* CONSENT_SANDBOX=0 turns it off, and says so for the log. */
static void test_switch_off(void)
{
	struct buf note = BUF_INIT, err = BUF_INIT;
	pid_t pid;
	int st = 0;

	if ((pid = child()) == 0) {
		setenv("CONSENT_SANDBOX", "0", 1);
		if (sandbox_wanted() != 0 || sandbox_enter_for_db(db_path, &note, &err) != 0 ||
		    strstr(buf_str(&note), "CONSENT_SANDBOX=0") == NULL)
			_exit(CHILD_WRONG);
		do_execve();
		_exit(CHILD_WRONG + 1);
	}
	waitpid(pid, &st, 0);
	CHECK(exited_ok(st));
	/* Any other value leaves it on. */
	if ((pid = child()) == 0) {
		setenv("CONSENT_SANDBOX", "no", 1);
		if (sandbox_wanted() != 1 || sandbox_enter_for_db(db_path, &note, &err) != 0)
			_exit(CHILD_WRONG);
		do_execve();
		_exit(CHILD_WRONG + 1);
	}
	waitpid(pid, &st, 0);
	CHECK(killed_by_sigsys(st));
}

/* sandbox_enter_for_db lets the program work and write beside the database; a database
 * folder that does not exist is refused. */
static void test_for_db(void)
{
	struct buf note = BUF_INIT, err = BUF_INIT;
	pid_t pid;
	int st = 0;

	if ((pid = child()) == 0) {
		unsetenv("CONSENT_SANDBOX");
		setenv("SQLITE_TMPDIR", dir_ok, 1);
		if (sandbox_enter_for_db(db_path, &note, &err) != 0)
			_exit(CHILD_SETUP);
		_exit(do_ordinary_work());
	}
	waitpid(pid, &st, 0);
	CHECK(exited_ok(st));
	if ((pid = child()) == 0) {
		setenv("SQLITE_TMPDIR", dir_ok, 1);
		if (sandbox_enter_for_db("/nonexistent/x/consent.db", &note, &err) != -1 ||
		    strstr(buf_str(&err), "/nonexistent/x") == NULL)
			_exit(CHILD_WRONG);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	CHECK(exited_ok(st));
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir_ok, sizeof dir_ok, "%s/sandbox-ok.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	snprintf(dir_other, sizeof dir_other, "%s/sandbox-no.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir_ok) == NULL || mkdtemp(dir_other) == NULL) {
		printf("FAIL setup: mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	snprintf(db_path, sizeof db_path, "%s/consent.db", dir_ok);
	test_pid = getpid();
	RUN(test_execve_kills);
	RUN(test_socket_kills);
	RUN(test_fork_kills);
	RUN(test_threads_allowed);
	RUN(test_executable_memory_kills);
	RUN(test_signal_to_another_process_kills);
	RUN(test_ordinary_work_allowed);
	RUN(test_database_works);
	RUN(test_writes_confined);
	RUN(test_missing_folder_refused);
	RUN(test_too_many_folders_refused);
	RUN(test_switch_off);
	RUN(test_for_db);
#ifdef SANDBOX_TEST_SANITIZERS
	RUN(test_sanitizers_report_in_sandbox);
#endif
	check_remove(dir_ok);
	check_remove(dir_other);
	CHECK_MAIN();
}
