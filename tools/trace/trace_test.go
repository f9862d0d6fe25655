package trace

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"paddock/abi"
	"paddock/kernel/sys"
)

var update = flag.Bool("update", false, "rewrite testdata/calls.golden from what the tracer prints")

// fakeTask is a task with a flat memory from address 0x1000.
type fakeTask struct {
	tid, pid int32
	mem      []byte
}

const memBase = 0x1000

func (f *fakeTask) TID() int32  { return f.tid }
func (f *fakeTask) TGID() int32 { return f.pid }
func (f *fakeTask) CopyIn(addr uint64, b []byte) error {
	if addr < memBase || addr-memBase+uint64(len(b)) > uint64(len(f.mem)) {
		return abi.EFAULT
	}
	copy(b, f.mem[addr-memBase:])
	return nil
}
func (f *fakeTask) Slept() time.Duration { return 0 }
func (f *fakeTask) FDPath(fd int32) (string, bool) {
	if fd == 3 {
		return "/etc/passwd", true
	}
	return "", false
}

// put stores b in the fake memory at addr.
func (f *fakeTask) put(addr uint64, b []byte) uint64 {
	copy(f.mem[addr-memBase:], b)
	return addr
}

func newFake(tid int32) *fakeTask { return &fakeTask{tid: tid, pid: tid, mem: make([]byte, 1<<16)} }

func TestQuote(t *testing.T) {
	for _, c := range []struct {
		in   string
		hex  bool
		want string
	}{
		{"hello\n", false, `"hello\n"`},
		{"tab\there \"q\" \\", false, `"tab\there \"q\" \\"`},
		{"\x00\x01x", false, `"\0\1x"`},
		{"\x001", false, `"\0001"`},
		{"\177ELF\x02", false, `"\177ELF\2"`},
		{"\xff\x00", true, `"\xff\x00"`},
	} {
		if got := quote([]byte(c.in), c.hex); got != c.want {
			t.Errorf("quote(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestFormats(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{flags(abi.PROT_READ|abi.PROT_WRITE, protFlags), "PROT_READ|PROT_WRITE"},
		{flags(abi.PROT_READ|0x100, protFlags), "PROT_READ|0x100"},
		{flags(0, protFlags), "0"},
		{enum(99, whence, "SEEK_???"), "0x63 /* SEEK_??? */"},
		{octal(0), "000"}, {octal(0o22), "022"}, {octal(0o644), "0644"}, {octal(0o177777), "0177777"},
		{hex(0), "0"}, {hex(0x1000), "0x1000"},
		{sigset(uint64(abi.SigSetOf(abi.SIGUSR1, abi.SIGUSR2))), "[USR1 USR2]"},
		{sigset(^uint64(abi.SigSetOf(abi.SIGKILL))), "~[KILL]"},
		{sigset(0), "[]"},
		{sigName(34), "SIGRT_2"},
	} {
		if c.got != c.want {
			t.Errorf("got %s, want %s", c.got, c.want)
		}
	}
}

// TestEveryCallDecodes prints every call of the syscall table with three
// sets of arguments, succeeding and failing, over a memory that holds a
// path, a buffer of text, iovecs, a pollfd, a sigset and structs the
// calls fill, and compares the lines with testdata/calls.golden (go test
// -update rewrites it: read the difference before committing it).
func TestEveryCallDecodes(t *testing.T) {
	task := newFake(1)
	words := func(v ...uint64) []byte {
		b := make([]byte, 8*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint64(b[8*i:], x)
		}
		return b
	}
	// memBase holds a path, and serves as a buffer, a struct and an
	// array of pointers (all NULL) alike; 0x2000 an iovec naming it.
	task.put(memBase, []byte("/etc/passwd\x00\x00\x00\x00\x00text\n\x00"))
	task.put(0x2000, words(memBase, 11))
	var out bytes.Buffer
	s := New(&out, Options{Follow: true, Syscalls: sys.Table})
	described := 0
	for nr := abi.Sysno(0); nr < abi.MaxSysno; nr++ {
		d, explain, ok := sys.Table.Describe(nr)
		if !ok {
			continue
		}
		described++
		if explain == "" {
			t.Errorf("%s has no explanation", nr.Name())
		}
		if len(d.Args) > 6 {
			t.Errorf("%s has %d arguments", nr.Name(), len(d.Args))
		}
		for _, args := range [][6]uint64{{}, {memBase, memBase, 1, 2, 3, 4}, {3, 0x2000, 1, 0, memBase, 1}} {
			s.SyscallEnter(task, nr, args)
			s.SyscallExit(task, nr, args, 11, 0)
			s.SyscallEnter(task, nr, args)
			s.SyscallExit(task, nr, args, 0, abi.EFAULT)
		}
	}
	if described < 190 {
		t.Errorf("only %d calls are described", described)
	}
	golden := filepath.Join("testdata", "calls.golden")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	got, wl := strings.Split(out.String(), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(got), len(wl)); i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("line %d of %s:\ngot:  %s\nwant: %s", i+1, golden, g, w)
		}
	}
}

