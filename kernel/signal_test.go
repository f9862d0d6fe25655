package kernel_test

import (
	"encoding/binary"
	"slices"
	"testing"

	"paddock/abi"
	"paddock/emu/cpu/cputest"
	"paddock/kernel/kerneltest"
)

// Guest memory the tests use, in the program's data segment.
const (
	actAddr  = cputest.DataAddr         // a struct sigaction
	setAddr  = cputest.DataAddr + 0x100 // a sigset_t
	oldAddr  = cputest.DataAddr + 0x200 // another
	statAddr = cputest.DataAddr + 0x300 // a wait status
	bufAddr  = cputest.DataAddr + 0x1000
)

// sigaction installs a handler for sig, with the restorer and mask given.
func sigaction(a *kerneltest.Asm, sig abi.Signal, handler, restorer uint64, flags uint64, mask abi.SigSet) {
	a.Do(func(f *cputest.Fake) {
		b := make([]byte, abi.SizeofSigAction)
		act := abi.SigAction{Handler: handler, Flags: flags | abi.SA_RESTORER, Restorer: restorer, Mask: mask}
		act.Encode(b)
		f.Write(actAddr, b)
	})
	a.Sys(abi.SYS_RT_SIGACTION, uint64(sig), actAddr, 0, 8)
}

// sigprocmask sets the signal mask with how.
func sigprocmask(a *kerneltest.Asm, how int, set abi.SigSet) {
	a.Do(func(f *cputest.Fake) { f.Write(setAddr, binary.LittleEndian.AppendUint64(nil, uint64(set))) })
	a.Sys(abi.SYS_RT_SIGPROCMASK, uint64(how), setAddr, 0, 8)
}

// TestDeliveryOrder checks the order in which pending signals reach their
// handlers once unblocked. They are dequeued standard signals first,
// lowest first and once however often they were sent, then real-time
// signals, lowest first and once per sending (next_signal and the RT
// sigqueue); a frame is set up for each before the task returns to user
// mode (exit_to_user_mode_loop), so the handlers, each interrupting the
// one before, run in the opposite order. Native Linux prints the same
// order for the same program.
func TestDeliveryOrder(t *testing.T) {
	var rec kerneltest.Recorder
	var a kerneltest.Asm
	sigs := []abi.Signal{abi.SIGUSR2, abi.SIGRTMIN + 3, abi.SIGTERM, abi.SIGUSR1, abi.SIGRTMIN + 2, abi.SIGUSR1, abi.SIGRTMIN + 3}
	var all abi.SigSet
	for _, s := range sigs {
		all |= abi.SigSetOf(s)
	}
	a.Jump("main")
	a.Handler("handler", func(_ *cputest.Fake, sig abi.Signal) { rec.Add("%v", sig) })
	a.Restorer("restorer")
	a.Label("main")
	for s := abi.Signal(1); s <= abi.SIGRTMAX; s++ {
		if all.Has(s) {
			sigaction(&a, s, a.Addr("handler"), a.Addr("restorer"), 0, 0)
		}
	}
	sigprocmask(&a, abi.SIG_BLOCK, all)
	for _, s := range sigs {
		a.Sys(abi.SYS_KILL, 1, uint64(s))
	}
	sigprocmask(&a, abi.SIG_UNBLOCK, all)
	a.Exit(0)
	k := kerneltest.Run(t, a.Program())
	if k.Status() != "exit 0" {
		t.Fatalf("%s; kernel said %s", k.Status(), k.Log.String())
	}
	want := []string{"SIGRT_3", "SIGRT_3", "SIGRT_2", "SIGTERM", "SIGUSR2", "SIGUSR1"}
	if got := rec.Seen(); !slices.Equal(got, want) {
		t.Errorf("delivered %v, want %v", got, want)
	}
}

// u64 reads a 64-bit word of guest memory.
func u64(f *cputest.Fake, addr uint64) uint64 { return binary.LittleEndian.Uint64(f.Read(addr, 8)) }

