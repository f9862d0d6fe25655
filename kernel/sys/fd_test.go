package sys_test

import (
	"encoding/binary"
	"slices"
	"testing"

	"paddock/abi"
	"paddock/emu/cpu/cputest"
	"paddock/kernel/kerneltest"
)

// run runs the steps of a guest that records what its calls returned,
// and returns the records.
func run(t *testing.T, steps func(a *kerneltest.Asm, note func(what string), rec *kerneltest.Recorder)) []string {
	t.Helper()
	var rec kerneltest.Recorder
	var a kerneltest.Asm
	steps(&a, func(what string) { a.Do(func(f *cputest.Fake) { rec.Add("%s: %s", what, kerneltest.Errno(f)) }) }, &rec)
	a.Exit(0)
	k := kerneltest.Run(t, a.Program())
	if k.Status() != "exit 0" {
		t.Fatalf("the guest ended with %s", k.Status())
	}
	return rec.Seen()
}

func check(t *testing.T, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

// TestDescriptors checks the descriptor table's rules (fs/file.c): the
// lowest free number, dup2 onto itself and onto an open descriptor,
// dup3's EINVAL where dup2 succeeds, F_DUPFD's floor, close-on-exec flags,
// and EBADF.
func TestDescriptors(t *testing.T) {
	got := run(t, func(a *kerneltest.Asm, note func(string), rec *kerneltest.Recorder) {
		a.Do(func(f *cputest.Fake) { f.Write(kerneltest.PathAddr, []byte("/dev/null\x00")) })
		a.Sys(abi.SYS_OPENAT, uint64(abi.AT_FDCWD&0xffffffff), kerneltest.PathAddr, abi.O_RDONLY, 0)
		note("open with 0, 1 and 2 closed")
		a.Sys(abi.SYS_OPENAT, uint64(abi.AT_FDCWD&0xffffffff), kerneltest.PathAddr, abi.O_RDONLY|abi.O_CLOEXEC, 0)
		note("open O_CLOEXEC")
		a.Sys(abi.SYS_FCNTL, 1, abi.F_GETFD)
		note("F_GETFD of it")
		a.Sys(abi.SYS_DUP, 1)
		note("dup")
		a.Sys(abi.SYS_FCNTL, 2, abi.F_GETFD)
		note("F_GETFD of the dup")
		a.Sys(abi.SYS_CLOSE, 0)
		a.Sys(abi.SYS_DUP, 2)
		note("dup after closing 0")
		a.Sys(abi.SYS_DUP2, 1, 1)
		note("dup2 onto itself")
		a.Sys(abi.SYS_DUP3, 1, 1, 0)
		note("dup3 onto itself")
		a.Sys(abi.SYS_DUP3, 1, 5, abi.O_NONBLOCK)
		note("dup3 with a flag other than O_CLOEXEC")
		a.Sys(abi.SYS_DUP2, 1, 2)
		note("dup2 onto an open descriptor")
		a.Sys(abi.SYS_FCNTL, 1, abi.F_DUPFD, 10)
		note("F_DUPFD from 10")
		a.Sys(abi.SYS_FCNTL, 1, abi.F_DUPFD_CLOEXEC, 10)
		note("F_DUPFD_CLOEXEC from 10")
		a.Sys(abi.SYS_FCNTL, 11, abi.F_GETFD)
		note("F_GETFD of that")
		a.Sys(abi.SYS_CLOSE, 42)
		note("close of a closed descriptor")
		a.Sys(abi.SYS_DUP2, 42, 3)
		note("dup2 of a closed descriptor")
		a.Sys(abi.SYS_FCNTL, 1, abi.F_DUPFD, 1<<20)
		note("F_DUPFD past RLIMIT_NOFILE")
	})
	check(t, got, []string{
		"open with 0, 1 and 2 closed: ok 0",
		"open O_CLOEXEC: ok 1",
		"F_GETFD of it: ok 1",
		"dup: ok 2",
		"F_GETFD of the dup: ok 0",
		"dup after closing 0: ok 0",
		"dup2 onto itself: ok 1",
		"dup3 onto itself: EINVAL",
		"dup3 with a flag other than O_CLOEXEC: EINVAL",
		"dup2 onto an open descriptor: ok 2",
		"F_DUPFD from 10: ok 10",
		"F_DUPFD_CLOEXEC from 10: ok 11",
		"F_GETFD of that: ok 1",
		"close of a closed descriptor: EBADF",
		"dup2 of a closed descriptor: EBADF",
		"F_DUPFD past RLIMIT_NOFILE: EINVAL",
	})
}

// rlimit stores a struct rlimit at kerneltest.BufAddr.
func rlimit(a *kerneltest.Asm, cur, max uint64) {
	a.Do(func(f *cputest.Fake) {
		f.Write(kerneltest.BufAddr, binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, cur), max))
	})
}

