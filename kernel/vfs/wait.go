package vfs

import (
	"sync"
	"time"
)

// Waiter is one blocked task's wake-up channel. A task registers the same
// Waiter on every Queue it waits on (poll waits on many).
type Waiter struct {
	C chan struct{}
}

// NewWaiter returns a Waiter that is not notified.
func NewWaiter() *Waiter { return &Waiter{C: make(chan struct{}, 1)} }

// Notify wakes the waiter; notifications do not queue up.
func (w *Waiter) Notify() {
	select {
	case w.C <- struct{}{}:
	default:
	}
}

// Queue holds the waiters interested in an object's readiness.
type Queue struct {
	mu sync.Mutex
	ws map[*Waiter]uint32
}

// Add registers w for the events in mask (POLL* bits).
func (q *Queue) Add(w *Waiter, mask uint32) {
	q.mu.Lock()
	if q.ws == nil {
		q.ws = map[*Waiter]uint32{}
	}
	q.ws[w] = mask
	q.mu.Unlock()
}

// Remove unregisters w.
func (q *Queue) Remove(w *Waiter) {
	q.mu.Lock()
	delete(q.ws, w)
	q.mu.Unlock()
}

// Notify wakes the waiters interested in any of events.
func (q *Queue) Notify(events uint32) {
	q.mu.Lock()
	for w, m := range q.ws {
		if m&events != 0 {
			w.Notify()
		}
	}
	q.mu.Unlock()
}

// Context is the task on whose behalf a file operation runs: its
// credentials, its clock, and its way of sleeping.
type Context interface {
	Creds() *Creds
	// Block sleeps until w is notified (nil), the deadline passes
	// (ETIMEDOUT; a zero deadline never passes) or a signal must be handled
	// (ERESTARTSYS, which the syscall layer turns into EINTR or a restart).
	Block(w *Waiter, deadline time.Time) error
}