// TestSigprocmask checks rt_sigprocmask's rules (kernel/signal.c
// sigprocmask): how each operation changes the mask, that SIGKILL and
// SIGSTOP are never blocked, and its errors.
func TestSigprocmask(t *testing.T) {
	usr := abi.SigSetOf(abi.SIGUSR1, abi.SIGUSR2)
	cases := []struct {
		name    string
		how     int
		set     abi.SigSet
		size    uint64
		want    string
		newMask abi.SigSet
	}{
		{"block", abi.SIG_BLOCK, usr, 8, "ok 0", abi.SigSetOf(abi.SIGINT) | usr},
		{"unblock", abi.SIG_UNBLOCK, abi.SigSetOf(abi.SIGINT, abi.SIGUSR1), 8, "ok 0", 0},
		{"setmask", abi.SIG_SETMASK, usr, 8, "ok 0", usr},
		{"kill and stop stay unblocked", abi.SIG_BLOCK, abi.SigSetOf(abi.SIGKILL, abi.SIGSTOP, abi.SIGHUP), 8, "ok 0",
			abi.SigSetOf(abi.SIGINT, abi.SIGHUP)},
		{"bad how", 7, usr, 8, "EINVAL", abi.SigSetOf(abi.SIGINT)},
		{"bad size", abi.SIG_BLOCK, usr, 4, "EINVAL", abi.SigSetOf(abi.SIGINT)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got string
			var mask abi.SigSet
			var a kerneltest.Asm
			sigprocmask(&a, abi.SIG_SETMASK, abi.SigSetOf(abi.SIGINT))
			a.Do(func(f *cputest.Fake) { f.Write(setAddr, binary.LittleEndian.AppendUint64(nil, uint64(c.set))) })
			a.Sys(abi.SYS_RT_SIGPROCMASK, uint64(c.how), setAddr, 0, c.size)
			a.Do(func(f *cputest.Fake) { got = kerneltest.Errno(f) })
			a.Sys(abi.SYS_RT_SIGPROCMASK, abi.SIG_BLOCK, 0, oldAddr, 8)
			a.Do(func(f *cputest.Fake) { mask = abi.SigSet(u64(f, oldAddr)) })
			a.Exit(0)
			kerneltest.Run(t, a.Program())
			if got != c.want || mask != c.newMask {
				t.Errorf("returned %s with mask %#x, want %s with %#x", got, mask, c.want, c.newMask)
			}
		})
	}
}

// TestHandlerMask checks the mask a handler runs with: the old mask, its
// sa_mask and, unless SA_NODEFER, its own signal; rt_sigreturn restores
// the mask the signal interrupted (handle_signal, signal_setup_done).
func TestHandlerMask(t *testing.T) {
	cases := []struct {
		name  string
		flags uint64
		want  abi.SigSet
	}{
		{"defer", 0, abi.SigSetOf(abi.SIGHUP, abi.SIGUSR1, abi.SIGUSR2)},
		{"nodefer", abi.SA_NODEFER, abi.SigSetOf(abi.SIGHUP, abi.SIGUSR2)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var inside, after abi.SigSet
			var a kerneltest.Asm
			a.Jump("main")
			a.Label("handler")
			a.Sys(abi.SYS_RT_SIGPROCMASK, abi.SIG_BLOCK, 0, oldAddr, 8)
			a.Do(func(f *cputest.Fake) { inside = abi.SigSet(u64(f, oldAddr)) })
			a.Ret()
			a.Restorer("restorer")
			a.Label("main")
			sigaction(&a, abi.SIGUSR1, a.Addr("handler"), a.Addr("restorer"), c.flags, abi.SigSetOf(abi.SIGUSR2))
			sigprocmask(&a, abi.SIG_SETMASK, abi.SigSetOf(abi.SIGHUP))
			a.Sys(abi.SYS_KILL, 1, uint64(abi.SIGUSR1))
			a.Sys(abi.SYS_RT_SIGPROCMASK, abi.SIG_BLOCK, 0, oldAddr, 8)
			a.Do(func(f *cputest.Fake) { after = abi.SigSet(u64(f, oldAddr)) })
			a.Exit(0)
			kerneltest.Run(t, a.Program())
			if inside != c.want || after != abi.SigSetOf(abi.SIGHUP) {
				t.Errorf("mask in the handler %#x, after it %#x; want %#x and %#x", inside, after, c.want, abi.SigSetOf(abi.SIGHUP))
			}
		})
	}
}

