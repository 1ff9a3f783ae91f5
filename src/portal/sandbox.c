#define _GNU_SOURCE /* O_PATH */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/landlock.h>
#endif

#if defined(SYS_landlock_create_ruleset) && defined(LANDLOCK_CREATE_RULESET_VERSION)
#define SANDBOX_HAVE_LANDLOCK 1
#else
#define SANDBOX_HAVE_LANDLOCK 0
#endif

#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
#define SANDBOX_ASAN 1
#else
#define SANDBOX_ASAN 0
#endif

/* What a rule allows of a system call's arguments. */
enum sandbox_cond {
	SC_ANY,     /* any arguments */
	SC_NO_EXEC, /* argument 2 (prot) without PROT_EXEC: mmap, mprotect */
	SC_SELF,    /* argument 0 is this process's id: tgkill, as abort() sends SIGABRT */
	SC_THREAD,  /* clone of a thread (CLONE_VM and CLONE_THREAD), not a new process */
	SC_VM,      /* clone sharing memory (CLONE_VM): sanitizer builds only */
	SC_ISATTY,  /* ioctl TCGETS only: isatty() */
	SC_ENOSYS,  /* refused with ENOSYS, not fatal: clone3, so glibc falls back to clone */
};

struct sandbox_rule {
	const char *name; /* resolved for the native architecture; skipped where it has none */
	enum sandbox_cond cond;
};

/* Every system call the programs make after start-up, found with strace over the CGI
 * tests and a FastCGI server under load, and kept to what these do:
 *   files and the database: SQLite reads and writes with pread/pwrite, locks with fcntl,
 *   syncs (the folder too, opened read-only), opens, truncates and removes its -wal,
 *   -shm, journal and temporary files, and reads /dev/urandom; the office reads the
 *   content folder again for the policy reviews;
 *   memory: malloc (brk, mmap), argon2id's 64 MiB for a sign-in;
 *   FastCGI (fcgi2): accept, poll or select, read, write, shutdown, close, and the
 *   SIGPIPE handler it installs;
 *   time and randomness: clock_gettime and friends (usually the vDSO, no system call),
 *   getrandom for libsodium, SQLite's busy wait (fcntl also takes the office's
 *   password-check slot, a lock on the database's -login.lock file).
 *   threads: sign.fcgi serves with several (group commit, group.h): clone with CLONE_VM and
 *   CLONE_THREAD only (a thread, never a process: fork still kills), clone3 answered ENOSYS (glibc
 *   then uses clone, whose flags the filter can see), set_robust_list and rseq, which a
 *   new thread registers;
 * Deliberately missing: execve, execveat, fork, vfork, clone of a process, socket, socketpair,
 * connect, bind, listen, sendmsg, ptrace, process_vm_*, kill, chmod, chown, link,
 * rename, mkdir, mount, ioctl, prctl, seccomp, bpf, memfd_create, userfaultfd, io_uring,
 * personality, setuid and the like. */
static const struct sandbox_rule sandbox_rules[] = {
    /* files */
    {"read", SC_ANY},
    {"readv", SC_ANY},
    {"pread64", SC_ANY},
    {"write", SC_ANY},
    {"writev", SC_ANY},
    {"pwrite64", SC_ANY},
    {"lseek", SC_ANY},
    {"open", SC_ANY},
    {"openat", SC_ANY},
    {"close", SC_ANY},
    {"fstat", SC_ANY},
    {"stat", SC_ANY},
    {"lstat", SC_ANY},
    {"newfstatat", SC_ANY},
    {"statx", SC_ANY},
    {"access", SC_ANY},
    {"faccessat", SC_ANY},
    {"faccessat2", SC_ANY},
    {"getdents64", SC_ANY},
    {"getcwd", SC_ANY},
    {"readlink", SC_ANY},
    {"readlinkat", SC_ANY},
    {"fcntl", SC_ANY},
    {"fsync", SC_ANY},
    {"fdatasync", SC_ANY},
    {"ftruncate", SC_ANY},
    {"unlink", SC_ANY},
    {"unlinkat", SC_ANY},
    {"fchown", SC_ANY}, /* SQLite, when run as root, gives a new -wal the database's owner */
    /* memory */
    {"brk", SC_ANY},
    {"mmap", SC_NO_EXEC},
    {"mprotect", SC_NO_EXEC},
    {"munmap", SC_ANY},
    {"mremap", SC_ANY},
    {"madvise", SC_ANY},
    /* the FastCGI socket */
    {"accept", SC_ANY},
    {"accept4", SC_ANY},
    {"poll", SC_ANY},
    {"ppoll", SC_ANY},
    {"select", SC_ANY},
    {"pselect6", SC_ANY},
    {"shutdown", SC_ANY},
    {"getpeername", SC_ANY},
    {"getsockname", SC_ANY},
    /* signals and the process */
    {"rt_sigaction", SC_ANY},
    {"rt_sigprocmask", SC_ANY},
    {"rt_sigreturn", SC_ANY},
    {"restart_syscall", SC_ANY},
    {"tgkill", SC_SELF},
    {"getpid", SC_ANY},
    {"gettid", SC_ANY},
    {"getuid", SC_ANY},
    {"geteuid", SC_ANY},
    {"getgid", SC_ANY},
    {"getegid", SC_ANY},
    {"futex", SC_ANY},
    {"clone", SC_THREAD},
    {"clone3", SC_ENOSYS},
    {"set_robust_list", SC_ANY},
    {"rseq", SC_ANY},
    {"exit", SC_ANY},
    {"exit_group", SC_ANY},
    /* time and randomness */
    {"clock_gettime", SC_ANY},
    {"clock_getres", SC_ANY},
    {"gettimeofday", SC_ANY},
    {"time", SC_ANY},
    {"nanosleep", SC_ANY},
    {"clock_nanosleep", SC_ANY},
    {"getrandom", SC_ANY},
    /* glibc's qsort asks sysconf(_SC_PHYS_PAGES) before sorting more than a few hundred
     * items (the office's import of an uploaded export sorts its rows). Read-only. */
    {"sysinfo", SC_ANY},
#if SANDBOX_ASAN
    /* AddressSanitizer's leak check at exit stops the process with a tracer thread
     * (clone sharing memory, ptrace, wait4) that lists /proc/self/task; allowed in
     * sanitizer builds only, which are never deployed. Fork stays forbidden. */
    {"clone", SC_VM},
    {"ptrace", SC_ANY},
    {"wait4", SC_ANY},
    {"prctl", SC_ANY},
    {"getdents", SC_ANY},
    {"getppid", SC_ANY},
    {"sched_yield", SC_ANY},
    {"sched_getaffinity", SC_ANY}, /* its pthread_create asks, for sign.fcgi's threads */
    {"sigaltstack", SC_ANY},
    {"ioctl", SC_ISATTY}, /* a report asks whether standard error is a terminal */
    {"pipe", SC_ANY},     /* ... and checks memory is readable by writing it to a pipe */
    {"pipe2", SC_ANY},
#endif
};

