package kernel

import (
	"encoding/binary"
	"sync"
	"time"

	"paddock/abi"
	"paddock/kernel/vfs"
)

// TimerFD is a timerfd (fs/timerfd.c): a timer on CLOCK_REALTIME,
// CLOCK_MONOTONIC or CLOCK_BOOTTIME whose expirations are counted and read
// as a number instead of raising signals.
type TimerFD struct {
	k     *Kernel
	clock int32

	mu    sync.Mutex
	alarm alarm  // under mu
	ticks uint64 // expirations not read yet
	q     vfs.Queue
}

// NewTimerFD implements timerfd_create(2)'s object; the caller checked the
// clock and flags.
func (k *Kernel) NewTimerFD(clock int32, flags uint32) *vfs.File {
	tf := &TimerFD{k: k, clock: clock}
	tf.alarm = alarm{mu: &tf.mu, now: tf.now, expired: func(n int64) { tf.ticks += uint64(n) }, notify: tf.wake}
	return k.vfs.NewAnonFile("timerfd", tf, abi.O_RDWR|flags&abi.O_NONBLOCK)
}

// wake tells readers and pollers that expirations wait.
func (tf *TimerFD) wake() { tf.q.Notify(abi.POLLIN | abi.POLLRDNORM) }

// TimerFDOf returns the timerfd behind f, or nil.
func TimerFDOf(f *vfs.File) *TimerFD {
	t, _ := f.Ops.(*TimerFD)
	return t
}

// now reads the timer's clock.
func (tf *TimerFD) now() time.Duration {
	if tf.clock == abi.CLOCK_REALTIME {
		return time.Duration(time.Now().UnixNano())
	}
	return tf.k.Uptime()
}

// Set implements timerfd_settime(2): it arms the timer for value (an
// absolute time on the clock if abs) and every interval after, or disarms
// it for a zero value, and returns the old setting. Unread expirations are
// dropped.
func (tf *TimerFD) Set(value, interval time.Duration, abs bool) (oldValue, oldInterval time.Duration) {
	tf.mu.Lock()
	oldValue, oldInterval = tf.alarm.remaining()
	tf.ticks = 0
	if value > 0 && !abs {
		value += tf.now()
	}
	expired := tf.alarm.set(value, interval)
	tf.mu.Unlock()
	if expired {
		tf.wake()
	}
	return oldValue, oldInterval
}

// Get implements timerfd_gettime(2).
func (tf *TimerFD) Get() (value, interval time.Duration) {
	tf.mu.Lock()
	defer tf.mu.Unlock()
	return tf.alarm.remaining()
}

// Read implements read(2): the number of expirations since the last read,
// as 8 bytes; it waits for one unless the file is non-blocking (EAGAIN).
func (tf *TimerFD) Read(ctx vfs.Context, f *vfs.File, dst []byte, _ int64) (int, error) {
	if len(dst) < 8 {
		return 0, abi.EINVAL
	}
	var w *vfs.Waiter
	for {
		tf.mu.Lock()
		tf.alarm.catchUp()
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
func (tf *TimerFD) Write(vfs.Context, *vfs.File, []byte, int64) (int, error) { return 0, abi.EINVAL }

// Readiness implements vfs.Poller.
func (tf *TimerFD) Readiness(mask uint32) uint32 {
	tf.mu.Lock()
	caught := tf.alarm.catchUp()
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
func (tf *TimerFD) Queue() *vfs.Queue { return &tf.q }

// IsPositionless and Lseek make lseek a no-op, as noop_llseek does.
func (tf *TimerFD) IsPositionless() {}

// Lseek implements vfs.Seeker.
func (tf *TimerFD) Lseek(cur, _ int64, _ int) (int64, error) { return cur, nil }