// TestDefaultActions checks what a signal does to a process that has no
// handler for it (the table in signal(7)): end it, or nothing at all.
func TestDefaultActions(t *testing.T) {
	cases := []struct {
		sig    abi.Signal
		ignore bool // SIG_IGN set first
		want   string
	}{
		{abi.SIGTERM, false, "signal 15"},
		{abi.SIGUSR1, false, "signal 10"},
		{abi.SIGSEGV, false, "signal 11"},
		{abi.SIGCHLD, false, "exit 7"},
		{abi.SIGURG, false, "exit 7"},
		{abi.SIGWINCH, false, "exit 7"},
		{abi.SIGCONT, false, "exit 7"},
		{abi.SIGTERM, true, "exit 7"},
		{abi.SIGKILL, true, "signal 9"},
	}
	for _, c := range cases {
		t.Run(c.sig.String(), func(t *testing.T) {
			var a kerneltest.Asm
			if c.ignore {
				sigaction(&a, c.sig, abi.SIG_IGN, 0, 0, 0)
			}
			a.Sys(abi.SYS_KILL, 1, uint64(c.sig))
			a.Exit(7)
			if got := kerneltest.Run(t, a.Program()).Status(); got != c.want {
				t.Errorf("%s, want %s", got, c.want)
			}
		})
	}
}

// TestRestart checks a read interrupted by a signal whose handler makes
// the data it waits for: with SA_RESTART the read runs again and returns
// it, without it fails with EINTR (restart_syscall rules in
// arch/x86/kernel/signal.c).
func TestRestart(t *testing.T) {
	for _, c := range []struct {
		name  string
		flags uint64
		want  string
	}{{"SA_RESTART", abi.SA_RESTART, "ok 1"}, {"no SA_RESTART", 0, "EINTR"}} {
		t.Run(c.name, func(t *testing.T) {
			var got string
			var a kerneltest.Asm
			fds := func(f *cputest.Fake) (uint64, uint64) {
				b := f.Read(bufAddr, 8)
				return uint64(binary.LittleEndian.Uint32(b)), uint64(binary.LittleEndian.Uint32(b[4:]))
			}
			a.Jump("main")
			a.Label("handler")
			a.SysFn(abi.SYS_WRITE, func(f *cputest.Fake) []uint64 { _, w := fds(f); return []uint64{w, bufAddr + 16, 1} })
			a.Ret()
			a.Restorer("restorer")
			a.Label("main")
			a.Sys(abi.SYS_PIPE, bufAddr)
			sigaction(&a, abi.SIGALRM, a.Addr("handler"), a.Addr("restorer"), c.flags, 0)
			// An interval timer of 10 ms: the read below waits for it.
			a.Do(func(f *cputest.Fake) {
				f.Write(bufAddr+32, binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(make([]byte, 16), 0), 10000))
			})
			a.Sys(abi.SYS_SETITIMER, abi.ITIMER_REAL, bufAddr+32, 0)
			a.SysFn(abi.SYS_READ, func(f *cputest.Fake) []uint64 { r, _ := fds(f); return []uint64{r, bufAddr + 64, 1} })
			a.Do(func(f *cputest.Fake) { got = kerneltest.Errno(f) })
			a.Exit(0)
			kerneltest.Run(t, a.Program())
			if got != c.want {
				t.Errorf("read returned %s, want %s", got, c.want)
			}
		})
	}
}
