// Command paddock runs Linux x86_64 programs (Alpine's first: musl, busybox)
// on paddock's emulated CPU and kernel.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"

	"paddock/abi"
	"paddock/kernel"
	"paddock/kernel/procfs"
	"paddock/kernel/sys"
	"paddock/rootfs"
)

const usage = `paddock runs Linux x86_64 programs in an emulated CPU and kernel.

Usage:
  paddock run [options] [--] COMMAND [ARG...]
  paddock help
  paddock version

The root file system (--root) is one of:
  a directory          used in place: the guest's writes change it, and
                       nothing outside it is reachable
  an ext4 image        read-only, with writes kept in memory
  a .tar or .tar.gz    read-only, with writes kept in memory
                       (for example alpine-minirootfs-3.20.3-x86_64.tar.gz)

COMMAND is looked up in the guest's PATH unless it contains a slash.
paddock exits with the command's exit status, or 128+N if signal N
killed it; 125 means paddock itself failed, 126 that the command could
not be run, 127 that it was not found.

Examples:
  paddock run --root alpine-minirootfs-3.20.3-x86_64.tar.gz -- /bin/busybox ls -la /etc
  paddock run --root alpine.ext4 -e LANG=C -w /tmp -- sh -c 'echo $((6*7))'
  paddock run --root ./rootdir --user 1000:1000 -- id

Options for run:
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Exit statuses of paddock itself, as docker run uses them.
const (
	exitPaddock   = 125
	exitCannotRun = 126
	exitNotFound  = 127
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func run(args []string, stdin, stdout, stderr *os.File) int {
	if len(args) == 0 {
		printUsage(stderr)
		return 2
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		printUsage(stdout)
		return 0
	case "version", "--version":
		fmt.Fprintln(stdout, "paddock", version())
		return 0
	case "run":
		return runCommand(args[1:], stdin, stdout, stderr)
	}
	fmt.Fprintf(stderr, "paddock: unknown command %q (try 'paddock help')\n", args[0])
	return 2
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, usage)
	var o options
	fs := runFlags(w)
	defineFlags(fs, &o)
	fs.PrintDefaults()
}

func version() string {
	return "0.1 (" + runtime.Version() + ")"
}

type options struct {
	root     string
	env      listFlag
	workdir  string
	user     string
	hostname string
	release  string
	binds    listFlag
	cpus     int
	trace    io.Writer
	traceTo  string
	profile  string
}

func runFlags(out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(out)
	return fs
}

func defineFlags(fs *flag.FlagSet, o *options) {
	fs.StringVar(&o.root, "root", os.Getenv("PADDOCK_ROOT"), "root file system: `DIR`, ext4 image or tar archive (default $PADDOCK_ROOT)")
	fs.Var(&o.env, "e", "set environment variable `KEY=VALUE` (repeatable)")
	fs.StringVar(&o.workdir, "w", "/", "working `DIR`ectory in the guest")
	fs.StringVar(&o.user, "user", "0:0", "run as `UID[:GID]`")
	fs.StringVar(&o.hostname, "hostname", "paddock", "the guest's host `NAME`")
	fs.StringVar(&o.release, "uname-release", "6.6.0-paddock", "kernel `RELEASE` uname reports")
	fs.Var(&o.binds, "v", "bind host directory `HOST:GUEST[:ro]` into the guest (repeatable)")
	fs.IntVar(&o.cpus, "cpus", runtime.NumCPU(), "number of `CPU`s the guest is told it has")
	fs.StringVar(&o.traceTo, "trace", "", "write a line per syscall to `FILE` (- for stderr)")
	fs.StringVar(&o.profile, "cpuprofile", "", "write a Go CPU profile of paddock itself to `FILE`")
}

func runCommand(args []string, stdin, stdout, stderr *os.File) int {
	var o options
	fs := runFlags(stderr)
	defineFlags(fs, &o)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: paddock run [options] [--] COMMAND [ARG...]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	cmd := fs.Args()
	if len(cmd) == 0 {
		fmt.Fprintln(stderr, "paddock: no command given (usage: paddock run [options] [--] COMMAND [ARG...])")
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "paddock: "+format+"\n", a...)
		return exitPaddock
	}
	if o.root == "" {
		return fail("no root file system: give --root DIR, IMAGE or TARBALL")
	}
	uid, gid, err := parseUser(o.user)
	if err != nil {
		return fail("--user %q: %v", o.user, err)
	}
	env, err := environment(o.env, o.hostname, uid)
	if err != nil {
		return fail("%v", err)
	}
	if o.cpus < 1 {
		return fail("--cpus must be at least 1")
	}
	switch o.traceTo {
	case "":
	case "-":
		o.trace = stderr
	default:
		f, err := os.Create(o.traceTo)
		if err != nil {
			return fail("--trace: %v", err)
		}
		defer f.Close()
		o.trace = f
	}

	if o.profile != "" {
		f, err := os.Create(o.profile)
		if err != nil {
			return fail("--cpuprofile: %v", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fail("--cpuprofile: %v", err)
		}
		defer pprof.StopCPUProfile()
	}

	// The guest gets EPIPE, and then its own SIGPIPE, when it writes to a
	// closed pipe; paddock itself must not die of the host's SIGPIPE.
	signal.Ignore(syscall.SIGPIPE)

	var rootKernel *kernel.Kernel
	now := func() abi.Timespec { return rootKernel.RealtimeNow() }
	rootFS, err := rootfs.Open(o.root, abi.Makedev(8, 1), now)
	if err != nil {
		return fail("root: %v", err)
	}
	k := kernel.New(kernel.Config{
		Root: rootFS, RootSource: "/dev/root", Hostname: o.hostname, Release: o.release,
		Version: "#1 SMP PREEMPT_DYNAMIC paddock", NumCPU: o.cpus,
		Stdin: stdin, Stdout: stdout, Stderr: stderr, Log: stderr, Trace: o.trace,
	}, sys.Table)
	rootKernel = k
	if err := k.MountStandard(procfs.New(k)); err != nil {
		return fail("%v", err)
	}
	for _, b := range o.binds {
		if err := bind(k, b); err != nil {
			return fail("-v %s: %v", b, err)
		}
	}
	creds := kernel.NewCredentials(uid, gid)
	path := envValue(env, "PATH")
	prog, err := k.LookPath(cmd[0], path, creds)
	switch {
	case errors.Is(err, abi.ENOENT) && !strings.Contains(cmd[0], "/"):
		fmt.Fprintf(stderr, "paddock: %s: command not found in the guest's PATH (%s)\n", cmd[0], path)
		return exitNotFound
	case errors.Is(err, abi.ENOENT):
		fmt.Fprintf(stderr, "paddock: %s: no such file in the guest\n", cmd[0])
		return exitNotFound
	case err != nil:
		fmt.Fprintf(stderr, "paddock: %s: %v\n", cmd[0], err)
		return exitCannotRun
	}
	if err := k.Start(kernel.StartSpec{Path: prog, Argv: cmd, Envp: env, Cwd: o.workdir, Creds: creds}); err != nil {
		fmt.Fprintf(stderr, "paddock: %v\n", err)
		return exitCannotRun
	}
	<-k.Done()
	st := k.InitStatus()
	if st.IsSignaled() {
		return 128 + int(st.Signal())
	}
	return st.ExitCode()
}

// parseUser parses UID[:GID]; the group defaults to the user id.
func parseUser(s string) (uint32, uint32, error) {
	u, g, hasG := strings.Cut(s, ":")
	uid, err := strconv.ParseUint(u, 10, 32)
	if err != nil {
		return 0, 0, fmt.Errorf("user must be a number")
	}
	gid := uid
	if hasG {
		if gid, err = strconv.ParseUint(g, 10, 32); err != nil {
			return 0, 0, fmt.Errorf("group must be a number")
		}
	}
	return uint32(uid), uint32(gid), nil
}

// defaultPath is the PATH docker gives a container.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// environment builds the guest's environment: PATH, HOSTNAME, HOME and,
// when the host has one, TERM; then the -e settings, which win.
func environment(set []string, hostname string, uid uint32) ([]string, error) {
	home := "/root"
	if uid != 0 {
		home = "/"
	}
	env := []string{"PATH=" + defaultPath, "HOSTNAME=" + hostname, "HOME=" + home}
	if term := os.Getenv("TERM"); term != "" {
		env = append(env, "TERM="+term)
	}
	for _, kv := range set {
		k, _, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("-e %q: want KEY=VALUE", kv)
		}
		replaced := false
		for i, e := range env {
			if strings.HasPrefix(e, k+"=") {
				env[i], replaced = kv, true
			}
		}
		if !replaced {
			env = append(env, kv)
		}
	}
	return env, nil
}

func envValue(env []string, key string) string {
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, key+"="); ok {
			return v
		}
	}
	return ""
}

// bind mounts a host directory into the guest (-v HOST:GUEST[:ro]).
func bind(k *kernel.Kernel, spec string) error {
	parts := strings.Split(spec, ":")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || !strings.HasPrefix(parts[1], "/") {
		return fmt.Errorf("want HOST:GUEST[:ro] with an absolute GUEST path")
	}
	ro := false
	if len(parts) == 3 {
		if parts[2] != "ro" && parts[2] != "rw" {
			return fmt.Errorf("unknown option %q (want ro or rw)", parts[2])
		}
		ro = parts[2] == "ro"
	}
	fi, err := os.Stat(parts[0])
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", parts[0])
	}
	fs, err := rootfs.NewHostDir(parts[0])
	if err != nil {
		return err
	}
	return k.Mount(parts[1], fs, parts[0], ro)
}
