/* procs: fork copies memory and shares file offsets; vfork shares memory
 * and suspends the parent; raw clone with CLONE_VM, CLONE_FILES,
 * CLONE_PARENT and a custom exit signal; clone3; getppid; execve from a
 * vfork child. */
#include "guest.h"
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

extern char **environ;
static int global = 1;

static int child_fn(void *arg)
{
	int *shared = arg;
	*shared = 42;
	global = 99;
	int fd = open("/tmp/procs-cl", O_CREAT | O_WRONLY, 0600);
	return fd >= 0 ? fd : 100;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && strcmp(argv[1], "exec-child") == 0) {
		say("exec'd child: ppid is parent %d\n", getppid() == atoi(argv[2]));
		return 6;
	}
	int st;
	pid_t me = getpid();

	/* fork: memory is copied, the file offset is shared. */
	write_file("/tmp/procs-data", "abcdef");
	int fd = open("/tmp/procs-data", O_RDONLY);
	pid_t p = fork();
	if (p == 0) {
		global = 2;
		char c;
		read(fd, &c, 1);
		read(fd, &c, 1);
		_exit(getppid() == me ? 10 : 11);
	}
	waitpid(p, &st, 0);
	say("fork child: status %d, our global %d, offset %ld\n", WEXITSTATUS(st), global, (long)lseek(fd, 0, SEEK_CUR));
	close(fd);

	/* Anonymous MAP_SHARED memory stays shared across fork. */
	int *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	*sh = 1;
	*priv = 1;
	p = fork();
	if (p == 0) {
		*sh = 5;
		*priv = 5;
		_exit(0);
	}
	waitpid(p, NULL, 0);
	say("after fork: shared %d private %d\n", *sh, *priv);

	/* vfork: the child runs first in our memory; we resume when it
	 * exits. */
	volatile int v = 0;
	p = vfork();
	if (p == 0) {
		v = 7;
		_exit(3);
	}
	say("vfork: child set %d before we resumed\n", v);
	waitpid(p, &st, 0);
	say("vfork child status %d\n", WEXITSTATUS(st));

	/* vfork then execve. */
	char pidbuf[16];
	snprintf(pidbuf, sizeof pidbuf, "%d", me);
	char *args[] = { argv[0], "exec-child", pidbuf, NULL };
	p = vfork();
	if (p == 0) {
		execve(argv[0], args, environ);
		_exit(127);
	}
	waitpid(p, &st, 0);
	say("vfork+exec status %d\n", WEXITSTATUS(st));

	/* vfork then a failed execve: the child still gets to _exit. */
	p = vfork();
	if (p == 0) {
		execve("/nonexistent", args, environ);
		_exit(errno == ENOENT ? 8 : 9);
	}
	waitpid(p, &st, 0);
	say("vfork+failed exec status %d\n", WEXITSTATUS(st));

	/* clone with CLONE_VM | CLONE_FILES: memory and fds shared, a
	 * separate process. */
	char *stack = malloc(65536);
	int shared = 0;
	global = 1;
	p = clone(child_fn, stack + 65536, CLONE_VM | CLONE_FILES | SIGCHLD, &shared);
	MUST(p);
	waitpid(p, &st, 0);
	int cfd = WEXITSTATUS(st);
	struct stat sb;
	say("CLONE_VM: shared %d global %d; CLONE_FILES: fd %s in parent\n", shared, global,
	    fstat(cfd, &sb) == 0 ? "open" : "closed");
	close(cfd);
	unlink("/tmp/procs-cl");

	/* Without CLONE_FILES the child's fd stays its own. */
	p = clone(child_fn, stack + 65536, CLONE_VM | SIGCHLD, &shared);
	waitpid(p, &st, 0);
	cfd = WEXITSTATUS(st);
	say("no CLONE_FILES: fd %s in parent\n", fstat(cfd, &sb) == 0 ? "open" : "closed");
	unlink("/tmp/procs-cl");

	/* A custom exit signal: only __WCLONE or __WALL waits for it. The
	 * signal is ignored before the child can send it (its default action
	 * would end us), and the plain waitpid finds no child whether or not
	 * the child has exited yet. */
	signal(SIGUSR2, SIG_IGN);
	p = clone(child_fn, stack + 65536, CLONE_VM | SIGUSR2, &shared);
	CHECK(waitpid(p, &st, WNOHANG));
	say("__WCLONE finds it: %d\n", waitpid(p, &st, __WCLONE) == p);
	signal(SIGUSR2, SIG_DFL);
	unlink("/tmp/procs-cl");

	/* CLONE_PARENT: the child is our parent's, not ours. */
	p = fork();
	if (p == 0) {
		pid_t mid = getpid();
		pid_t q = clone(child_fn, stack + 65536, CLONE_VM | CLONE_PARENT | SIGCHLD, &shared);
		int r = waitpid(q, NULL, 0) == -1 && errno == ECHILD;
		(void)mid;
		_exit(r ? 20 : 21);
	}
	waitpid(p, &st, 0);
	say("CLONE_PARENT: child's waitpid ECHILD %d\n", WEXITSTATUS(st) == 20);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	unlink("/tmp/procs-cl");

	/* clone's errors. */
	CHECK(syscall(SYS_clone, CLONE_THREAD, 0, 0, 0, 0));
	CHECK(syscall(SYS_clone, CLONE_SIGHAND, 0, 0, 0, 0));

	/* clone3: a fork, and its argument checks. */
	struct {
		uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	} ca = { 0 };
	ca.exit_signal = SIGCHLD;
	long r = syscall(SYS_clone3, &ca, sizeof ca);
	if (r == 0)
		_exit(33);
	if (r > 0) {
		waitpid(r, &st, 0);
		say("clone3 fork: child status %d\n", WEXITSTATUS(st));
	} else {
		say("clone3: %s\n", errname(errno));
	}
	CHECK(syscall(SYS_clone3, &ca, 8));
	ca.exit_signal = 65;
	CHECK(syscall(SYS_clone3, &ca, sizeof ca));
	CHECK(syscall(SYS_clone3, badptr(), sizeof ca));
	free(stack);
	return 0;
}