// TestDecoders checks that every kind of argument has a decoder.
func TestDecoders(t *testing.T) {
	for k := abi.ArgKind(0); k < abi.NumArgKinds; k++ {
		if decoders[k].f == nil {
			t.Errorf("argument kind %d has no decoder", k)
		}
	}
}

// TestLines checks decoded lines against strace 6.1's (the ioctl line is
// strace's own, on a pseudo-terminal as tty.c opens it).
func TestLines(t *testing.T) {
	task := newFake(7)
	path := task.put(0x1100, []byte("/etc/passwd\x00"))
	data := task.put(0x1200, []byte("root:x:0:0:root:/root:/bin/sh\nbin:x:1:1\n"))
	st := make([]byte, abi.SizeofStat)
	(&abi.Stat{Mode: abi.S_IFREG | 0o644, Size: 42}).Encode(st)
	stAddr := task.put(0x1400, st)
	tb := make([]byte, abi.SizeofTermios)
	(&abi.Termios{Iflag: abi.ICRNL | abi.IXON, Oflag: abi.OPOST | abi.ONLCR, Cflag: abi.B38400 | abi.CS8 | abi.CREAD,
		Lflag: abi.ISIG | abi.ICANON | abi.ECHO | abi.ECHOE | abi.ECHOK | abi.IEXTEN | abi.ECHOCTL | abi.ECHOKE}).Encode(tb)
	tAddr := task.put(0x1600, tb)
	var out bytes.Buffer
	s := New(&out, Options{FDPaths: true, StringLimit: 16, Syscalls: sys.Table})
	call := func(nr abi.Sysno, ret uint64, errno abi.Errno, args ...uint64) {
		var a [6]uint64
		copy(a[:], args)
		s.SyscallEnter(task, nr, a)
		s.SyscallExit(task, nr, a, ret, errno)
	}
	atFDCWD := uint64(0xffffffffffffff9c)
	call(abi.SYS_OPENAT, 3, 0, atFDCWD, path, abi.O_RDONLY|abi.O_CLOEXEC)
	call(abi.SYS_OPENAT, 0, abi.ENOENT, atFDCWD, path, abi.O_WRONLY|abi.O_CREAT|abi.O_TRUNC, 0o644)
	call(abi.SYS_READ, 41, 0, 3, data, 4096)
	call(abi.SYS_FSTAT, 0, 0, 3, stAddr)
	call(abi.SYS_MMAP, 0x7f0000000000, 0, 0, 8192, abi.PROT_READ|abi.PROT_WRITE, abi.MAP_PRIVATE|abi.MAP_ANONYMOUS, ^uint64(0), 0)
	call(abi.SYS_UMASK, 0o22, 0, 0o77)
	call(abi.SYS_FCNTL, abi.O_RDWR|abi.O_LARGEFILE, 0, 3, abi.F_GETFL)
	call(abi.SYS_NANOSLEEP, 0, abi.ERESTART_RESTARTBLOCK, 0, 0)
	call(abi.SYS_IOCTL, 0, 0, 4, abi.TCGETS, tAddr)
	want := `openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3</etc/passwd>
openat(AT_FDCWD, "/etc/passwd", O_WRONLY|O_CREAT|O_TRUNC, 0644) = -1 ENOENT (No such file or directory)
read(3</etc/passwd>, "root:x:0:0:root:"..., 4096) = 41
fstat(3</etc/passwd>, {st_mode=S_IFREG|0644, st_size=42, ...}) = 0
mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000
umask(077)                              = 022
fcntl(3</etc/passwd>, F_GETFL)          = 0x8002 (flags O_RDWR|O_LARGEFILE)
nanosleep(NULL, NULL)                   = ? ERESTART_RESTARTBLOCK (Interrupted by signal)
ioctl(4, TCGETS, {c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE, ...}) = 0
`
	if out.String() != want {
		t.Errorf("trace:\n%s\nwant:\n%s", out.String(), want)
	}
}

