package timer

import (
	"encoding/binary"
	"sync"
	"time"

	"paddock/abi"
	"paddock/kernel/vfs"
)

// FD is a timerfd (fs/timerfd.c): a timer on CLOCK_REALTIME,
// CLOCK_MONOTONIC or CLOCK_BOOTTIME whose expirations are counted and read
// as a number instead of raising signals. It is a vfs.File's operations.
type FD struct {
	now func() time.Duration

	mu    sync.Mutex
	alarm Alarm  // under mu
	ticks uint64 // expirations not read yet
	q     vfs.Queue
}

// NewFD returns a disarmed timerfd on the clock now reads (wall time in
// nanoseconds since 1970 for CLOCK_REALTIME, uptime for the others).
func NewFD(now func() time.Duration) *FD {
	tf := &FD{now: now}
	tf.alarm = NewAlarm(&tf.mu, now, false, func(n int64) { tf.ticks += uint64(n) }, tf.wake)
	return tf
}

// wake tells readers and pollers that expirations wait.
func (tf *FD) wake() { tf.q.Notify(abi.POLLIN | abi.POLLRDNORM) }

// Of returns the timerfd behind f, or nil.
func Of(f *vfs.File) *FD {
	t, _ := f.Ops.(*FD)
	return t
}

// Set implements timerfd_settime(2): it arms the timer for value (an
// absolute time on the clock if abs) and every interval after, or disarms
// it for a zero value, and returns the old setting. Unread expirations are
// dropped.
func (tf *FD) Set(value, interval time.Duration, abs bool) (oldValue, oldInterval time.Duration) {
	tf.mu.Lock()
	// The old setting is reported from where the timer is now, however
	// late its watcher (do_timerfd_settime forwards it first).
	tf.alarm.CatchUp()
	oldValue, oldInterval = tf.alarm.Remaining()
	tf.ticks = 0
	if value > 0 && !abs {
		value += tf.now()
	}
	expired := tf.alarm.Set(value, interval)
	tf.mu.Unlock()
	if expired {
		tf.wake()
	}
	return oldValue, oldInterval
}

// Get implements timerfd_gettime(2).
func (tf *FD) Get() (value, interval time.Duration) {
	tf.mu.Lock()
	caught := tf.alarm.CatchUp()
	value, interval = tf.alarm.Remaining()
	tf.mu.Unlock()
	if caught {
		// Readers hear of expirations the watcher will not report now.
		tf.wake()
	}
	return value, interval
}

// Read implements read(2): the number of expirations since the last read,
// as 8 bytes; it waits for one unless the file is non-blocking (EAGAIN).
func (tf *FD) Read(ctx vfs.Context, f *vfs.File, dst []byte, _ int64) (int, error) {
	if len(dst) < 8 {
		return 0, abi.EINVAL
	}
	var w *vfs.Waiter
	for {
		tf.mu.Lock()
		tf.alarm.CatchUp()
		n := tf.ticks
		tf.ticks = 0
		tf.mu.Unlock()
		if n > 0 {
			binary.LittleEndian.PutUint64(dst, n)
			return 8, nil
		}
		if f.NonBlocking() {
			return 0, abi.EAGAIN
		}
		if w == nil {
			w = vfs.NewWaiter()
			tf.q.Add(w, abi.POLLIN)
			defer tf.q.Remove(w)
			continue
		}
		if err := ctx.Block(w, time.Time{}); err != nil {
			return 0, err
		}
	}
}

// Write implements write(2): a timerfd cannot be written.
func (tf *FD) Write(vfs.Context, *vfs.File, []byte, int64) (int, error) { return 0, abi.EINVAL }

// Readiness implements vfs.Poller.
func (tf *FD) Readiness(mask uint32) uint32 {
	tf.mu.Lock()
	caught := tf.alarm.CatchUp()
	ready := tf.ticks > 0
	tf.mu.Unlock()
	if caught {
		// The watcher will find nothing to report: the others who wait
		// hear of it now.
		tf.wake()
	}
	if ready {
		return (abi.POLLIN | abi.POLLRDNORM) & mask
	}
	return 0
}

// Queue implements vfs.Poller.
func (tf *FD) Queue() *vfs.Queue { return &tf.q }

// IsPositionless and Lseek make lseek a no-op, as noop_llseek does.
func (tf *FD) IsPositionless() {}

// Lseek implements vfs.Seeker.
func (tf *FD) Lseek(cur, _ int64, _ int) (int64, error) { return cur, nil }
