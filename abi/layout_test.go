//go:build linux && amd64

package abi

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// These tests check paddock's hand-written encodings against
// golang.org/x/sys/unix, whose linux/amd64 structs are generated from the
// kernel headers: an independent oracle for every offset.

func TestStatLayout(t *testing.T) {
	s := Stat{Dev: 1, Ino: 2, Nlink: 3, Mode: 4, UID: 5, GID: 6, Rdev: 7, Size: 8, Blksize: 9, Blocks: 10,
		Atime: Timespec{11, 12}, Mtime: Timespec{13, 14}, Ctime: Timespec{15, 16}}
	if got := unsafe.Sizeof(unix.Stat_t{}); got != SizeofStat {
		t.Fatalf("sizeof stat: %d, want %d", got, SizeofStat)
	}
	b := make([]byte, SizeofStat)
	s.Encode(b)
	u := (*unix.Stat_t)(unsafe.Pointer(&b[0]))
	want := unix.Stat_t{Dev: 1, Ino: 2, Nlink: 3, Mode: 4, Uid: 5, Gid: 6, Rdev: 7, Size: 8, Blksize: 9, Blocks: 10,
		Atim: unix.Timespec{Sec: 11, Nsec: 12}, Mtim: unix.Timespec{Sec: 13, Nsec: 14}, Ctim: unix.Timespec{Sec: 15, Nsec: 16}}
	if *u != want {
		t.Errorf("stat decoded as %+v, want %+v", *u, want)
	}
}

func TestStatxLayout(t *testing.T) {
	s := Statx{Mask: 1, Blksize: 2, Attributes: 3, Nlink: 4, UID: 5, GID: 6, Mode: 7, Ino: 8, Size: 9, Blocks: 10,
		AttributesMask: 11, Atime: StatxTimestamp{12, 13}, Btime: StatxTimestamp{14, 15}, Ctime: StatxTimestamp{16, 17},
		Mtime: StatxTimestamp{18, 19}, RdevMajor: 20, RdevMinor: 21, DevMajor: 22, DevMinor: 23, MntID: 24,
		DioMemAlign: 25, DioOffsetAlign: 26}
	if got := unsafe.Sizeof(unix.Statx_t{}); got != SizeofStatx {
		t.Fatalf("sizeof statx: %d, want %d", got, SizeofStatx)
	}
	b := make([]byte, SizeofStatx)
	s.Encode(b)
	u := (*unix.Statx_t)(unsafe.Pointer(&b[0]))
	checks := []struct {
		name      string
		got, want uint64
	}{
		{"mask", uint64(u.Mask), 1}, {"blksize", uint64(u.Blksize), 2}, {"attributes", u.Attributes, 3},
		{"nlink", uint64(u.Nlink), 4}, {"uid", uint64(u.Uid), 5}, {"gid", uint64(u.Gid), 6},
		{"mode", uint64(u.Mode), 7}, {"ino", u.Ino, 8}, {"size", u.Size, 9}, {"blocks", u.Blocks, 10},
		{"attributes_mask", u.Attributes_mask, 11},
		{"atime.sec", uint64(u.Atime.Sec), 12}, {"atime.nsec", uint64(u.Atime.Nsec), 13},
		{"btime.sec", uint64(u.Btime.Sec), 14}, {"btime.nsec", uint64(u.Btime.Nsec), 15},
		{"ctime.sec", uint64(u.Ctime.Sec), 16}, {"ctime.nsec", uint64(u.Ctime.Nsec), 17},
		{"mtime.sec", uint64(u.Mtime.Sec), 18}, {"mtime.nsec", uint64(u.Mtime.Nsec), 19},
		{"rdev_major", uint64(u.Rdev_major), 20}, {"rdev_minor", uint64(u.Rdev_minor), 21},
		{"dev_major", uint64(u.Dev_major), 22}, {"dev_minor", uint64(u.Dev_minor), 23},
		{"mnt_id", u.Mnt_id, 24}, {"dio_mem_align", uint64(u.Dio_mem_align), 25},
		{"dio_offset_align", uint64(u.Dio_offset_align), 26},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("statx %s = %d, want %d", c.name, c.got, c.want)
		}
	}
}

func TestStatfsLayout(t *testing.T) {
	s := Statfs{Type: 1, Bsize: 2, Blocks: 3, Bfree: 4, Bavail: 5, Files: 6, Ffree: 7, Fsid: [2]int32{8, 9},
		Namelen: 10, Frsize: 11, Flags: 12}
	if got := unsafe.Sizeof(unix.Statfs_t{}); got != SizeofStatfs {
		t.Fatalf("sizeof statfs: %d, want %d", got, SizeofStatfs)
	}
	b := make([]byte, SizeofStatfs)
	s.Encode(b)
	u := (*unix.Statfs_t)(unsafe.Pointer(&b[0]))
	want := unix.Statfs_t{Type: 1, Bsize: 2, Blocks: 3, Bfree: 4, Bavail: 5, Files: 6, Ffree: 7,
		Fsid: unix.Fsid{Val: [2]int32{8, 9}}, Namelen: 10, Frsize: 11, Flags: 12}
	if *u != want {
		t.Errorf("statfs decoded as %+v, want %+v", *u, want)
	}
}

