package vfs

import (
	"errors"
	"sync"
	"time"
)

// ErrMustBlock is what Context.Block returns when the caller may not sleep
// now: the operation gives up without side effects and is tried again
// where sleeping is allowed. It never reaches a guest.
var ErrMustBlock = errors.New("vfs: the operation must sleep")

// Trying reports whether ctx is making a first attempt at a call that
// must not sleep (Block returns ErrMustBlock): an operation that would do
// part of its work and then sleep must check this first and give up
// before doing anything.
func Trying(ctx Context) bool {
	t, ok := ctx.(interface{ Trying() bool })
	return ok && t.Trying()
}

// Waiter is how a blocked task, or an epoll instance, hears of readiness.
// A task registers the same Waiter on every Queue it waits on (poll waits
// on many) and sleeps on C; an epoll instance registers a callback Waiter
// per watched file.
type Waiter struct {
	C  chan struct{}
	fn func(events uint32)
}

// NewWaiter returns a Waiter that is not notified.
func NewWaiter() *Waiter { return &Waiter{C: make(chan struct{}, 1)} }

// NewCallbackWaiter returns a Waiter that calls fn with the events of each
// notification. fn runs on the notifier's goroutine without the queue's
// lock, possibly after the Waiter was removed: it must check for that.
func NewCallbackWaiter(fn func(events uint32)) *Waiter { return &Waiter{fn: fn} }

// Notify wakes the waiter; notifications do not queue up.
func (w *Waiter) Notify() {
	select {
	case w.C <- struct{}{}:
	default:
	}
}

func (w *Waiter) notify(events uint32) {
	if w.fn != nil {
		w.fn(events)
		return
	}
	w.Notify()
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

// Notify wakes the waiters interested in any of events. The waiters are
// called after the queue's lock is released, so that a callback may take
// locks of its own that are held elsewhere while adding to a queue.
func (q *Queue) Notify(events uint32) {
	q.mu.Lock()
	if len(q.ws) == 0 {
		q.mu.Unlock()
		return
	}
	var hit []*Waiter
	for w, m := range q.ws {
		if m&events != 0 {
			hit = append(hit, w)
		}
	}
	q.mu.Unlock()
	for _, w := range hit {
		w.notify(events)
	}
}

// Context is the task on whose behalf a file operation runs: its
// credentials, its clock, and its way of sleeping.
type Context interface {
	Creds() *Creds
	// Block sleeps until w is notified (nil), the deadline passes
	// (ETIMEDOUT; a zero deadline never passes) or a signal must be handled
	// (ERESTARTSYS, which the syscall layer turns into EINTR or a restart).
	// When the caller may not sleep now it returns ErrMustBlock instead of
	// sleeping, and the operation must return that error at once.
	Block(w *Waiter, deadline time.Time) error
}
