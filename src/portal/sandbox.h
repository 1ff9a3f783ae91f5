/* sandbox: confines a FastCGI program once it has started (database open, content,
 * templates and keys loaded), so that a bug a request manages to exploit can do little
 * beyond the program's own job: read files, write its database, answer on its socket.
 *
 * sandbox_enter() applies, in this order, and for the rest of the process's life:
 *   1. prctl(PR_SET_NO_NEW_PRIVS): no set-uid program or file capability can raise the
 *      process's privileges (and the two layers below need it);
 *   2. Landlock (Linux 5.13 and later, when the kernel has it enabled): no file or folder
 *      may be created, written, truncated, renamed or removed except beneath the folders
 *      given, nor any program executed. Reading is left to file permissions;
 *   3. seccomp (libseccomp): an allow-list of the system calls the programs use; any
 *      other (execve, fork, socket, connect, ptrace, mount, ...) and any mapping of
 *      executable memory kills the whole process with SIGSYS.
 * Run the programs as an unprivileged user as well (docs/deploy.md): the sandbox does not
 * change the user.
 *
 * The environment variable CONSENT_SANDBOX=0 turns the sandbox off, for debugging with
 * strace or gdb; CONSENT_SANDBOX=log keeps it on but has the kernel log (audit log,
 * dmesg) a forbidden system call instead of killing, to find what a new library version
 * needs; any other value, or none, leaves it fully on. */
#ifndef SANDBOX_H
#define SANDBOX_H

#include <stddef.h>

#include "buf.h"

#define SANDBOX_MAX_DIRS 8

/* The layers in force after sandbox_enter. */
enum sandbox_layer {
	SANDBOX_NO_NEW_PRIVS = 1,
	SANDBOX_LANDLOCK = 2,
	SANDBOX_SECCOMP = 4,
};

/* 0 when CONSENT_SANDBOX is "0", else 1. */
int sandbox_wanted(void);

/* Enters the sandbox. The process may afterwards write files only beneath the ndirs
 * folders of write_dirs (at most SANDBOX_MAX_DIRS; each must exist). Returns the layers
 * in force (SANDBOX_LANDLOCK is missing when the kernel lacks Landlock), or -1 with a
 * message in err. A failure before any layer is applied (a folder that cannot be opened,
 * too many folders) leaves the process as it was; a later one (the kernel refusing a
 * filter) leaves it partly confined, and the caller must not serve requests. */
int sandbox_enter(const char *const *write_dirs, size_t ndirs, struct buf *err);

/* Enters the sandbox for a program whose only files to write are the SQLite database at
 * db_path with its -wal, -shm and journal files (so its folder) and SQLite's temporary
 * files (the folder SQLite picks: $SQLITE_TMPDIR, $TMPDIR, /var/tmp, /usr/tmp or /tmp).
 * Honours CONSENT_SANDBOX=0 by doing nothing. Returns 0, or -1 with a message in err.
 * On 0, a line for the log is appended to note when the sandbox is off or Landlock is
 * missing, and nothing when all is in force. */
int sandbox_enter_for_db(const char *db_path, struct buf *note, struct buf *err);

#endif
