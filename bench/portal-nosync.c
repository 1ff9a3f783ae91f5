/* portal-nosync: an LD_PRELOAD library for one experiment of bench/portal.sh, never for
 * production. It makes fsync(2) and fdatasync(2) return at once without doing anything,
 * so SQLite's commits at synchronous=FULL no longer wait for the disk. An acknowledged
 * answer is then NOT durable: a power cut can lose it.
 *
 * The benchmark runs the signing POST once more with it, to show how much of the POST's
 * time is waiting for the disk: the rate without it is what group commit (several
 * submissions made durable by one fsync) could approach at best.
 *
 * Build: cc -shared -fPIC -o portal-nosync.so bench/portal-nosync.c */
int fsync(int fd);
int fdatasync(int fd);

int fsync(int fd)
{
	(void)fd;
	return 0;
}

int fdatasync(int fd)
{
	(void)fd;
	return 0;
}
