package kernel

import (
	"paddock/abi"
)

// defaultAction is what a signal does when it is neither caught nor
// ignored (signal(7)).
type defaultAction int

const (
	actTerm defaultAction = iota
	actCore
	actIgnore
	actStop
	actCont
)

func defaultActionOf(sig abi.Signal) defaultAction {
	switch sig {
	case abi.SIGCHLD, abi.SIGURG, abi.SIGWINCH:
		return actIgnore
	case abi.SIGSTOP, abi.SIGTSTP, abi.SIGTTIN, abi.SIGTTOU:
		return actStop
	case abi.SIGCONT:
		return actCont
	case abi.SIGQUIT, abi.SIGILL, abi.SIGTRAP, abi.SIGABRT, abi.SIGBUS, abi.SIGFPE, abi.SIGSEGV,
		abi.SIGXCPU, abi.SIGXFSZ, abi.SIGSYS:
		return actCore
	}
	return actTerm
}

// SendSignalSelf raises sig for t itself, delivered when the current
// syscall returns.
func (t *Task) SendSignalSelf(sig abi.Signal) {
	t.mu.Lock()
	t.pending |= abi.SigSetOf(sig)
	t.mu.Unlock()
}

// deliverPending acts on pending signals at a syscall's return. Until
// handlers exist, every signal takes its default action.
func (t *Task) deliverPending() {
	t.mu.Lock()
	pending := t.pending
	t.pending = 0
	t.mu.Unlock()
	for sig := abi.Signal(1); sig <= abi.SIGRTMAX; sig++ {
		if !pending.Has(sig) {
			continue
		}
		switch defaultActionOf(sig) {
		case actTerm, actCore:
			// RLIMIT_CORE is 0 by default and paddock writes no core
			// files, so the status never has the core-dump bit.
			t.proc.exitProcess(Signaled(sig, false))
			t.exitNow = true
			return
		}
	}
}
