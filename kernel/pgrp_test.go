package kernel_test

import (
	"slices"
	"testing"

	"paddock/abi"
	"paddock/emu/cpu/cputest"
	"paddock/kernel/kerneltest"
)

// TestSessionRules checks setsid's and setpgid's rules (kernel/sys.c): a
// group leader cannot start a session; a child can, and leads its own
// session and group; a parent may move a child into a group of its own
// session but not one in another session, nor a child that has started
// a session of its own; pids with no process are ESRCH.
func TestSessionRules(t *testing.T) {
	var rec kerneltest.Recorder
	var a kerneltest.Asm
	note := func(what string) { a.Do(func(f *cputest.Fake) { rec.Add("%s: %s", what, kerneltest.Errno(f)) }) }
	// Two pipes: the children wait on the first until the parent is
	// done; child 0 tells the parent through the second that it has
	// started its session.
	a.Sys(abi.SYS_PIPE, bufAddr)
	a.Sys(abi.SYS_PIPE, bufAddr+8)
	fd := func(f *cputest.Fake, i uint64) uint64 { return uint64(f.Read(bufAddr+4*i, 1)[0]) }
	a.Sys(abi.SYS_SETSID)
	note("setsid as the session leader")
	readPipe := func(a *kerneltest.Asm) {
		a.SysFn(abi.SYS_READ, func(f *cputest.Fake) []uint64 { return []uint64{fd(f, 0), bufAddr + 16, 1} })
	}
	fork(&a, 0, func(a *kerneltest.Asm) {
		a.Sys(abi.SYS_SETSID)
		a.SysFn(abi.SYS_WRITE, func(f *cputest.Fake) []uint64 {
			f.Write(bufAddr+24, []byte{byte(kerneltest.Ret(f))})
			return []uint64{fd(f, 3), bufAddr + 24, 1}
		})
		readPipe(a)
		a.Exit(0)
	})
	fork(&a, 1, func(a *kerneltest.Asm) {
		readPipe(a)
		a.Exit(0)
	})
	a.SysFn(abi.SYS_READ, func(f *cputest.Fake) []uint64 { return []uint64{fd(f, 2), bufAddr + 32, 1} })
	a.Do(func(f *cputest.Fake) {
		rec.Add("child's setsid: its own session %v", uint64(f.Read(bufAddr+32, 1)[0]) == pid(f, 0)&0xff)
	})
	a.SysFn(abi.SYS_SETPGID, func(f *cputest.Fake) []uint64 { return []uint64{pid(f, 1), pid(f, 1)} })
	note("setpgid of a child into a group of its own")
	a.SysFn(abi.SYS_GETPGID, func(f *cputest.Fake) []uint64 { return []uint64{pid(f, 1)} })
	a.Do(func(f *cputest.Fake) { rec.Add("its group is itself: %v", uint64(kerneltest.Ret(f)) == pid(f, 1)) })
	a.SysFn(abi.SYS_SETPGID, func(f *cputest.Fake) []uint64 { return []uint64{pid(f, 1), 1} })
	note("setpgid of the child back into ours")
	a.SysFn(abi.SYS_SETPGID, func(f *cputest.Fake) []uint64 { return []uint64{pid(f, 0), 1} })
	note("setpgid of a child that leads a session")
	a.SysFn(abi.SYS_SETPGID, func(f *cputest.Fake) []uint64 { return []uint64{pid(f, 1), pid(f, 0)} })
	note("setpgid into a group of another session")
	a.Sys(abi.SYS_SETPGID, 999, 999)
	note("setpgid of no process")
	a.Sys(abi.SYS_GETSID, 999)
	note("getsid of no process")
	a.SysFn(abi.SYS_WRITE, func(f *cputest.Fake) []uint64 { return []uint64{fd(f, 1), bufAddr, 2} })
	a.Sys(abi.SYS_WAIT4, ^uint64(0), 0, 0, 0)
	a.Sys(abi.SYS_WAIT4, ^uint64(0), 0, 0, 0)
	a.Exit(0)
	kerneltest.Run(t, a.Program())
	want := []string{
		"setsid as the session leader: EPERM",
		"child's setsid: its own session true",
		"setpgid of a child into a group of its own: ok 0",
		"its group is itself: true",
		"setpgid of the child back into ours: ok 0",
		"setpgid of a child that leads a session: EPERM",
		"setpgid into a group of another session: EPERM",
		"setpgid of no process: ESRCH",
		"getsid of no process: ESRCH",
	}
	if got := rec.Seen(); !slices.Equal(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}