int sandbox_wanted(void)
{
	const char *v = getenv("CONSENT_SANDBOX");

	return !(v && strcmp(v, "0") == 0);
}

/* CONSENT_SANDBOX=log: a call outside the list is logged by the kernel (the audit log,
 * dmesg) instead of killing, to find what a new library version needs. */
static int sandbox_log_only(void)
{
	const char *v = getenv("CONSENT_SANDBOX");

	return v && strcmp(v, "log") == 0;
}

static int sandbox_seccomp(struct buf *err)
{
	scmp_filter_ctx ctx =
	    seccomp_init(sandbox_log_only() ? SCMP_ACT_LOG : SCMP_ACT_KILL_PROCESS);
	size_t i;
	int rc = 0;

	if (ctx == NULL) {
		buf_puts(err, "seccomp: cannot make a filter (a kernel or valgrind without "
		              "seccomp, or out of memory)\n");
		return -1;
	}
	/* A system call of another architecture (the x32 or i386 entry points) kills too. */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0)
		goto fail;
	for (i = 0; i < sizeof sandbox_rules / sizeof sandbox_rules[0]; i++) {
		const struct sandbox_rule *r = &sandbox_rules[i];
		int nr = seccomp_syscall_resolve_name(r->name);
		if (nr == __NR_SCMP_ERROR || nr < 0)
			continue; /* not on this architecture */
		switch (r->cond) {
		case SC_ANY:
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
			break;
		case SC_NO_EXEC:
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
			                      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
			break;
		case SC_SELF:
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
			                      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0));
			break;
		case SC_ISATTY:
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
			                      SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t)TCGETS, 0));
			break;
		case SC_THREAD:
			rc = seccomp_rule_add(
			    ctx, SCMP_ACT_ALLOW, nr, 1,
			    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_VM | CLONE_THREAD, CLONE_VM | CLONE_THREAD));
			break;
		case SC_VM:
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
			                      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_VM, CLONE_VM));
			break;
		case SC_ENOSYS:
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
			break;
		}
		if (rc < 0) {
			buf_printf(err, "seccomp: cannot allow %s: %s\n", r->name, strerror(-rc));
			seccomp_release(ctx);
			return -1;
		}
	}
	if ((rc = seccomp_load(ctx)) < 0)
		goto fail;
	seccomp_release(ctx);
	return 0;
fail:
	buf_printf(err, "seccomp: the kernel refused the filter: %s\n", strerror(-rc));
	seccomp_release(ctx);
	return -1;
}

#if SANDBOX_HAVE_LANDLOCK

/* Rights added after the first Landlock ABI, defined here when the headers predate them. */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13) /* ABI 2 */
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#endif

/* Everything that changes the file system, or executes, by the kernel's ABI version. */
static uint64_t sandbox_handled(int abi)
{
	uint64_t h = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
	             LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
	             LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
	             LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
	             LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
	             LANDLOCK_ACCESS_FS_MAKE_SYM;

	if (abi >= 2)
		h |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		h |= LANDLOCK_ACCESS_FS_TRUNCATE;
	return h;
}

