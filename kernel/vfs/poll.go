package vfs

import (
	"time"

	"paddock/abi"
)

// Readiness returns the events in mask that f is ready for. A file that
// cannot block (a regular file, most devices) is always readable and
// writable. ctx may be nil for a readiness check made on no task's behalf.
// Callers that want POLLERR and POLLHUP whatever was asked, as poll(2)
// does, put them in mask.
func Readiness(ctx Context, f *File, mask uint32) uint32 {
	if cp, ok := f.Ops.(ContextPoller); ok && ctx != nil {
		return cp.ReadinessFor(ctx, mask) & mask
	}
	if p, ok := f.Ops.(Poller); ok {
		return p.Readiness(mask) & mask
	}
	return abi.DefaultPollMask & mask
}

// Pollable reports whether f has readiness of its own to wait for, which
// epoll requires (file_can_poll).
func Pollable(f *File) bool {
	_, ok := f.Ops.(Poller)
	return ok
}

// PollRequest is one entry of a poll set. A nil File is skipped; its
// Revents, set by the caller (POLLNVAL for a bad descriptor), is kept.
type PollRequest struct {
	File    *File
	Events  uint32
	Revents uint32
}

// Poll fills in the readiness of each request and returns how many are
// ready. With wait set it sleeps until one is, the deadline passes (a
// zero deadline never does) or a signal interrupts it (ERESTARTSYS); a
// timeout returns 0.
func Poll(ctx Context, reqs []PollRequest, wait bool, deadline time.Time) (int, error) {
	var w *Waiter
	var queues []*Queue
	defer func() {
		for _, q := range queues {
			q.Remove(w)
		}
	}()
	for {
		n := 0
		for i := range reqs {
			r := &reqs[i]
			if r.File != nil {
				r.Revents = Readiness(ctx, r.File, r.Events)
			}
			if r.Revents != 0 {
				n++
			}
		}
		if n > 0 || !wait {
			return n, nil
		}
		if w == nil {
			// Register, then look again: readiness that arrives between
			// the look and the sleep is not missed.
			w = NewWaiter()
			for i := range reqs {
				if p, ok := pollerOf(reqs[i].File); ok {
					q := p.Queue()
					q.Add(w, ^uint32(0))
					queues = append(queues, q)
				}
			}
			continue
		}
		switch err := ctx.Block(w, deadline); err {
		case nil:
		case abi.ETIMEDOUT:
			return 0, nil
		default:
			return 0, err
		}
	}
}

func pollerOf(f *File) (Poller, bool) {
	if f == nil {
		return nil, false
	}
	p, ok := f.Ops.(Poller)
	return p, ok
}
