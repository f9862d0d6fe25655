// Package timer is the clockwork of paddock's timers: Alarm, a deadline
// on a clock with an interval and a goroutine that reports expirations
// (what Linux's hrtimers are to its timers), and timerfds, which count
// expirations for a program to read. The interval and POSIX timers, which
// send signals, are the kernel's, on Alarms.
package timer

import (
	"sync"
	"time"
)

// Alarm is the clockwork the interval timers, POSIX timers and timerfds
// share, as they share Linux's hrtimers: a deadline on a clock, an
// interval, and a goroutine that sleeps until the deadline and reports
// the expirations to the owner. Setting the alarm again or stopping it
// retires that goroutine (gen). Every method runs with the owner's lock
// held.
type Alarm struct {
	mu  *sync.Mutex          // the owner's lock
	now func() time.Duration // the clock the deadline is on
	// poll says the clock is CPU time, which no Go timer can follow: the
	// watcher looks again every 10 ms.
	poll bool
	// expired receives the expirations since the last report (at least
	// one), with the lock held; then, after the lock is released,
	// notify runs if it is set.
	expired func(n int64)
	notify  func()

	deadline time.Duration // on the clock; meaningful while armed
	interval time.Duration
	armed    bool
	gen      int
}

// NewAlarm returns a disarmed alarm: mu is its owner's lock, now the clock
// its deadlines are on (poll says it is a CPU clock, which no Go timer
// follows: the watcher looks every 10 ms), expired receives the
// expirations since the last report with mu held, and notify, if set,
// runs after mu is released.
func NewAlarm(mu *sync.Mutex, now func() time.Duration, poll bool, expired func(n int64), notify func()) Alarm {
	return Alarm{mu: mu, now: now, poll: poll, expired: expired, notify: notify}
}

// Set arms the alarm for deadline and every interval after it, or only
// records the interval when deadline is 0. A deadline already past
// expires before set returns, as on Linux; it reports whether it did.
func (a *Alarm) Set(deadline, interval time.Duration) bool {
	a.Stop()
	a.interval = interval
	if deadline == 0 {
		return false
	}
	a.deadline, a.armed = deadline, true
	expired := a.expire()
	if a.armed {
		go a.watch(a.gen)
	}
	return expired
}

// Stop disarms the alarm.
func (a *Alarm) Stop() {
	a.armed = false
	a.gen++
}

// Remaining returns the time left and the interval.
func (a *Alarm) Remaining() (time.Duration, time.Duration) {
	if !a.armed {
		return 0, a.interval
	}
	return max(a.deadline-a.now(), time.Nanosecond), a.interval
}

// expire reports the expirations up to now, the ones that passed unseen
// included, and moves the deadline past now or disarms the alarm. It
// reports whether any happened.
func (a *Alarm) expire() bool {
	late := a.now() - a.deadline
	if late < 0 {
		return false
	}
	n := int64(1)
	if a.interval > 0 {
		n += int64(late / a.interval)
		a.deadline += time.Duration(n) * a.interval
	} else {
		a.armed = false
	}
	a.expired(n)
	return true
}

// CatchUp reports the expirations whose time has come but whose watcher
// has not run yet (a loaded host wakes it late), as reading a timerfd
// forwards its hrtimer on Linux (timerfd_read): what is read never lags
// the clock. It reports whether any happened.
func (a *Alarm) CatchUp() bool {
	return a.armed && a.expire()
}

// watch waits for the deadline and expires the alarm, again every
// interval, until the alarm is set again or stopped.
func (a *Alarm) watch(gen int) {
	for {
		a.mu.Lock()
		if a.gen != gen || !a.armed {
			a.mu.Unlock()
			return
		}
		left := a.deadline - a.now()
		if left <= 0 {
			// Expire before letting go of the lock, so that a set or
			// stop that follows sees what this expiry did (a pending
			// signal to withdraw).
			a.expire()
			a.mu.Unlock()
			if a.notify != nil {
				a.notify()
			}
			continue
		}
		a.mu.Unlock()
		if a.poll {
			// CPU time moves at most as fast as wall time per thread;
			// look again soon.
			left = min(left, 10*time.Millisecond)
		}
		time.Sleep(left)
	}
}