// TestUnfinished checks strace's way with a call that blocks while
// another task's lines print.
func TestUnfinished(t *testing.T) {
	a, b := newFake(1), newFake(2)
	buf := a.put(0x1100, []byte("data"))
	b.put(0x1100, []byte("data"))
	var out bytes.Buffer
	s := New(&out, Options{Follow: true, PIDColumn: true, Syscalls: sys.Table})
	ptrs := func(v ...uint64) []byte {
		b := make([]byte, 8*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint64(b[8*i:], x)
		}
		return b
	}
	exe := [6]uint64{a.put(0x1200, []byte("/bin/prog\x00")),
		a.put(0x1300, ptrs(a.put(0x1210, []byte("prog\x00")), a.put(0x1220, []byte("a long argument, longer than thirty-two bytes\x00")), 0)),
		a.put(0x1340, ptrs(a.put(0x1260, []byte("X=1\x00")), 0))}
	s.SyscallEnter(a, abi.SYS_EXECVE, exe)
	s.SyscallExit(a, abi.SYS_EXECVE, exe, 0, 0)
	args := [6]uint64{0, buf, 4}
	s.SyscallEnter(a, abi.SYS_READ, args)
	s.SyscallEnter(b, abi.SYS_GETPID, [6]uint64{})
	s.SyscallExit(b, abi.SYS_GETPID, [6]uint64{}, 2, 0)
	s.SyscallExit(a, abi.SYS_READ, args, 4, 0)
	s.SyscallEnter(b, abi.SYS_EXIT_GROUP, [6]uint64{3})
	s.Exit(b, true, 3, 0, false)
	info := abi.Siginfo{Signo: abi.SIGCHLD, Code: abi.CLD_EXITED}
	info.SetPid(2, 0)
	info.SetStatus(3)
	s.Signal(a, info)
	s.Stopped(a, abi.SIGTTIN)
	s.Exit(a, false, 0, abi.SIGKILL, false)
	want := `1     execve("/bin/prog", ["prog", "a long argument, longer than thi"...], 0x1340 /* 1 var */) = 0
1     read(0,  <unfinished ...>
2     getpid()                          = 2
1     <... read resumed>"data", 4)      = 4
2     exit_group(3)                     = ?
2     +++ exited with 3 +++
1     --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=2, si_uid=0, si_status=3, si_utime=0, si_stime=0} ---
1     --- stopped by SIGTTIN ---
1     +++ killed by SIGKILL +++
`
	if out.String() != want {
		t.Errorf("trace:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestFilter(t *testing.T) {
	for _, c := range []struct {
		expr    []string
		in, out []abi.Sysno
	}{
		{[]string{"trace=openat,close"}, []abi.Sysno{abi.SYS_OPENAT, abi.SYS_CLOSE}, []abi.Sysno{abi.SYS_READ}},
		{[]string{"openat"}, []abi.Sysno{abi.SYS_OPENAT}, []abi.Sysno{abi.SYS_CLOSE}},
		{[]string{"trace=%file"}, []abi.Sysno{abi.SYS_OPENAT, abi.SYS_STAT, abi.SYS_EXECVE}, []abi.Sysno{abi.SYS_READ, abi.SYS_CLOSE}},
		{[]string{"trace=file"}, []abi.Sysno{abi.SYS_UNLINK}, []abi.Sysno{abi.SYS_WRITE}},
		{[]string{"trace=%process"}, []abi.Sysno{abi.SYS_CLONE, abi.SYS_WAIT4, abi.SYS_EXIT_GROUP}, []abi.Sysno{abi.SYS_OPENAT}},
		{[]string{"trace=!write"}, []abi.Sysno{abi.SYS_READ}, []abi.Sysno{abi.SYS_WRITE}},
		{[]string{"trace=/^rt_sig"}, []abi.Sysno{abi.SYS_RT_SIGACTION}, []abi.Sysno{abi.SYS_KILL}},
		{[]string{"trace=%memory"}, []abi.Sysno{abi.SYS_MMAP, abi.SYS_BRK}, []abi.Sysno{abi.SYS_READ}},
		{[]string{"trace=%stat"}, []abi.Sysno{abi.SYS_STAT}, []abi.Sysno{abi.SYS_FSTAT}},
		{[]string{"trace=?nosuchcall,read"}, []abi.Sysno{abi.SYS_READ}, []abi.Sysno{abi.SYS_WRITE}},
		{[]string{"trace=none"}, nil, []abi.Sysno{abi.SYS_READ}},
	} {
		f, err := ParseFilter(c.expr, sys.Table)
		if err != nil {
			t.Errorf("%v: %v", c.expr, err)
			continue
		}
		for _, nr := range c.in {
			if !f.call(nr) {
				t.Errorf("%v leaves out %s", c.expr, nr.Name())
			}
		}
		for _, nr := range c.out {
			if f.call(nr) {
				t.Errorf("%v takes %s", c.expr, nr.Name())
			}
		}
	}
	for _, bad := range []string{"trace=nosuchcall", "trace=%nosuchclass", "inject=read", "signal=SIGNOPE"} {
		if _, err := ParseFilter([]string{bad}, sys.Table); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	f, _ := ParseFilter([]string{"signal=!SIGCHLD"}, sys.Table)
	if f.signal(abi.SIGCHLD) || !f.signal(abi.SIGUSR1) {
		t.Error("signal=!SIGCHLD")
	}
}

func TestSummaryAndJSON(t *testing.T) {
	task := newFake(1)
	var out bytes.Buffer
	s := New(&out, Options{Summary: true, Syscalls: sys.Table})
	for range 3 {
		s.SyscallEnter(task, abi.SYS_GETPID, [6]uint64{})
		s.SyscallExit(task, abi.SYS_GETPID, [6]uint64{}, 1, 0)
	}
	s.SyscallEnter(task, abi.SYS_CLOSE, [6]uint64{9})
	s.SyscallExit(task, abi.SYS_CLOSE, [6]uint64{9}, 0, abi.EBADF)
	s.Close()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 6 || !strings.HasPrefix(lines[0], "% time") || !strings.HasSuffix(lines[5], " 4         1 total") {
		t.Fatalf("summary:\n%s", out.String())
	}
	out.Reset()
	s = New(&out, Options{JSON: true, Syscalls: sys.Table})
	path := task.put(0x1100, []byte("x\x00"))
	s.SyscallEnter(task, abi.SYS_UNLINK, [6]uint64{path})
	s.SyscallExit(task, abi.SYS_UNLINK, [6]uint64{path}, 0, abi.ENOENT)
	var j struct {
		Name, Errno string
		Args        []string
		Ret         int64
		Raw         []uint64
	}
	if err := json.Unmarshal(out.Bytes(), &j); err != nil {
		t.Fatal(err, out.String())
	}
	if j.Name != "unlink" || j.Errno != "ENOENT" || j.Ret != -1 || len(j.Args) != 1 || j.Args[0] != `"x"` || j.Raw[0] != path {
		t.Errorf("json: %+v", j)
	}
}
