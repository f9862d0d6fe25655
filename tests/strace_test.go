package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// straceGuests are the guest programs whose traces are compared with
// Debian's strace -f: they touch files, descriptors, pipes, signals and
// processes.
// procs and wait are not among them: under ptrace an ignored signal still
// interrupts a sleep, and a killed child's last calls race its killer;
// nor pipes2, whose readers and writers race, nor tmpfile, whose names
// are random.
var straceGuests = []string{"hello", "open", "rw", "rwv", "dup", "fcntl", "pipes", "links", "rename", "dirs", "signals", "truncate", "perm", "stat", "fds", "fifo", "getdents", "paths", "jobstop"}

// straceExact are the calls whose whole decoded line must match, where it
// names no address: their arguments and results do not depend on where
// or when the program runs. The rest are compared by name, because pids,
// addresses, times and directory sizes differ between a host and paddock.
var straceExact = map[string]bool{
	"open": true, "openat": true, "close": true, "read": true, "write": true, "writev": true, "readv": true,
	"mkdir": true, "rmdir": true, "unlink": true, "unlinkat": true, "rename": true, "renameat": true, "renameat2": true,
	"link": true, "linkat": true, "symlink": true, "symlinkat": true, "readlink": true, "chmod": true, "fchmod": true,
	"dup": true, "dup2": true, "dup3": true, "pipe": true, "pipe2": true, "fcntl": true,
	"ftruncate": true, "truncate": true, "access": true, "faccessat": true, "chdir": true, "umask": true,
	"rt_sigprocmask": true, "exit_group": true, "exit": true, "+++": true,
}

// straceOrSkip returns Debian's strace, or skips the test where there is
// none or it may not trace (ptrace refused).
func straceOrSkip(t *testing.T) string {
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace is not installed")
	}
	if out, err := exec.Command(strace, "-f", "-qq", "-o", os.DevNull, "true").CombinedOutput(); err != nil {
		t.Skipf("strace cannot trace on this host: %v %s", err, out)
	}
	return strace
}

// vdsoCalls are the calls the vDSO answers natively.
var vdsoCalls = map[string]bool{"clock_gettime": true, "gettimeofday": true, "time": true, "getcpu": true}

// TestStraceMatchesNative runs guest programs under Debian's strace -f and
// under paddock --strace and compares the traces per process: the same
// calls in the same order, and the same lines for straceExact's calls.
// Explained differences: the calls musl makes
// through the vDSO natively (clock_gettime, gettimeofday, time, getcpu)
// are real syscalls under paddock, which has no vDSO, so they are left
// out of both traces.
func TestStraceMatchesNative(t *testing.T) {
	strace := straceOrSkip(t)
	for _, kind := range []string{"static", "dynamic"} {
		t.Run(kind, func(t *testing.T) {
			root := guestRoot(t, kind)
			for _, name := range straceGuests {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					dir := t.TempDir()
					natOut := filepath.Join(dir, "native.trace")
					argv := append([]string{strace, "-f", "-q", "-o", natOut, "--", filepath.Join(root, "bin", name)}, guestArgs[name]...)
					work := filepath.Join(dir, "work")
					os.Mkdir(work, 0o755)
					nat := native(t, "", work, guestEnv, "", argv...)
					if nat.code == skipStatus {
						t.Skipf("the native run skipped: %s", nat.stdout)
					}
					padOut := filepath.Join(dir, "paddock.trace")
					opts := []string{"--strace=" + padOut}
					for _, e := range guestEnv {
						opts = append(opts, "-e", e)
					}
					pad := paddockWith(t, root, "/tmp", opts, "", append([]string{"/bin/" + name}, guestArgs[name]...)...)
					if nat.stdout != pad.stdout || nat.code != pad.code {
						t.Fatalf("the runs differ before their traces do:\n%s", lineDiff(nat.stdout, pad.stdout))
					}
					compareTraces(t, readFile(t, natOut), readFile(t, padOut))
				})
			}
		})
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// traceEvent is one call, signal or exit of a traced process.
type traceEvent struct {
	name, line string
}

