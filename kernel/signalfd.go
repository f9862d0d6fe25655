package kernel

import (
	"sync"
	"time"

	"paddock/abi"
	"paddock/kernel/vfs"
)

// SignalFD is a signalfd (fs/signalfd.c): reading it takes the caller's
// pending signals in its mask, as rt_sigtimedwait would, and returns them
// as struct signalfd_siginfo records.
type SignalFD struct {
	owner *Task // asked for readiness when no task is named (epoll's checks)

	mu   sync.Mutex
	mask abi.SigSet
}

// NewSignalFD implements signalfd4(2) with fd -1.
func (t *Task) NewSignalFD(mask abi.SigSet, flags uint32) *vfs.File {
	s := &SignalFD{owner: t, mask: mask &^ abi.UnblockableSignals}
	return t.k.vfs.NewAnonFile("signalfd", s, abi.O_RDWR|flags&abi.O_NONBLOCK)
}

// SignalFDOf returns the signalfd behind f, or nil.
func SignalFDOf(f *vfs.File) *SignalFD {
	s, _ := f.Ops.(*SignalFD)
	return s
}

// SetMask implements signalfd4(2) on an existing signalfd; SIGKILL and
// SIGSTOP are never read through one.
func (s *SignalFD) SetMask(mask abi.SigSet) {
	s.mu.Lock()
	s.mask = mask &^ abi.UnblockableSignals
	s.mu.Unlock()
}

// Mask returns the signals the file reads, for /proc's fdinfo.
func (s *SignalFD) Mask() abi.SigSet {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mask
}

// Read implements read(2): as many records as fit and are pending, at
// least one; it waits for one unless the file is non-blocking (EAGAIN).
func (s *SignalFD) Read(ctx vfs.Context, f *vfs.File, dst []byte, _ int64) (int, error) {
	n := len(dst) / abi.SizeofSignalfdSiginfo
	if n == 0 {
		return 0, abi.EINVAL
	}
	t := ctx.(*Task)
	var w *vfs.Waiter
	got := 0
	for got < n {
		info, ok := t.TakeSignal(s.Mask())
		if ok {
			info.EncodeSignalfd(dst[got*abi.SizeofSignalfdSiginfo:])
			got++
			continue
		}
		if got > 0 {
			break
		}
		if f.NonBlocking() {
			return 0, abi.EAGAIN
		}
		if w == nil {
			w = vfs.NewWaiter()
			q := &t.proc.signalQueue
			q.Add(w, abi.POLLIN)
			defer q.Remove(w)
			continue
		}
		if err := ctx.Block(w, time.Time{}); err != nil {
			return 0, err
		}
	}
	return got * abi.SizeofSignalfdSiginfo, nil
}

// Write implements write(2): a signalfd cannot be written.
func (s *SignalFD) Write(vfs.Context, *vfs.File, []byte, int64) (int, error) { return 0, abi.EINVAL }

// ReadinessFor implements vfs.ContextPoller: readable while the asking
// task has a signal of the mask pending.
func (s *SignalFD) ReadinessFor(ctx vfs.Context, mask uint32) uint32 {
	t, ok := ctx.(*Task)
	if !ok {
		t = s.owner
	}
	if t.Pending()&s.Mask() != 0 {
		return (abi.POLLIN | abi.POLLRDNORM) & mask
	}
	return 0
}

// Readiness implements vfs.Poller for the file's creator.
func (s *SignalFD) Readiness(mask uint32) uint32 { return s.ReadinessFor(s.owner, mask) }

// Queue implements vfs.Poller: the creator's process announces its
// signals there.
func (s *SignalFD) Queue() *vfs.Queue { return &s.owner.proc.signalQueue }

// IsPositionless and Lseek make lseek a no-op, as noop_llseek does.
func (s *SignalFD) IsPositionless() {}

// Lseek implements vfs.Seeker.
func (s *SignalFD) Lseek(cur, _ int64, _ int) (int64, error) { return cur, nil }
