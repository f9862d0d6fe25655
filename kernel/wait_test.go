package kernel_test

import (
	"encoding/binary"
	"fmt"
	"slices"
	"testing"

	"paddock/abi"
	"paddock/emu/cpu/cputest"
	"paddock/kernel/kerneltest"
)

// fork makes a child that runs child's steps (which must end it), while
// the parent goes on; the child's pid is kept at pidAddr+8*slot.
func fork(a *kerneltest.Asm, slot int, child func(a *kerneltest.Asm)) {
	label := fmt.Sprintf("child%d", slot)
	a.Sys(abi.SYS_FORK)
	a.JumpIf(func(f *cputest.Fake) bool { return kerneltest.Ret(f) == 0 }, label)
	a.Do(func(f *cputest.Fake) {
		f.Write(pidAddr+8*uint64(slot), binary.LittleEndian.AppendUint64(nil, uint64(kerneltest.Ret(f))))
	})
	a.Jump(label + "-end")
	a.Label(label)
	child(a)
	a.Label(label + "-end")
}

// pidAddr is where fork keeps the children's pids.
const pidAddr = cputest.DataAddr + 0x400

// pid returns the pid fork kept in slot.
func pid(f *cputest.Fake, slot int) uint64 { return u64(f, pidAddr+8*uint64(slot)) }

// status decodes the wait status at statAddr as the C macros do.
func status(f *cputest.Fake) string {
	st := binary.LittleEndian.Uint32(f.Read(statAddr, 4))
	switch {
	case st&0x7f == 0:
		return fmt.Sprintf("exited %d", st>>8&0xff)
	case st&0xff == 0x7f:
		return fmt.Sprintf("stopped %d", st>>8&0xff)
	}
	return fmt.Sprintf("killed %d", st&0x7f)
}

// TestWait checks wait4's choices and statuses (kernel/exit.c): a given
// child or any, WNOHANG with a child still running, the status of an
// exit and of a kill, ECHILD when none is left, and waitid's WNOWAIT,
// which leaves the zombie for the next wait.
func TestWait(t *testing.T) {
	var rec kerneltest.Recorder
	var a kerneltest.Asm
	who := func(f *cputest.Fake, slot int) string {
		if uint64(kerneltest.Ret(f)) == pid(f, slot) {
			return "child " + fmt.Sprint(slot)
		}
		return kerneltest.Errno(f)
	}
	// Child 0 exits with 3, child 1 with 5; child 2 waits on a pipe that
	// never has data, until it is killed.
	a.Sys(abi.SYS_PIPE, bufAddr)
	fork(&a, 0, func(a *kerneltest.Asm) { a.Exit(3) })
	fork(&a, 1, func(a *kerneltest.Asm) { a.Exit(5) })
	fork(&a, 2, func(a *kerneltest.Asm) {
		a.SysFn(abi.SYS_READ, func(f *cputest.Fake) []uint64 {
			return []uint64{uint64(binary.LittleEndian.Uint32(f.Read(bufAddr, 4))), bufAddr + 16, 1}
		})
		a.Exit(9)
	})
	a.SysFn(abi.SYS_WAIT4, func(f *cputest.Fake) []uint64 { return []uint64{pid(f, 2), statAddr, abi.WNOHANG, 0} })
	a.Do(func(f *cputest.Fake) { rec.Add("WNOHANG on a running child: %s", kerneltest.Errno(f)) })
	a.SysFn(abi.SYS_WAIT4, func(f *cputest.Fake) []uint64 { return []uint64{pid(f, 1), statAddr, 0, 0} })
	a.Do(func(f *cputest.Fake) { rec.Add("wait for child 1: %s, %s", who(f, 1), status(f)) })
	// waitid(P_PID, child 0, WEXITED|WNOWAIT) leaves it a zombie.
	a.SysFn(abi.SYS_WAITID, func(f *cputest.Fake) []uint64 {
		return []uint64{abi.P_PID, pid(f, 0), bufAddr + 0x100, abi.WEXITED | abi.WNOWAIT, 0}
	})
	a.Do(func(f *cputest.Fake) { rec.Add("waitid WNOWAIT: %s", kerneltest.Errno(f)) })
	a.Sys(abi.SYS_WAIT4, ^uint64(0), statAddr, 0, 0)
	a.Do(func(f *cputest.Fake) { rec.Add("wait for any: %s, %s", who(f, 0), status(f)) })
	a.SysFn(abi.SYS_KILL, func(f *cputest.Fake) []uint64 { return []uint64{pid(f, 2), uint64(abi.SIGKILL)} })
	a.Sys(abi.SYS_WAIT4, ^uint64(0), statAddr, 0, 0)
	a.Do(func(f *cputest.Fake) { rec.Add("wait for any: %s, %s", who(f, 2), status(f)) })
	a.Sys(abi.SYS_WAIT4, ^uint64(0), statAddr, 0, 0)
	a.Do(func(f *cputest.Fake) { rec.Add("no child left: %s", kerneltest.Errno(f)) })
	a.Exit(0)
	kerneltest.Run(t, a.Program())
	want := []string{
		"WNOHANG on a running child: ok 0",
		"wait for child 1: child 1, exited 5",
		"waitid WNOWAIT: ok 0",
		"wait for any: child 0, exited 3",
		"wait for any: child 2, killed 9",
		"no child left: ECHILD",
	}
	if got := rec.Seen(); !slices.Equal(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}
