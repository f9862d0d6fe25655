// Command paddock runs Linux x86_64 programs (Alpine's first: musl, busybox)
// on paddock's emulated CPU and kernel.
package main

import (
	"bufio"
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
	"paddock/kernel/console"
	"paddock/kernel/net"
	"paddock/kernel/observe"
	"paddock/kernel/procfs"
	"paddock/kernel/sys"
	"paddock/rootfs"
	"paddock/tools/gdb"
	"paddock/tools/trace"
)

const usage = `paddock runs Linux x86_64 programs in an emulated CPU and kernel.

Usage:
  paddock run [options] [--] COMMAND [ARG...]
  paddock strace [strace options] [options] [--] COMMAND [ARG...]
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
not be run, 127 that it was not found. Sent SIGQUIT (kill -QUIT),
paddock prints what each guest task is doing and ends the guest (131).

paddock strace traces the command as strace does, from paddock's own
kernel: it takes strace's -f -e -s -o -t -tt -ttt -T -c -C -y, and the
run options, with --env for the environment (-e is strace's there).

Examples:
  paddock run --root alpine-minirootfs-3.20.3-x86_64.tar.gz -- /bin/busybox ls -la /etc
  paddock run --root alpine.ext4 -e LANG=C -w /tmp -- sh -c 'echo $((6*7))'
  paddock run --root ./rootdir --user 1000:1000 -- id
  paddock strace --root alpine.tar.gz -f -e trace=%file -- ls /etc

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
		return runCommand(args[1:], false, stdin, stdout, stderr)
	case "strace":
		return runCommand(args[1:], true, stdin, stdout, stderr)
	}
	fmt.Fprintf(stderr, "paddock: unknown command %q (try 'paddock help')\n", args[0])
	return 2
}

func printUsage(w io.Writer) {
	io.WriteString(w, usage)
	var o options
	fs := runFlags(w)
	defineFlags(fs, &o, false)
	fs.PrintDefaults()
	fmt.Fprint(w, "\nOptions for strace, besides those of run (with --env for -e):\n")
	fs = runFlags(w)
	defineStraceFlags(fs, &o)
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
	profile  string
	strace   straceOptions
	code     codeOptions
	gdb      string
	verbose  bool
	log      string
	network  string
	publish  listFlag
}

// codeOptions are the options that watch guest code: instruction traces,
// coverage and profiles.
type codeOptions struct {
	itrace   optionalFile
	syms     listFlag
	ranges   listFlag
	pids     listFlag
	start    string
	limit    uint64
	att      bool
	regs     bool
	coverage string
	profile  string
}

// straceOptions are the options that turn on and shape the syscall trace.
type straceOptions struct {
	to         optionalFile // --strace[=FILE]
	output     string       // strace's -o FILE
	follow     bool
	exprs      listFlag
	strlen     int
	t, tt, ttt bool
	durations  bool
	summary    bool
	summaryToo bool
	fdPaths    bool
	format     string
	explain    bool
}

// optionalFile is a flag that may be given alone (stderr) or with =FILE.
type optionalFile struct {
	set  bool
	path string
}

func (f *optionalFile) String() string   { return f.path }
func (f *optionalFile) IsBoolFlag() bool { return true }
func (f *optionalFile) Set(s string) error {
	f.set = true
	if s != "true" {
		f.path = s
	}
	return nil
}

func runFlags(out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(out)
	return fs
}

// defineFlags defines run's options; under strace, the environment flag
// is --env, for -e is strace's.
func defineFlags(fs *flag.FlagSet, o *options, strace bool) {
	fs.StringVar(&o.root, "root", os.Getenv("PADDOCK_ROOT"), "root file system: `DIR`, ext4 image or tar archive (default $PADDOCK_ROOT)")
	envFlag := "e"
	if strace {
		envFlag = "env"
	}
	fs.Var(&o.env, envFlag, "set environment variable `KEY=VALUE` (repeatable)")
	fs.StringVar(&o.workdir, "w", "/", "working `DIR`ectory in the guest")
	fs.StringVar(&o.user, "user", "0:0", "run as `UID[:GID]`")
	fs.StringVar(&o.hostname, "hostname", "paddock", "the guest's host `NAME`")
	fs.StringVar(&o.release, "uname-release", "6.6.0-paddock", "kernel `RELEASE` uname reports")
	fs.Var(&o.binds, "v", "bind host directory `HOST:GUEST[:ro]` into the guest (repeatable)")
	fs.IntVar(&o.cpus, "cpus", runtime.NumCPU(), "number of `CPU`s the guest is told it has")
	fs.StringVar(&o.profile, "cpuprofile", "", "write a Go CPU profile of paddock itself to `FILE`")
	fs.StringVar(&o.network, "net", "nat", "the guest's network: `MODE` nat (eth0 behind a NAT to the host's network; the host's loopback is 10.0.2.2) or none (loopback only)")
	fs.Var(&o.publish, "p", "forward host port to guest port, `[HOSTIP:]HOSTPORT:GUESTPORT[/udp]` as docker's -p (repeatable; needs --net nat)")
	fs.BoolVar(&o.verbose, "verbose", false, "report paddock's own diagnostics (unimplemented syscalls) on stderr")
	fs.StringVar(&o.log, "log", "", "write paddock's own diagnostics to `FILE`")
	c := &o.code
	fs.Var(&c.itrace, "itrace", "trace every instruction, to stderr or with =`FILE` to a file")
	fs.Var(&c.syms, "itrace-sym", "trace only `FUNCTION`, or LIB:FUNCTION for a library by file name or soname, as libc.so:strlen (repeatable)")
	fs.Var(&c.ranges, "itrace-range", "trace only addresses `LO-HI` (hex) (repeatable)")
	fs.Var(&c.pids, "itrace-pid", "trace only process `PID` (repeatable)")
	fs.StringVar(&c.start, "itrace-start", "", "trace nothing before the first call of `FUNCTION`")
	fs.Uint64Var(&c.limit, "itrace-limit", 0, "stop the instruction trace after `N` instructions")
	fs.BoolVar(&c.att, "itrace-att", false, "disassemble in AT&T syntax instead of Intel's")
	fs.BoolVar(&c.regs, "itrace-regs", false, "show the registers each instruction changed (slower)")
	fs.StringVar(&c.coverage, "coverage", "", "write the basic blocks that ran to `FILE` in drcov format")
	fs.StringVar(&c.profile, "profile", "", "write a pprof profile of the guest's instructions by function to `FILE`")
	fs.StringVar(&o.gdb, "gdb", "", "wait for gdb at `ADDRESS` (as :1234) before the first instruction, and let it debug the first process")
	if !strace {
		fs.Var(&o.strace.to, "strace", "trace syscalls as strace -f does, to stderr or with =`FILE` to a file")
		fs.BoolVar(&o.strace.explain, "strace-explain", false, "trace syscalls, with a note on what each does the first time it appears")
		fs.StringVar(&o.strace.format, "trace-format", "text", "the syscall trace's `FORMAT`: text (strace's) or json (an object per call)")
	}
}

// defineStraceFlags defines strace's own options, for paddock strace.
func defineStraceFlags(fs *flag.FlagSet, o *options) {
	s := &o.strace
	fs.BoolVar(&s.follow, "f", false, "trace child processes and threads too")
	fs.Var(&s.exprs, "e", "which calls and signals to show: `trace=SET` or signal=SET (repeatable)")
	fs.IntVar(&s.strlen, "s", 32, "print at most `N` bytes of each string")
	fs.StringVar(&s.output, "o", "", "write the trace to `FILE`")
	fs.BoolVar(&s.t, "t", false, "prefix each line with the time of day")
	fs.BoolVar(&s.tt, "tt", false, "prefix each line with the time of day in microseconds")
	fs.BoolVar(&s.ttt, "ttt", false, "prefix each line with the time in seconds since the epoch")
	fs.BoolVar(&s.durations, "T", false, "show the time spent in each call")
	fs.BoolVar(&s.summary, "c", false, "count calls, errors and time, and print a table instead of the trace")
	fs.BoolVar(&s.summaryToo, "C", false, "print the trace and the table")
	fs.BoolVar(&s.fdPaths, "y", false, "print the paths of file descriptors")
	fs.BoolVar(&s.explain, "explain", false, "add a note on what each call does the first time it appears")
	fs.StringVar(&s.format, "trace-format", "text", "`FORMAT`: text (strace's) or json (an object per call)")
}

func runCommand(args []string, strace bool, stdin, stdout, stderr *os.File) int {
	var o options
	fs := runFlags(stderr)
	defineFlags(fs, &o, strace)
	name := "run"
	if strace {
		name = "strace"
		defineStraceFlags(fs, &o)
		o.strace.to.set = true
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: paddock %s [options] [--] COMMAND [ARG...]\n\n", name)
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
	var forwards []net.Forward
	for _, p := range o.publish {
		f, err := net.ParseForward(p)
		if err != nil {
			return fail("-p %s: %v", p, err)
		}
		forwards = append(forwards, f)
	}
	switch {
	case o.network != "nat" && o.network != "none":
		return fail("--net %q: want nat or none", o.network)
	case o.network == "none" && len(forwards) > 0:
		return fail("-p needs --net nat")
	}
	tracer, closeTrace, err := newTracer(&o.strace, strace, stderr)
	if err != nil {
		return fail("%v", err)
	}
	defer closeTrace()
	codeTracer, closeCode, err := newCodeTracer(&o.code, stderr)
	if err != nil {
		return fail("%v", err)
	}
	defer closeCode()

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

	// paddock's diagnostics go where the user asks, never unasked into
	// the guest's stderr.
	var logTo io.Writer
	switch {
	case o.log != "":
		f, err := os.OpenFile(o.log, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return fail("--log: %v", err)
		}
		defer f.Close()
		logTo = f
	case o.verbose:
		logTo = stderr
	}

	var rootKernel *kernel.Kernel
	now := func() abi.Timespec { return rootKernel.RealtimeNow() }
	rootFS, err := rootfs.Open(o.root, abi.Makedev(8, 1), now)
	if err != nil {
		return fail("root: %v", err)
	}
	cfg := kernel.Config{
		Root: rootFS, RootSource: "/dev/root", Hostname: o.hostname, Release: o.release,
		Version: "#1 SMP PREEMPT_DYNAMIC paddock", NumCPU: o.cpus,
		Stdio: console.Files(stdin, stdout, stderr), Log: logTo,
	}
	if tracer != nil {
		cfg.Tracer = tracer
	}
	if codeTracer != nil {
		cfg.CodeTracer = codeTracer
	}
	var stub *gdb.Stub
	if o.gdb != "" {
		if stub, err = gdb.Listen(o.gdb); err != nil {
			return fail("--gdb: %v", err)
		}
		cfg.Debugger = stub
		fmt.Fprintf(stderr, "paddock: waiting for gdb at %s (target remote %s)\n", stub.Addr(), stub.Addr())
	}
	k := kernel.New(cfg, sys.Table)
	rootKernel = k
	if err := k.MountStandard(procfs.New(k)); err != nil {
		return fail("%v", err)
	}
	for _, b := range o.binds {
		if err := bind(k, b); err != nil {
			return fail("-v %s: %v", b, err)
		}
	}
	if o.network == "nat" {
		if err := k.Net().EnableNAT(); err != nil {
			return fail("--net nat: %v", err)
		}
		defer k.Net().Close()
	}
	for _, f := range forwards {
		if err := k.Net().AddForward(f); err != nil {
			return fail("-p %s: %v", f, err)
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
	defer dumpOnQuit(k, stderr)()
	if stub != nil {
		stub.Interrupt = func() {
			if p := k.InitProcess(); p != nil {
				k.SendSignal(p, abi.Siginfo{Signo: abi.SIGINT, Code: abi.SI_KERNEL})
			}
		}
		stub.Kill = func() {
			if p := k.InitProcess(); p != nil {
				k.GroupExit(p, kernel.Signaled(abi.SIGKILL, false))
			}
		}
		go stub.Serve()
	}
	if err := k.Start(kernel.StartSpec{Path: prog, Argv: cmd, Envp: env, Cwd: o.workdir, Creds: creds}); err != nil {
		fmt.Fprintf(stderr, "paddock: %v\n", err)
		return exitCannotRun
	}
	<-k.Done()
	if stub != nil {
		// The kernel is done before the debugger has told gdb.
		stub.Wait()
	}
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

// newTracer builds the syscall tracer the options ask for, or nil. Under
// paddock strace, strace's defaults hold (the first process only, no pid
// column); --strace on run follows every process, as strace -f.
// The function it returns writes -c's table and closes the trace file.
func newTracer(s *straceOptions, strace bool, stderr *os.File) (*trace.Strace, func(), error) {
	if s.explain {
		s.to.set = true
	}
	if s.output != "" {
		s.to.path = s.output
	}
	if !s.to.set {
		return nil, func() {}, nil
	}
	filter, err := trace.ParseFilter(s.exprs, sys.Table)
	if err != nil {
		return nil, nil, err
	}
	if s.format != "text" && s.format != "json" {
		return nil, nil, fmt.Errorf("--trace-format %q: use text or json", s.format)
	}
	opts := trace.Options{
		Follow: s.follow || !strace, StringLimit: s.strlen, Durations: s.durations, FDPaths: s.fdPaths,
		Summary: s.summary, SummaryToo: s.summaryToo, JSON: s.format == "json", Explain: s.explain, Filter: filter,
		Syscalls: sys.Table,
	}
	switch {
	case s.ttt:
		opts.Timestamps = 3
	case s.tt:
		opts.Timestamps = 2
	case s.t:
		opts.Timestamps = 1
	}
	if s.to.path == "" || s.to.path == "-" {
		t := trace.New(stderr, opts)
		return t, t.Close, nil
	}
	f, err := os.Create(s.to.path)
	if err != nil {
		return nil, nil, fmt.Errorf("trace file: %v", err)
	}
	// strace -o FILE -f puts the pid at the start of every line.
	opts.PIDColumn = opts.Follow
	w := bufio.NewWriterSize(f, 1<<16)
	t := trace.New(w, opts)
	return t, func() {
		t.Close()
		w.Flush()
		f.Close()
	}, nil
}

// newCodeTracer builds the code tracers the options ask for, or nil; the
// function it returns writes their files.
func newCodeTracer(c *codeOptions, stderr *os.File) (observe.CodeTracer, func(), error) {
	var tee trace.Tee
	var closers []func() error
	if c.itrace.set {
		opts := trace.ItraceOptions{Syms: c.syms, Start: c.start, Limit: c.limit, ATT: c.att, Regs: c.regs}
		for _, r := range c.ranges {
			lo, hi, ok := strings.Cut(r, "-")
			l, err1 := strconv.ParseUint(strings.TrimPrefix(lo, "0x"), 16, 64)
			h, err2 := strconv.ParseUint(strings.TrimPrefix(hi, "0x"), 16, 64)
			if !ok || err1 != nil || err2 != nil || h <= l {
				return nil, nil, fmt.Errorf("--itrace-range %q: want LO-HI in hex, LO below HI", r)
			}
			opts.Ranges = append(opts.Ranges, [2]uint64{l, h})
		}
		for _, p := range c.pids {
			n, err := strconv.ParseInt(p, 10, 32)
			if err != nil {
				return nil, nil, fmt.Errorf("--itrace-pid %q: not a number", p)
			}
			opts.PIDs = append(opts.PIDs, int32(n))
		}
		w := io.Writer(stderr)
		if c.itrace.path != "" && c.itrace.path != "-" {
			f, err := os.Create(c.itrace.path)
			if err != nil {
				return nil, nil, fmt.Errorf("--itrace: %v", err)
			}
			closers = append(closers, f.Close)
			w = f
		}
		it := trace.NewItrace(w, opts)
		tee = append(tee, it)
		closers = append([]func() error{it.Close}, closers...)
	}
	for _, out := range []struct {
		path string
		make func() (observe.CodeTracer, io.WriterTo)
	}{
		{c.coverage, func() (observe.CodeTracer, io.WriterTo) { x := trace.NewCoverage(); return x, x }},
		{c.profile, func() (observe.CodeTracer, io.WriterTo) { x := trace.NewProfile(); return x, x }},
	} {
		if out.path == "" {
			continue
		}
		f, err := os.Create(out.path)
		if err != nil {
			return nil, nil, err
		}
		ct, wt := out.make()
		tee = append(tee, ct)
		closers = append(closers, func() error {
			if _, err := wt.WriteTo(f); err != nil {
				f.Close()
				return err
			}
			return f.Close()
		})
	}
	if len(tee) == 0 {
		return nil, func() {}, nil
	}
	return tee, func() {
		for _, cl := range closers {
			if err := cl(); err != nil {
				fmt.Fprintf(stderr, "paddock: %v\n", err)
			}
		}
	}, nil
}
