package abi

import "testing"

func TestErrnoText(t *testing.T) {
	cases := []struct {
		e          Errno
		name, text string
	}{
		{ENOENT, "ENOENT", "No such file or directory"},
		{EAGAIN, "EAGAIN", "Resource temporarily unavailable"},
		{EWOULDBLOCK, "EAGAIN", "Resource temporarily unavailable"},
		{ENOSYS, "ENOSYS", "Function not implemented"},
		{ERESTARTSYS, "ERESTARTSYS", "Unknown error 512"},
		{4000, "4000", "Unknown error 4000"},
	}
	for _, c := range cases {
		if c.e.Name() != c.name || c.e.Error() != c.text {
			t.Errorf("errno %d: %q %q, want %q %q", c.e, c.e.Name(), c.e.Error(), c.name, c.text)
		}
	}
}

func TestSysnoNames(t *testing.T) {
	cases := []struct {
		n    Sysno
		name string
	}{
		{0, "read"}, {SYS_OPENAT, "openat"}, {257, "openat"}, {SYS_EXIT_GROUP, "exit_group"},
		{SYS_CLONE3, "clone3"}, {SYS_STATX, "statx"}, {511, "syscall_511"},
	}
	for _, c := range cases {
		if got := c.n.Name(); got != c.name {
			t.Errorf("Sysno(%d).Name() = %q, want %q", c.n, got, c.name)
		}
	}
	if n, ok := SysnoByName("getppid"); !ok || n != 110 {
		t.Errorf("SysnoByName(getppid) = %d, %v", n, ok)
	}
}

