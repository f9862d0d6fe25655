package timer

import (
	"encoding/binary"
	"sync"
	"testing"
	"time"

	"paddock/abi"
	"paddock/kernel/vfs"
)

// clock is a clock the test moves by hand. Its deadlines are hours away
// in real time, so that the alarms' watchers never fire on their own:
// only CatchUp and Set see the clock move.
type clock struct {
	mu  sync.Mutex
	now time.Duration
}

func (c *clock) read() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now += d
	c.mu.Unlock()
}

const hour = time.Hour

// TestAlarm checks an alarm's arithmetic, as hrtimer_forward does it:
// expirations that passed unseen are counted, the deadline moves past
// now by whole intervals, a one-shot alarm disarms, and a deadline
// already past expires as Set returns.
func TestAlarm(t *testing.T) {
	c := &clock{now: 10 * hour}
	var mu sync.Mutex
	var got []int64
	a := NewAlarm(&mu, c.read, false, func(n int64) { got = append(got, n) }, nil)
	mu.Lock()
	defer mu.Unlock()
	defer a.Stop()

	if a.Set(11*hour, hour) {
		t.Fatal("a future deadline expired at once")
	}
	if v, i := a.Remaining(); v != hour || i != hour {
		t.Errorf("remaining %v every %v, want 1h every 1h", v, i)
	}
	if a.CatchUp() {
		t.Error("CatchUp before the deadline expired it")
	}
	c.advance(3*hour + 30*time.Minute) // 13h30: 11h, 12h and 13h have passed
	if !a.CatchUp() || len(got) != 1 || got[0] != 3 {
		t.Fatalf("CatchUp at 13h30 reported %v, want [3]", got)
	}
	if v, _ := a.Remaining(); v != 30*time.Minute {
		t.Errorf("next expiry in %v, want 30m (at 14h)", v)
	}

	got = nil
	a.Set(c.read()+hour, 0)
	c.advance(2 * hour)
	if !a.CatchUp() || len(got) != 1 || got[0] != 1 || a.CatchUp() {
		t.Errorf("a one-shot alarm 2h past its deadline reported %v, want [1] once", got)
	}
	if v, i := a.Remaining(); v != 0 || i != 0 {
		t.Errorf("a spent one-shot alarm says %v every %v, want 0", v, i)
	}

	got = nil
	if !a.Set(c.read()-time.Minute, 0) || len(got) != 1 {
		t.Errorf("a deadline in the past: Set expired %v", got)
	}
}

type ctx struct{}

func (ctx) Creds() *vfs.Creds                  { return &vfs.Creds{} }
func (ctx) Block(*vfs.Waiter, time.Time) error { return abi.EINTR }

// TestFD checks a timerfd: a read returns the expirations since the last
// one, however late, and EAGAIN when none is due on a non-blocking file;
// readiness follows; settime drops unread expirations and returns the
// old setting (fs/timerfd.c).
func TestFD(t *testing.T) {
	c := &clock{now: 10 * hour}
	tf := NewFD(c.read)
	f := vfs.NewFile(vfs.Location{}, nil, tf, abi.O_RDONLY|abi.O_NONBLOCK)
	read := func() (uint64, error) {
		b := make([]byte, 8)
		_, err := tf.Read(ctx{}, f, b, 0)
		return binary.LittleEndian.Uint64(b), err
	}
	tf.Set(hour, hour, false)
	defer tf.Set(0, 0, false)
	if _, err := read(); err != abi.EAGAIN {
		t.Errorf("read before the expiry: %v, want EAGAIN", err)
	}
	if r := tf.Readiness(abi.POLLIN); r != 0 {
		t.Errorf("readiness before the expiry: %#x", r)
	}
	c.advance(2*hour + time.Minute)
	if r := tf.Readiness(abi.POLLIN); r&abi.POLLIN == 0 {
		t.Errorf("readiness after two expiries: %#x", r)
	}
	if n, err := read(); n != 2 || err != nil {
		t.Errorf("read after two expiries: %d, %v", n, err)
	}
	c.advance(hour)
	if ov, oi := tf.Set(0, 0, false); ov != hour-time.Minute || oi != hour {
		t.Errorf("settime returned the old setting %v every %v, want 59m every 1h", ov, oi)
	}
	if _, err := read(); err != abi.EAGAIN {
		t.Errorf("read after disarming: %v, want EAGAIN (the expiry went with the old setting)", err)
	}
	if _, err := tf.Read(ctx{}, f, make([]byte, 4), 0); err != abi.EINVAL {
		t.Errorf("a read of 4 bytes: %v, want EINVAL", err)
	}
}
