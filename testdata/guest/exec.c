/* exec: execve of ELF programs and "#!" scripts; argv and envp passing;
 * close-on-exec; and execve's errors. The program re-executes itself. */
#include "guest.h"

extern char **environ;

static int child(int argc, char **argv)
{
	say("child: argc=%d", argc);
	for (int i = 1; i < argc; i++)
		say(" [%s]", argv[i]);
	say("\n");
	say("child: MARK=%s\n", getenv("MARK") ? getenv("MARK") : "(unset)");
	struct stat st;
	say("child: fd 5 open %d, fd 6 open %d\n", fstat(5, &st) == 0, fstat(6, &st) == 0);
	char c = 0;
	if (fstat(5, &st) == 0) {
		lseek(5, 0, SEEK_SET);
		read(5, &c, 1);
	}
	say("child: fd 5 reads %c\n", c ? c : '-');
	return 42;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return child(argc, argv);
	if (argc > 2 && strcmp(argv[2], "child") == 0)
		return child(argc, argv);
	write_file("data", "D");
	int keep = open("data", O_RDONLY);
	MUST(dup2(keep, 5));
	int cl = open("data", O_RDONLY | O_CLOEXEC);
	MUST(dup2(cl, 6));
	fcntl(6, F_SETFD, FD_CLOEXEC);

	/* Errors first: the program keeps running after a failed execve. */
	char *noargs[] = { "x", NULL };
	CHECK(execve("missing", noargs, environ));
	write_file("notexec", "#!/bin/sh\n");
	CHECK(execve("notexec", noargs, environ));
	chmod("notexec", 0755);
	write_file("garbage", "\x7f" "ELF garbage that is not an executable");
	chmod("garbage", 0755);
	CHECK(execve("garbage", noargs, environ));
	write_file("text", "just text\n");
	chmod("text", 0755);
	CHECK(execve("text", noargs, environ));
	MUST(mkdir("dir", 0755));
	CHECK(execve("dir", noargs, environ));
	CHECK(execve("data/x", noargs, environ));
	char script[300];
	snprintf(script, sizeof script, "#!/nonexistent/interpreter\n");
	write_file("badinterp", script);
	chmod("badinterp", 0755);
	CHECK(execve("badinterp", noargs, environ));
	CHECK(execve(badptr(), noargs, environ));

	/* A script whose interpreter is this program, with one argument. */
	snprintf(script, sizeof script, "#! %s  child  \necho not reached\n", argv[0]);
	write_file("script", script);
	chmod("script", 0755);
	if (argc > 1 && strcmp(argv[1], "script") == 0) {
		char *sargv[] = { "script-argv0", "a1", "a2", NULL };
		char *senv[] = { "MARK=from-script", NULL };
		fflush(stdout);
		execve("script", sargv, senv);
		say("execve script failed: %s\n", errname(errno));
		return 1;
	}
	char *cargv[] = { argv[0], "child", "x y", "", NULL };
	char *cenv[] = { "MARK=set", NULL };
	fflush(stdout);
	execve(argv[0], cargv, cenv);
	say("execve failed: %s\n", errname(errno));
	return 1;
}
