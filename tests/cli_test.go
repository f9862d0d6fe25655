package tests

import (
	"bufio"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// cliRoot is a directory root with a few programs for the CLI tests.
func cliRoot(t *testing.T) string {
	t.Helper()
	root := guestRoot(t, "static")
	// An ELF header for another machine (aarch64) and a truncated one.
	hdr := make([]byte, 64)
	copy(hdr, "\x7fELF\x02\x01\x01")
	binary.LittleEndian.PutUint16(hdr[16:], 2)
	binary.LittleEndian.PutUint16(hdr[18:], 183)
	os.WriteFile(filepath.Join(root, "bin", "arm64"), hdr, 0o755)
	os.WriteFile(filepath.Join(root, "bin", "truncated"), []byte("\x7fELF\x02\x01"), 0o755)
	os.WriteFile(filepath.Join(root, "bin", "noexec"), []byte("x"), 0o644)
	return root
}

func paddockArgs(t *testing.T, args ...string) result {
	t.Helper()
	bin := built(t, "paddock")
	return run(t, &exec.Cmd{Path: bin, Args: append([]string{bin}, args...), Env: []string{}}, "")
}

func TestCLI(t *testing.T) {
	root := cliRoot(t)
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string // a substring the output must contain
		stderr string
	}{
		{"help", []string{"help"}, 0, "paddock run [options]", ""},
		{"no args", nil, 2, "", "Usage:"},
		{"unknown command", []string{"frobnicate"}, 2, "", "unknown command"},
		{"bad flag", []string{"run", "--nonsense", "--", "/bin/hello"}, 2, "", "flag provided but not defined"},
		{"no root", []string{"run", "--", "/bin/hello"}, 125, "", "no root file system"},
		{"missing root", []string{"run", "--root", "/nonexistent/root", "--", "/bin/hello"}, 125, "", "/nonexistent/root"},
		{"not a root", []string{"run", "--root", "/etc/hostname", "--", "/bin/hello"}, 125, "", "not a directory, an ext4 image or a tar archive"},
		{"no command", []string{"run", "--root", root}, 2, "", "no command given"},
		{"command not found", []string{"run", "--root", root, "--", "nosuchcommand"}, 127, "", "command not found"},
		{"path not found", []string{"run", "--root", root, "--", "/bin/nosuch"}, 127, "", "no such file"},
		{"not executable", []string{"run", "--root", root, "--", "/bin/noexec"}, 126, "", "Permission denied"},
		{"other machine", []string{"run", "--root", root, "--", "/bin/arm64"}, 126, "", "not x86_64"},
		{"truncated ELF", []string{"run", "--root", root, "--", "/bin/truncated"}, 126, "", "ELF header truncated"},
		{"bad workdir", []string{"run", "--root", root, "-w", "/nonexistent", "--", "/bin/hello"}, 126, "", "working directory"},
		{"bad user", []string{"run", "--root", root, "--user", "bob", "--", "/bin/hello"}, 125, "", "user must be a number"},
		{"bad env", []string{"run", "--root", root, "-e", "NOEQUALS", "--", "/bin/hello"}, 125, "", "KEY=VALUE"},
		{"bad bind", []string{"run", "--root", root, "-v", "nocolon", "--", "/bin/hello"}, 125, "", "HOST:GUEST"},
		{"exit status", []string{"run", "--root", root, "--", "/bin/hello"}, 3, "hello, world", ""},
		{"PATH lookup", []string{"run", "--root", root, "-e", "PATH=/bin", "--", "hello"}, 3, "hello, world", ""},
		{"user", []string{"run", "--root", root, "--user", "1234:5678", "--", "/bin/ids"}, 0, "uid 1234 euid 1234", ""},
		{"verbose", []string{"run", "--root", root, "--verbose", "--", "/bin/nosys"}, 0, "ENOSYS", "unimplemented syscall"},
		{"bad net", []string{"run", "--root", root, "--net", "host", "--", "/bin/hello"}, 125, "", `--net "host": want nat or none`},
		{"bad forward", []string{"run", "--root", root, "-p", "80", "--", "/bin/hello"}, 125, "", "-p 80: want [HOSTIP:]HOSTPORT:GUESTPORT"},
		{"forward without nat", []string{"run", "--root", root, "--net", "none", "-p", "8080:80", "--", "/bin/hello"}, 125, "", "-p needs --net nat"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := paddockArgs(t, c.args...)
			if r.code != c.code || !strings.Contains(r.stdout, c.stdout) || !strings.Contains(r.stderr, c.stderr) {
				t.Errorf("paddock %s: %v\nwant exit %d, stdout containing %q, stderr containing %q",
					strings.Join(c.args, " "), r, c.code, c.stdout, c.stderr)
			}
			if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
				t.Errorf("paddock crashed: %s", r.stderr)
			}
			if c.code >= 125 && strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
				t.Errorf("error is not one line: %q", r.stderr)
			}
		})
	}
}

// TestQuiet checks that paddock's own diagnostics stay out of the guest's
// stderr unless asked for, and go to --log's file when it is given.
func TestQuiet(t *testing.T) {
	root := cliRoot(t)
	r := paddockArgs(t, "run", "--root", root, "--", "/bin/nosys")
	if r.code != 0 || r.stderr != "" {
		t.Errorf("paddock run nosys: %v, want exit 0 and nothing on stderr", r)
	}
	log := filepath.Join(t.TempDir(), "log")
	r = paddockArgs(t, "run", "--root", root, "--log", log, "--", "/bin/nosys")
	b, err := os.ReadFile(log)
	if r.code != 0 || r.stderr != "" || err != nil || !strings.Contains(string(b), "unimplemented syscall") {
		t.Errorf("paddock run --log: %v, log %q (%v)", r, b, err)
	}
}

// TestQuitDump sends paddock SIGQUIT while its guest sleeps: paddock
// prints a line for each guest task and ends with the guest's status
// for SIGQUIT.
func TestQuitDump(t *testing.T) {
	bin := built(t, "paddock")
	cmd := exec.Command(bin, "run", "--root", busyboxRoot(t), "--", "/bin/busybox", "sh", "-c", "echo ready; exec sleep 100")
	cmd.Env = []string{}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	// Once the guest has written, paddock listens for SIGQUIT.
	line, err := bufio.NewReader(out).ReadString('\n')
	if line != "ready\n" {
		t.Fatalf("guest said %q (%v); stderr: %s", line, err, stderr.String())
	}
	cmd.Process.Signal(syscall.SIGQUIT)
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 131 {
		t.Errorf("paddock ended with %v, want exit status 131", err)
	}
	if !strings.Contains(stderr.String(), "paddock: guest tasks (1):\n  pid 1 tid 1 ppid 0 (") {
		t.Errorf("no task dump in stderr:\n%s", stderr.String())
	}
}