var (
	traceLine = regexp.MustCompile(`^(\d+) +(.*)$`)
	resumed   = regexp.MustCompile(`^<\.\.\. ([a-z0-9_]+) resumed>(.*)$`)
	callName  = regexp.MustCompile(`^([a-z0-9_]+)\(`)
	padding   = regexp.MustCompile(`\) +=`)
	// interrupted is the result of a call a signal interrupted, which
	// runs again or fails with EINTR after the signal.
	interrupted = regexp.MustCompile(`\) = \? ERESTART(SYS|NOINTR|NOHAND|_RESTARTBLOCK) `)
)

// traceProc is one traced task's events and the SIGCHLD it got, which
// are counted apart: when a child's SIGCHLD arrives, before its parent's
// wait or after, is a race. So is a call that SIGCHLD interrupted
// (= ? ERESTARTSYS, before the signal's line), which is left out: under
// ptrace even an ignored SIGCHLD interrupts a sleep, and the call runs
// again after it.
type traceProc struct {
	events  []traceEvent
	sigchld int
}

// forkResult finds the new task's id in a fork, vfork or clone line.
var forkResult = regexp.MustCompile(`^(?:fork|vfork|clone|clone3)\(.*\) = (\d+)$`)

// parseTrace splits a strace -f -o trace into its tasks, joining each
// call's unfinished and resumed halves, and names each task by its place
// in the tree of forks ("1", then "1.2" for the second task the first one
// created): a name that does not depend on which task the host ran first.
func parseTrace(t *testing.T, text string) map[string]*traceProc {
	byPid := map[string]*traceProc{}
	var first string
	open := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		m := traceLine.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("not a strace -f -o line: %q", l)
		}
		pid, rest := m[1], m[2]
		p := byPid[pid]
		if p == nil {
			p = &traceProc{}
			byPid[pid] = p
			if first == "" {
				first = pid
			}
		}
		if head, ok := strings.CutSuffix(rest, " <unfinished ...>"); ok {
			open[pid] = head
			continue
		}
		if r := resumed.FindStringSubmatch(rest); r != nil {
			rest = open[pid] + r[2]
			delete(open, pid)
		}
		rest = padding.ReplaceAllString(rest, ") =")
		var name string
		switch {
		case strings.HasPrefix(rest, "--- SIGCHLD "):
			p.sigchld++
			if n := len(p.events); n > 0 && interrupted.MatchString(p.events[n-1].line) {
				p.events = p.events[:n-1]
			}
			continue
		case strings.HasPrefix(rest, "---"):
			name = "---"
		case strings.HasPrefix(rest, "+++"):
			name = "+++"
		default:
			c := callName.FindStringSubmatch(rest)
			if c == nil {
				t.Fatalf("no call in %q", l)
			}
			name = c[1]
			if vdsoCalls[name] {
				continue
			}
		}
		p.events = append(p.events, traceEvent{name, rest})
	}
	named := map[string]*traceProc{}
	var walk func(pid, name string)
	walk = func(pid, name string) {
		p := byPid[pid]
		if p == nil || named[name] != nil {
			return
		}
		named[name] = p
		k := 0
		for _, e := range p.events {
			if m := forkResult.FindStringSubmatch(e.line); m != nil {
				k++
				walk(m[1], name+"."+strconv.Itoa(k))
			}
		}
	}
	walk(first, "1")
	if len(named) != len(byPid) {
		t.Fatalf("%d tasks in the trace, %d found through their forks:\n%s", len(byPid), len(named), text)
	}
	return named
}