// TestRlimits checks setrlimit's and prlimit's rules (kernel/sys.c
// do_prlimit): soft above hard is EINVAL, only a privileged process
// raises a hard limit, an unknown resource is EINVAL, another process
// that is not there ESRCH; and RLIMIT_NOFILE caps new descriptors
// (EMFILE).
func TestRlimits(t *testing.T) {
	got := run(t, func(a *kerneltest.Asm, note func(string), rec *kerneltest.Recorder) {
		rlimit(a, 10, 5)
		a.Sys(abi.SYS_SETRLIMIT, abi.RLIMIT_NOFILE, kerneltest.BufAddr)
		note("soft above hard")
		rlimit(a, 3, 4)
		a.Sys(abi.SYS_SETRLIMIT, abi.RLIMIT_NOFILE, kerneltest.BufAddr)
		note("NOFILE 3:4")
		a.Do(func(f *cputest.Fake) { f.Write(kerneltest.PathAddr, []byte("/dev/null\x00")) })
		a.Sys(abi.SYS_OPENAT, uint64(abi.AT_FDCWD&0xffffffff), kerneltest.PathAddr, abi.O_RDONLY, 0)
		a.Sys(abi.SYS_DUP, 0)
		note("dup with 1 and 2 free")
		a.Sys(abi.SYS_DUP, 0)
		a.Sys(abi.SYS_DUP, 0)
		note("dup past the limit")
		a.Sys(abi.SYS_GETRLIMIT, abi.RLIMIT_NOFILE, kerneltest.BufAddr+32)
		a.Do(func(f *cputest.Fake) {
			b := f.Read(kerneltest.BufAddr+32, 16)
			rec.Add("getrlimit: %d %d", binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:]))
		})
		a.Sys(abi.SYS_SETRLIMIT, 99, kerneltest.BufAddr)
		note("unknown resource")
		a.Sys(abi.SYS_PRLIMIT64, 999, abi.RLIMIT_NOFILE, 0, kerneltest.BufAddr)
		note("prlimit of no process")
		a.Sys(abi.SYS_SETUID, 1000)
		rlimit(a, 3, 8)
		a.Sys(abi.SYS_SETRLIMIT, abi.RLIMIT_NOFILE, kerneltest.BufAddr)
		note("raising the hard limit unprivileged")
		rlimit(a, 2, 3)
		a.Sys(abi.SYS_SETRLIMIT, abi.RLIMIT_NOFILE, kerneltest.BufAddr)
		note("lowering it")
	})
	check(t, got, []string{
		"soft above hard: EINVAL",
		"NOFILE 3:4: ok 0",
		"dup with 1 and 2 free: ok 1",
		"dup past the limit: EMFILE",
		"getrlimit: 3 4",
		"unknown resource: EINVAL",
		"prlimit of no process: ESRCH",
		"raising the hard limit unprivileged: EPERM",
		"lowering it: ok 0",
	})
}
