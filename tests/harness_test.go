// Package tests holds paddock's differential tests: the same guest program
// runs natively on the host (this machine is x86_64 Linux) and under
// paddock, and its output, exit status and files must agree.
package tests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// repo returns the repository root (the directory holding go.mod).
func repo(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("cannot find the repository root")
		}
		dir = parent
	}
}

// built returns a path under build/, failing if `make` has not made it.
func built(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(repo(t), "build", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is missing: run the tests with 'make test', which builds it", p)
	}
	return p
}

// result is what one run produced.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// runTimeout bounds every guest run, native or under paddock, so that a
// hang fails the test instead of stopping the suite.
const runTimeout = 2 * time.Minute

func run(t testing.TB, cmd *exec.Cmd, stdin string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	c := exec.CommandContext(ctx, cmd.Path, cmd.Args[1:]...)
	c.Dir, c.Env, c.SysProcAttr = cmd.Dir, cmd.Env, cmd.SysProcAttr
	if cmd.Path == filepath.Join(repo(t), "build", "paddock") {
		// paddock answers SIGQUIT with what each guest task is doing,
		// then ends: the failure says what hung.
		c.Cancel = func() error { return c.Process.Signal(syscall.SIGQUIT) }
		c.WaitDelay = 10 * time.Second
	}
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	c.Stdin = strings.NewReader(stdin)
	err := c.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s timed out after %v\nstdout: %s\nstderr: %s", strings.Join(cmd.Args, " "), runTimeout, out.String(), errb.String())
	}
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			code = 128 + int(ws.Signal())
		} else {
			code = ee.ExitCode()
		}
	case err != nil:
		t.Fatalf("running %s: %v", strings.Join(cmd.Args, " "), err)
	}
	return result{out.String(), errb.String(), code}
}

// baseEnv is the environment both sides get; paddock's defaults are the
// first three, in its order.
var baseEnv = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=paddock", "HOME=/root"}

// nativeCreds runs native guests as root without supplementary groups, as
// paddock's first process starts.
func nativeAttr(chroot string) *syscall.SysProcAttr {
	// A session of its own, as paddock's first process has: the job
	// control rules for orphaned process groups then apply alike.
	a := &syscall.SysProcAttr{Chroot: chroot, Setsid: true}
	if os.Getuid() == 0 {
		a.Credential = &syscall.Credential{Uid: 0, Gid: 0, Groups: []uint32{}, NoSetGroups: false}
		return a
	}
	// Not root: a user namespace maps the caller to root, which may then
	// chroot.
	a.Cloneflags = syscall.CLONE_NEWUSER
	a.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
	a.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
	return a
}

// native runs argv on the host: inside chroot if it is set, else with
// argv[0] a host path. Relative paths are relative to dir.
func native(t testing.TB, chroot, dir string, env []string, stdin string, argv ...string) result {
	t.Helper()
	cmd := &exec.Cmd{Path: argv[0], Args: argv, Dir: dir, Env: append(append([]string(nil), baseEnv...), env...),
		SysProcAttr: nativeAttr(chroot)}
	// With a chroot the child changes root before it changes directory and
	// executes the program, so argv[0] and dir are paths inside the root.
	return run(t, cmd, stdin)
}

// paddock runs argv under paddock with the given root and working
// directory.
func paddock(t testing.TB, root, workdir string, env []string, stdin string, argv ...string) result {
	t.Helper()
	bin := built(t, "paddock")
	args := []string{bin, "run", "--root", root}
	if workdir != "" {
		args = append(args, "-w", workdir)
	}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	args = append(args, "--")
	args = append(args, argv...)
	// paddock's own environment is clean so that it adds no TERM.
	cmd := &exec.Cmd{Path: bin, Args: args, Env: []string{}}
	return run(t, cmd, stdin)
}

// compare fails t unless the two runs printed the same and exited alike.
func compare(t testing.TB, what string, nat, pad result) {
	t.Helper()
	if nat.stdout == pad.stdout && nat.code == pad.code {
		return
	}
	t.Errorf("%s differs\n=== native: %v\n=== paddock: %v\n=== diff of stdout:\n%s", what, nat, pad, lineDiff(nat.stdout, pad.stdout))
}

// lineDiff shows the first lines where two outputs differ.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var sb strings.Builder
	shown := 0
	for i := 0; i < max(len(al), len(bl)) && shown < 10; i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			fmt.Fprintf(&sb, "line %d:\n  native:  %q\n  paddock: %q\n", i+1, x, y)
			shown++
		}
	}
	return sb.String()
}

// copyFile copies a host file, keeping its mode.
func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, fi.Mode().Perm()); err != nil {
		t.Fatal(err)
	}
}