// compareTraces compares a native and a paddock trace, task by task.
func compareTraces(t *testing.T, nativeText, paddockText string) {
	nat, pad := parseTrace(t, nativeText), parseTrace(t, paddockText)
	if len(nat) != len(pad) {
		t.Fatalf("%d tasks natively, %d under paddock\nnative:\n%s\npaddock:\n%s", len(nat), len(pad), nativeText, paddockText)
	}
	for name, np := range nat {
		pp := pad[name]
		if pp == nil {
			t.Fatalf("task %s is missing under paddock\npaddock:\n%s", name, paddockText)
		}
		if np.sigchld != pp.sigchld {
			t.Errorf("task %s: %d SIGCHLD natively, %d under paddock", name, np.sigchld, pp.sigchld)
		}
		n, q := np.events, pp.events
		for i := 0; i < max(len(n), len(q)); i++ {
			if i >= len(n) || i >= len(q) || n[i].name != q[i].name {
				t.Fatalf("task %s, event %d: the calls differ\nnative:\n%s\npaddock:\n%s", name, i+1, events(n, i), events(q, i))
			}
			// The program's own path differs: the host's, the guest's.
			exe := strings.Contains(n[i].line, "/proc/self/exe")
			if straceExact[n[i].name] && !exe && !strings.Contains(n[i].line, "0x") && n[i].line != q[i].line {
				t.Errorf("task %s, event %d:\nnative:  %s\npaddock: %s", name, i+1, n[i].line, q[i].line)
			}
		}
	}
}

// events shows the events around the i-th.
func events(ev []traceEvent, i int) string {
	var b strings.Builder
	for j := max(0, i-3); j < min(len(ev), i+3); j++ {
		mark := "  "
		if j == i {
			mark = "> "
		}
		b.WriteString(mark + ev[j].line + "\n")
	}
	return b.String()
}

// straceApplets are busybox commands whose traces are compared with
// strace -f's, run in a copy of the busybox root as the working directory
// on both sides, so that relative paths name the same files.
var straceApplets = [][]string{
	{"cat", "data/hello.txt"},
	{"wc", "-l", "data/lines.txt"},
	{"sort", "-r", "data/lines.txt"},
	{"head", "-n", "2", "data/lines.txt"},
	{"cp", "data/hello.txt", "tmp/copy.txt"},
	{"mkdir", "-p", "tmp/a/b/c"},
	{"ls", "-1", "data"},
	{"sha256sum", "data/hello.txt"},
	{"sh", "-c", "echo hi > tmp/x; cat tmp/x; rm tmp/x"},
	{"grep", "-c", "a", "data/lines.txt"},
}

// TestStraceBusybox compares the traces of busybox commands.
func TestStraceBusybox(t *testing.T) {
	strace := straceOrSkip(t)
	template := busyboxRoot(t)
	os.WriteFile(filepath.Join(template, "data", "hello.txt"), []byte("hello, world\n"), 0o644)
	os.WriteFile(filepath.Join(template, "data", "lines.txt"), []byte("pear\napple\nbanana\ncherry\n"), 0o644)
	for _, a := range straceApplets {
		t.Run(strings.Join(a, " "), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			natRoot, padRoot := filepath.Join(dir, "native"), filepath.Join(dir, "paddock")
			copyTree(t, template, natRoot)
			copyTree(t, template, padRoot)
			natOut, padOut := filepath.Join(dir, "native.trace"), filepath.Join(dir, "paddock.trace")
			argv := append([]string{strace, "-f", "-q", "-o", natOut, "--", filepath.Join(natRoot, "bin", "busybox")}, a...)
			nat := native(t, "", natRoot, nil, "", argv...)
			pad := paddockWith(t, padRoot, "/", []string{"--strace=" + padOut}, "", append([]string{"/bin/busybox"}, a...)...)
			if nat.stdout != pad.stdout || nat.code != pad.code {
				t.Fatalf("the runs differ before their traces do:\n%s", lineDiff(nat.stdout, pad.stdout))
			}
			compareTraces(t, readFile(t, natOut), readFile(t, padOut))
		})
	}
}
