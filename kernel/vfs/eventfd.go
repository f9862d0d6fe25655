package vfs

import (
	"encoding/binary"
	"math"
	"sync"
	"time"

	"paddock/abi"
)

// EventFD is an eventfd(2) counter (fs/eventfd.c): writes add to it,
// reads take it all (or one, in semaphore mode), and either blocks rather
// than go past the limits.
type EventFD struct {
	mu        sync.Mutex
	count     uint64
	semaphore bool
	q         Queue
}

// eventfdMax is the largest count: ULLONG_MAX itself marks an overflow.
const eventfdMax = math.MaxUint64 - 1

// NewEventFD returns an open eventfd file with the given initial count.
func (v *VFS) NewEventFD(initval uint64, semaphore bool, flags uint32) *File {
	e := &EventFD{count: initval, semaphore: semaphore}
	return v.NewAnonFile("eventfd", e, abi.O_RDWR|flags&abi.O_NONBLOCK)
}

// IsPositionless implements Positionless: reads and writes leave the
// position alone, and lseek keeps it (noop_llseek).
func (e *EventFD) IsPositionless() {}

// Lseek implements Seeker as noop_llseek: the position does not move.
func (e *EventFD) Lseek(cur, _ int64, _ int) (int64, error) { return cur, nil }

// Read implements read(2): EINVAL for a buffer under 8 bytes.
func (e *EventFD) Read(ctx Context, f *File, dst []byte, _ int64) (int, error) {
	if len(dst) < 8 {
		return 0, abi.EINVAL
	}
	var v uint64
	err := e.wait(ctx, f, abi.POLLIN, func() bool {
		if e.count == 0 {
			return false
		}
		v = e.count
		if e.semaphore {
			v = 1
		}
		e.count -= v
		return true
	})
	if err != nil {
		return 0, err
	}
	e.q.Notify(abi.POLLOUT | abi.POLLWRNORM)
	binary.LittleEndian.PutUint64(dst, v)
	return 8, nil
}

// Write implements write(2): EINVAL for a buffer under 8 bytes or the
// value ULLONG_MAX.
func (e *EventFD) Write(ctx Context, f *File, src []byte, _ int64) (int, error) {
	if len(src) < 8 {
		return 0, abi.EINVAL
	}
	v := binary.LittleEndian.Uint64(src)
	if v == math.MaxUint64 {
		return 0, abi.EINVAL
	}
	err := e.wait(ctx, f, abi.POLLOUT, func() bool {
		if eventfdMax-e.count < v {
			return false
		}
		e.count += v
		return true
	})
	if err != nil {
		return 0, err
	}
	e.q.Notify(abi.POLLIN | abi.POLLRDNORM)
	return 8, nil
}

// wait runs try under the lock until it succeeds, sleeping in between
// unless the file is non-blocking (EAGAIN).
func (e *EventFD) wait(ctx Context, f *File, event uint32, try func() bool) error {
	var w *Waiter
	for {
		e.mu.Lock()
		ok := try()
		e.mu.Unlock()
		if ok {
			break
		}
		if f.NonBlocking() {
			return abi.EAGAIN
		}
		if w == nil {
			w = NewWaiter()
			e.q.Add(w, event)
			defer e.q.Remove(w)
			continue
		}
		if err := ctx.Block(w, time.Time{}); err != nil {
			return err
		}
	}
	return nil
}

// Readiness implements Poller.
func (e *EventFD) Readiness(mask uint32) uint32 {
	e.mu.Lock()
	defer e.mu.Unlock()
	var r uint32
	if e.count > 0 {
		r |= abi.POLLIN | abi.POLLRDNORM
	}
	if e.count == math.MaxUint64 {
		r |= abi.POLLERR
	}
	if e.count < eventfdMax {
		r |= abi.POLLOUT | abi.POLLWRNORM
	}
	return r & mask
}

// Queue implements Poller.
func (e *EventFD) Queue() *Queue { return &e.q }

// Count returns the counter, for /proc's fdinfo.
func (e *EventFD) Count() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.count
}