func TestSysinfoLayout(t *testing.T) {
	s := Sysinfo{Uptime: 1, Loads: [3]uint64{2, 3, 4}, Totalram: 5, Freeram: 6, Sharedram: 7, Bufferram: 8,
		Totalswap: 9, Freeswap: 10, Procs: 11, Totalhigh: 12, Freehigh: 13, MemUnit: 14}
	if got := unsafe.Sizeof(unix.Sysinfo_t{}); got != SizeofSysinfo {
		t.Fatalf("sizeof sysinfo: %d, want %d", got, SizeofSysinfo)
	}
	b := make([]byte, SizeofSysinfo)
	s.Encode(b)
	u := (*unix.Sysinfo_t)(unsafe.Pointer(&b[0]))
	if u.Uptime != 1 || u.Loads != [3]uint64{2, 3, 4} || u.Totalram != 5 || u.Freeram != 6 || u.Sharedram != 7 ||
		u.Bufferram != 8 || u.Totalswap != 9 || u.Freeswap != 10 || u.Procs != 11 || u.Totalhigh != 12 ||
		u.Freehigh != 13 || u.Unit != 14 {
		t.Errorf("sysinfo decoded as %+v", *u)
	}
}

func TestRusageLayout(t *testing.T) {
	r := Rusage{Utime: Timeval{1, 2}, Stime: Timeval{3, 4}, Maxrss: 5, Ixrss: 6, Idrss: 7, Isrss: 8, Minflt: 9,
		Majflt: 10, Nswap: 11, Inblock: 12, Oublock: 13, Msgsnd: 14, Msgrcv: 15, Nsignals: 16, Nvcsw: 17, Nivcsw: 18}
	if got := unsafe.Sizeof(unix.Rusage{}); got != SizeofRusage {
		t.Fatalf("sizeof rusage: %d, want %d", got, SizeofRusage)
	}
	b := make([]byte, SizeofRusage)
	r.Encode(b)
	u := (*unix.Rusage)(unsafe.Pointer(&b[0]))
	want := unix.Rusage{Utime: unix.Timeval{Sec: 1, Usec: 2}, Stime: unix.Timeval{Sec: 3, Usec: 4}, Maxrss: 5,
		Ixrss: 6, Idrss: 7, Isrss: 8, Minflt: 9, Majflt: 10, Nswap: 11, Inblock: 12, Oublock: 13, Msgsnd: 14,
		Msgrcv: 15, Nsignals: 16, Nvcsw: 17, Nivcsw: 18}
	if *u != want {
		t.Errorf("rusage decoded as %+v", *u)
	}
}

func TestUtsnameLayout(t *testing.T) {
	u := Utsname{"Linux", "host", "6.1.0", "#1 SMP", "x86_64", "(none)"}
	if got := unsafe.Sizeof(unix.Utsname{}); got != SizeofUtsname {
		t.Fatalf("sizeof utsname: %d, want %d", got, SizeofUtsname)
	}
	b := make([]byte, SizeofUtsname)
	u.Encode(b)
	x := (*unix.Utsname)(unsafe.Pointer(&b[0]))
	if unix.ByteSliceToString(x.Sysname[:]) != "Linux" || unix.ByteSliceToString(x.Machine[:]) != "x86_64" ||
		unix.ByteSliceToString(x.Domainname[:]) != "(none)" {
		t.Errorf("utsname decoded as %q %q %q", x.Sysname[:8], x.Machine[:8], x.Domainname[:8])
	}
}

func TestDirent64Layout(t *testing.T) {
	d := Dirent64{Ino: 77, Off: 5, Type: DT_REG, Name: "hello"}
	b := make([]byte, 64)
	d.Encode(b)
	u := (*unix.Dirent)(unsafe.Pointer(&b[0]))
	if u.Ino != 77 || u.Off != 5 || u.Type != DT_REG || int(u.Reclen) != d.Reclen() || d.Reclen() != 32 {
		t.Errorf("dirent decoded as ino=%d off=%d type=%d reclen=%d", u.Ino, u.Off, u.Type, u.Reclen)
	}
	if got := unix.ByteSliceToString(b[unsafe.Offsetof(u.Name):]); got != "hello" {
		t.Errorf("dirent name %q", got)
	}
}

