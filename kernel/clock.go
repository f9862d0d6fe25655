package kernel

import (
	"time"

	"paddock/abi"
)

// RealtimeNow returns CLOCK_REALTIME: the host's wall clock.
func (k *Kernel) RealtimeNow() abi.Timespec {
	return abi.NsecTimespec(time.Now().UnixNano())
}

// Uptime returns how long the kernel has run: CLOCK_MONOTONIC and
// CLOCK_BOOTTIME count from its boot, as Linux's count from the machine's.
func (k *Kernel) Uptime() time.Duration { return time.Since(k.boot) }

// BootTime returns the wall-clock time of the kernel's boot (/proc/stat
// btime).
func (k *Kernel) BootTime() time.Time { return k.boot }

// ClockResolution is what clock_getres reports for the high-resolution
// clocks (hrtimer resolution, 1 ns); the coarse clocks tick at 4 ms, as a
// HZ=250 kernel's do.
const (
	ClockResolution       = time.Nanosecond
	CoarseClockResolution = 4 * time.Millisecond
)

// ClockNow reads clock id for task t: the wall and monotonic clocks, and the
// CPU-time clocks of t's process or of t itself. ok is false for an
// unknown clock.
func (k *Kernel) ClockNow(t *Task, id int32) (abi.Timespec, bool) {
	switch id {
	case abi.CLOCK_REALTIME, abi.CLOCK_TAI:
		return k.RealtimeNow(), true
	case abi.CLOCK_REALTIME_COARSE:
		ns := time.Now().UnixNano()
		return abi.NsecTimespec(ns - ns%int64(CoarseClockResolution)), true
	case abi.CLOCK_MONOTONIC, abi.CLOCK_MONOTONIC_RAW, abi.CLOCK_BOOTTIME:
		return abi.NsecTimespec(int64(k.Uptime())), true
	case abi.CLOCK_MONOTONIC_COARSE:
		ns := int64(k.Uptime())
		return abi.NsecTimespec(ns - ns%int64(CoarseClockResolution)), true
	case abi.CLOCK_PROCESS_CPUTIME_ID:
		u, s := t.proc.CPUTime()
		return abi.NsecTimespec(int64(u + s)), true
	case abi.CLOCK_THREAD_CPUTIME_ID:
		u, s := t.CPUTime()
		return abi.NsecTimespec(int64(u + s)), true
	}
	return abi.Timespec{}, false
}

// ClockRes returns the resolution of clock id.
func ClockRes(id int32) (time.Duration, bool) {
	switch id {
	case abi.CLOCK_REALTIME_COARSE, abi.CLOCK_MONOTONIC_COARSE:
		return CoarseClockResolution, true
	case abi.CLOCK_REALTIME, abi.CLOCK_TAI, abi.CLOCK_MONOTONIC, abi.CLOCK_MONOTONIC_RAW, abi.CLOCK_BOOTTIME,
		abi.CLOCK_PROCESS_CPUTIME_ID, abi.CLOCK_THREAD_CPUTIME_ID:
		return ClockResolution, true
	}
	return 0, false
}