func TestSignalNames(t *testing.T) {
	cases := []struct {
		s    Signal
		name string
	}{{SIGSEGV, "SIGSEGV"}, {SIGCHLD, "SIGCHLD"}, {SIGRTMIN, "SIGRTMIN"}, {SIGRTMIN + 3, "SIGRT_3"}, {65, "65"}}
	for _, c := range cases {
		if c.s.String() != c.name {
			t.Errorf("Signal(%d) = %q, want %q", int(c.s), c.s.String(), c.name)
		}
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	b := make([]byte, 256)
	sa := SigAction{Handler: 0x401000, Flags: SA_SIGINFO | SA_RESTORER, Restorer: 0x402000, Mask: SigSetOf(SIGINT, SIGUSR1)}
	sa.Encode(b)
	if got := DecodeSigAction(b); got != sa {
		t.Errorf("sigaction round trip: %+v", got)
	}
	fl := Flock{Type: F_WRLCK, Whence: SEEK_END, Start: -10, Len: -5, Pid: 42}
	fl.Encode(b)
	if got := DecodeFlock(b); got != fl {
		t.Errorf("flock round trip: %+v", got)
	}
	tm := Termios{Iflag: 1, Oflag: 2, Cflag: 3, Lflag: 4, Line: 5, Cc: [NCCS]uint8{1, 2, 3, 18: 19}}
	tm.Encode(b)
	if got := DecodeTermios(b); got != tm {
		t.Errorf("termios round trip: %+v", got)
	}
	si := Siginfo{Signo: SIGCHLD, Code: CLD_EXITED}
	si.SetPid(7, 1000)
	si.SetStatus(3)
	si.Encode(b)
	if got := DecodeSiginfo(b); got != si || got.Pid() != 7 || got.UID() != 1000 || got.Status() != 3 {
		t.Errorf("siginfo round trip: %+v", got)
	}
	if le.Uint32(b[16:]) != 7 || le.Uint32(b[20:]) != 1000 || le.Uint32(b[24:]) != 3 {
		t.Errorf("siginfo chld fields at wrong offsets: % x", b[16:28])
	}
	stat := Stat{Dev: 1, Ino: 2, Nlink: 3, Mode: S_IFREG | 0o644, UID: 4, GID: 5, Rdev: 6, Size: 7, Blksize: 8, Blocks: 9,
		Atime: Timespec{10, 11}, Mtime: Timespec{12, 13}, Ctime: Timespec{14, 15}}
	stat.Encode(b)
	if got := DecodeStat(b); got != stat {
		t.Errorf("stat round trip: %+v", got)
	}
	stx := Statx{Mask: 0x7ff, Blksize: 1, Attributes: 2, Nlink: 3, UID: 4, GID: 5, Mode: S_IFDIR | 0o755, Ino: 6, Size: 7,
		Blocks: 8, AttributesMask: 9, Atime: StatxTimestamp{10, 11}, Btime: StatxTimestamp{12, 13},
		Ctime: StatxTimestamp{14, 15}, Mtime: StatxTimestamp{16, 17}, RdevMajor: 18, RdevMinor: 19,
		DevMajor: 20, DevMinor: 21, MntID: 22, DioMemAlign: 23, DioOffsetAlign: 24}
	stx.Encode(b)
	if got := DecodeStatx(b); got != stx {
		t.Errorf("statx round trip: %+v", got)
	}
	pfd := PollFD{FD: -1, Events: POLLIN | POLLOUT, Revents: POLLNVAL}
	pfd.Encode(b)
	if got := DecodePollFD(b); got != pfd || le.Uint32(b) != 0xffffffff || le.Uint16(b[6:]) != POLLNVAL {
		t.Errorf("pollfd round trip: %+v", got)
	}
	uts := Utsname{"Linux", "host", "6.6.0", "#1", "x86_64", "(none)"}
	ub := make([]byte, SizeofUtsname)
	uts.Encode(ub)
	if got := DecodeUtsname(ub); got != uts {
		t.Errorf("utsname round trip: %+v", got)
	}
	st := StackT{Sp: 0x1000, Flags: SS_DISABLE, Size: 8192}
	st.Encode(b)
	if got := DecodeStackT(b); got != st {
		t.Errorf("stack_t round trip: %+v", got)
	}
}

func TestTimespec(t *testing.T) {
	cases := []struct {
		ns   int64
		want Timespec
	}{{0, Timespec{0, 0}}, {1_500_000_000, Timespec{1, 500_000_000}}, {-1, Timespec{-1, 999_999_999}}}
	for _, c := range cases {
		if got := NsecTimespec(c.ns); got != c.want || got.Nsec64() != c.ns {
			t.Errorf("NsecTimespec(%d) = %+v", c.ns, got)
		}
	}
	if (Timespec{0, 1e9}).Valid() || (Timespec{-1, 0}).Valid() || !(Timespec{5, 0}).Valid() {
		t.Error("Timespec.Valid wrong")
	}
}

// TestCloneArgsLayout checks DecodeCloneArgs against the offsets of
// struct clone_args in include/uapi/linux/sched.h, and that a version 0
// struct leaves the later fields zero.
func TestCloneArgsLayout(t *testing.T) {
	b := make([]byte, SizeofCloneArgsVer2)
	for i := 0; i < 11; i++ {
		b[8*i] = byte(i + 1)
	}
	got := DecodeCloneArgs(b)
	want := CloneArgs{Flags: 1, Pidfd: 2, ChildTID: 3, ParentTID: 4, ExitSignal: 5, Stack: 6, StackSize: 7, TLS: 8,
		SetTID: 9, SetTIDSize: 10, Cgroup: 11}
	if got != want {
		t.Errorf("decoded %+v, want %+v", got, want)
	}
	got = DecodeCloneArgs(b[:SizeofCloneArgsVer0])
	want.SetTID, want.SetTIDSize, want.Cgroup = 0, 0, 0
	if got != want {
		t.Errorf("version 0 decoded %+v, want %+v", got, want)
	}
}

// TestSigcontextLayout checks struct sigcontext's offsets
// (arch/x86/include/uapi/asm/sigcontext.h): eighteen 64-bit registers,
// four 16-bit selectors, then err, trapno, oldmask, cr2 and fpstate.
func TestSigcontextLayout(t *testing.T) {
	s := Sigcontext{R8: 1, R15: 8, RDI: 9, RAX: 14, RSP: 16, RIP: 17, Eflags: 18, CS: 0x33, GS: 2, FS: 3, SS: 0x2b,
		Err: 19, Trapno: 20, Oldmask: 21, CR2: 22, Fpstate: 23}
	b := make([]byte, SizeofSigcontext)
	s.Encode(b)
	for _, c := range []struct {
		off  int
		want uint64
		size int
	}{{0, 1, 8}, {56, 8, 8}, {64, 9, 8}, {104, 14, 8}, {120, 16, 8}, {128, 17, 8}, {136, 18, 8},
		{144, 0x33, 2}, {146, 2, 2}, {148, 3, 2}, {150, 0x2b, 2},
		{152, 19, 8}, {160, 20, 8}, {168, 21, 8}, {176, 22, 8}, {184, 23, 8}} {
		got := le.Uint64(b[c.off:])
		if c.size == 2 {
			got = uint64(le.Uint16(b[c.off:]))
		}
		if got != c.want {
			t.Errorf("offset %d: %d, want %d", c.off, got, c.want)
		}
	}
	if back := DecodeSigcontext(b); back != s {
		t.Errorf("decoded %+v, want %+v", back, s)
	}
}