func TestSmallStructLayouts(t *testing.T) {
	cases := []struct {
		name      string
		abi, xsys uintptr
	}{
		{"timespec", SizeofTimespec, unsafe.Sizeof(unix.Timespec{})},
		{"timeval", SizeofTimeval, unsafe.Sizeof(unix.Timeval{})},
		{"rlimit", SizeofRlimit, unsafe.Sizeof(unix.Rlimit{})},
		{"iovec", SizeofIovec, unsafe.Sizeof(unix.Iovec{})},
		{"winsize", SizeofWinsize, unsafe.Sizeof(unix.Winsize{})},
		{"siginfo", SizeofSiginfo, unsafe.Sizeof(unix.Siginfo{})},
		{"flock", SizeofFlock, unsafe.Sizeof(unix.Flock_t{})},
	}
	for _, c := range cases {
		if c.abi != c.xsys {
			t.Errorf("sizeof %s: abi %d, x/sys %d", c.name, c.abi, c.xsys)
		}
	}
}

func TestMakedev(t *testing.T) {
	for _, c := range []struct{ maj, min uint32 }{{0, 0}, {1, 3}, {8, 1}, {136, 0}, {4095, 255}, {4096, 70000}, {259, 1 << 19}} {
		dev := Makedev(c.maj, c.min)
		if dev != unix.Mkdev(c.maj, c.min) {
			t.Errorf("Makedev(%d,%d) = %#x, x/sys %#x", c.maj, c.min, dev, unix.Mkdev(c.maj, c.min))
		}
		if Major(dev) != c.maj || Minor(dev) != c.min {
			t.Errorf("Major/Minor(%#x) = %d,%d want %d,%d", dev, Major(dev), Minor(dev), c.maj, c.min)
		}
	}
}

func TestEpollEventLayout(t *testing.T) {
	if got := unsafe.Sizeof(unix.EpollEvent{}); got != SizeofEpollEvent {
		t.Fatalf("sizeof epoll_event: %d, want %d", got, SizeofEpollEvent)
	}
	b := make([]byte, SizeofEpollEvent)
	e := EpollEvent{Events: POLLIN | EPOLLET, Data: 0x1122334455667788}
	e.Encode(b)
	u := (*unix.EpollEvent)(unsafe.Pointer(&b[0]))
	// x/sys splits the 64-bit data into Fd (low half) and Pad.
	if u.Events != POLLIN|EPOLLET || uint32(u.Fd) != 0x55667788 || uint32(u.Pad) != 0x11223344 {
		t.Errorf("epoll_event decoded as %+v", *u)
	}
	if DecodeEpollEvent(b) != e {
		t.Errorf("round trip: %+v", DecodeEpollEvent(b))
	}
}

func TestSignalfdSiginfoLayout(t *testing.T) {
	if got := unsafe.Sizeof(unix.SignalfdSiginfo{}); got != SizeofSignalfdSiginfo {
		t.Fatalf("sizeof signalfd_siginfo: %d, want %d", got, SizeofSignalfdSiginfo)
	}
	kill := Siginfo{Signo: SIGTERM, Code: SI_USER}
	kill.SetPid(7, 1000)
	queued := Siginfo{Signo: SIGRTMIN, Code: SI_QUEUE}
	queued.SetPid(8, 0)
	queued.SetValue(42)
	timer := Siginfo{Signo: SIGALRM, Code: SI_TIMER, Fields: [14]uint64{3 | 5<<32, 99}}
	child := Siginfo{Signo: SIGCHLD, Code: CLD_EXITED, Fields: [14]uint64{9 | 0<<32, 4, 11, 12}}
	fault := Siginfo{Signo: SIGSEGV, Code: SEGV_MAPERR, Fields: [14]uint64{0xdead}}
	cases := []struct {
		name string
		in   Siginfo
		want unix.SignalfdSiginfo
	}{
		{"kill", kill, unix.SignalfdSiginfo{Signo: uint32(SIGTERM), Pid: 7, Uid: 1000}},
		{"sigqueue", queued, unix.SignalfdSiginfo{Signo: uint32(SIGRTMIN), Code: SI_QUEUE, Pid: 8, Int: 42, Ptr: 42}},
		{"timer", timer, unix.SignalfdSiginfo{Signo: uint32(SIGALRM), Code: SI_TIMER, Tid: 3, Overrun: 5, Int: 99, Ptr: 99}},
		{"child", child, unix.SignalfdSiginfo{Signo: uint32(SIGCHLD), Code: CLD_EXITED, Pid: 9, Status: 4, Utime: 11, Stime: 12}},
		{"fault", fault, unix.SignalfdSiginfo{Signo: uint32(SIGSEGV), Code: SEGV_MAPERR, Addr: 0xdead}},
	}
	for _, c := range cases {
		b := make([]byte, SizeofSignalfdSiginfo)
		c.in.EncodeSignalfd(b)
		if got := *(*unix.SignalfdSiginfo)(unsafe.Pointer(&b[0])); got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}