/* The kernel's Landlock ABI version, or 0 when it has none (or it is disabled). */
static int sandbox_landlock_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	return v > 0 ? (int)v : 0;
}

/* Restricts writes to beneath the folders open (O_PATH) at fds. Needs no_new_privs. */
static int sandbox_landlock(int abi, const int *fds, size_t n, struct buf *err)
{
	struct landlock_ruleset_attr attr;
	struct landlock_path_beneath_attr rule;
	uint64_t handled = sandbox_handled(abi);
	size_t i;
	int rs;

	memset(&attr, 0, sizeof attr);
	attr.handled_access_fs = handled;
	if ((rs = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0)) < 0) {
		buf_printf(err, "landlock: cannot make a ruleset: %s\n", strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		memset(&rule, 0, sizeof rule);
		rule.allowed_access =
		    handled & (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_FILE |
		               LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_TRUNCATE);
		rule.parent_fd = fds[i];
		if (syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0) {
			buf_printf(err, "landlock: cannot add a folder: %s\n", strerror(errno));
			close(rs);
			return -1;
		}
	}
	if (syscall(SYS_landlock_restrict_self, rs, 0) < 0) {
		buf_printf(err, "landlock: cannot restrict the process: %s\n", strerror(errno));
		close(rs);
		return -1;
	}
	close(rs);
	return 0;
}

#endif

int sandbox_enter(const char *const *write_dirs, size_t ndirs, struct buf *err)
{
	int fds[SANDBOX_MAX_DIRS], layers = 0, abi = 0;
	size_t i, n = 0;

	if (ndirs > SANDBOX_MAX_DIRS) {
		buf_printf(err, "sandbox: at most %d folders to write to\n", SANDBOX_MAX_DIRS);
		return -1;
	}
	/* Open every folder first, so that a mistake leaves the process as it was. */
	for (n = 0; n < ndirs; n++) {
		if ((fds[n] = open(write_dirs[n], O_PATH | O_CLOEXEC | O_DIRECTORY)) < 0) {
			buf_printf(err, "sandbox: %s: %s\n", write_dirs[n], strerror(errno));
			goto out;
		}
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		buf_printf(err, "sandbox: cannot set no_new_privs: %s\n", strerror(errno));
		goto out;
	}
	layers |= SANDBOX_NO_NEW_PRIVS;
#if SANDBOX_HAVE_LANDLOCK
	if ((abi = sandbox_landlock_abi()) > 0) {
		if (sandbox_landlock(abi, fds, n, err) < 0)
			goto fail;
		layers |= SANDBOX_LANDLOCK;
	}
#endif
	(void)abi;
	if (sandbox_seccomp(err) < 0)
		goto fail;
	layers |= SANDBOX_SECCOMP;
out:
	for (i = 0; i < n; i++)
		close(fds[i]);
	return layers & SANDBOX_SECCOMP ? layers : -1;
fail:
	layers = 0;
	goto out;
}

/* The folder SQLite puts its temporary files in, as os_unix.c chooses it: the first of
 * these that is a folder this process may write and enter. NULL when none is. */
static const char *sandbox_sqlite_tmpdir(void)
{
	const char *dirs[] = {getenv("SQLITE_TMPDIR"), getenv("TMPDIR"), "/var/tmp", "/usr/tmp",
	                      "/tmp"};
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (dirs[i] && dirs[i][0] && stat(dirs[i], &st) == 0 && S_ISDIR(st.st_mode) &&
		    access(dirs[i], W_OK | X_OK) == 0)
			return dirs[i];
	return NULL;
}

int sandbox_enter_for_db(const char *db_path, struct buf *note, struct buf *err)
{
	const char *dirs[2], *slash = strrchr(db_path, '/'), *tmp;
	struct buf dir = BUF_INIT;
	size_t n = 0;
	int layers;

	if (!sandbox_wanted()) {
		if (note)
			buf_puts(note, "sandbox: off (CONSENT_SANDBOX=0)\n");
		return 0;
	}
	if (slash == NULL)
		buf_puts(&dir, ".");
	else if (slash == db_path)
		buf_puts(&dir, "/");
	else
		buf_put(&dir, db_path, (size_t)(slash - db_path));
	if (!buf_ok(&dir)) {
		buf_puts(err, "sandbox: out of memory\n");
		buf_free(&dir);
		return -1;
	}
	dirs[n++] = buf_str(&dir);
	if ((tmp = sandbox_sqlite_tmpdir()) != NULL)
		dirs[n++] = tmp;
	layers = sandbox_enter(dirs, n, err);
	if (layers >= 0 && sandbox_log_only() && note)
		buf_puts(note, "sandbox: seccomp only logs (CONSENT_SANDBOX=log): forbidden system "
		               "calls go to the kernel's audit log and are not stopped\n");
	if (layers >= 0 && !(layers & SANDBOX_LANDLOCK) && note)
		buf_printf(note,
		           "sandbox: seccomp only; this kernel has no Landlock, so file writes "
		           "are limited by file permissions alone (run as a user that can write "
		           "only %s)\n",
		           buf_str(&dir));
	buf_free(&dir);
	return layers < 0 ? -1 : 0;
}
