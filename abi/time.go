package abi

import "time"

// Timespec is struct timespec (two 64-bit fields).
type Timespec struct {
	Sec  int64
	Nsec int64
}

// SizeofTimespec is sizeof(struct timespec).
const SizeofTimespec = 16

// Encode writes t into b[:16]: 0 tv_sec, 8 tv_nsec.
func (t Timespec) Encode(b []byte) {
	le.PutUint64(b[0:], uint64(t.Sec))
	le.PutUint64(b[8:], uint64(t.Nsec))
}

// DecodeTimespec reads a struct timespec from b[:16].
func DecodeTimespec(b []byte) Timespec {
	return Timespec{Sec: int64(le.Uint64(b[0:])), Nsec: int64(le.Uint64(b[8:]))}
}

// Valid reports whether t is a valid timespec argument (nanoseconds in
// [0, 1e9), as the kernel's timespec64_valid checks).
func (t Timespec) Valid() bool {
	return t.Sec >= 0 && t.Nsec >= 0 && t.Nsec < 1e9
}

// Duration returns t as a time.Duration, saturating on overflow.
func (t Timespec) Duration() time.Duration {
	if t.Sec > int64(1<<63-1)/1e9-1 {
		return 1<<63 - 1
	}
	return time.Duration(t.Sec)*time.Second + time.Duration(t.Nsec)
}

// NsecTimespec converts nanoseconds since an epoch into a Timespec.
func NsecTimespec(ns int64) Timespec {
	s, n := ns/1e9, ns%1e9
	if n < 0 {
		s--
		n += 1e9
	}
	return Timespec{Sec: s, Nsec: n}
}

// Nsec64 returns t in nanoseconds.
func (t Timespec) Nsec64() int64 { return t.Sec*1e9 + t.Nsec }

// Timeval is struct timeval.
type Timeval struct {
	Sec  int64
	Usec int64
}

// SizeofTimeval is sizeof(struct timeval).
const SizeofTimeval = 16

// Encode writes t into b[:16]: 0 tv_sec, 8 tv_usec.
func (t Timeval) Encode(b []byte) {
	le.PutUint64(b[0:], uint64(t.Sec))
	le.PutUint64(b[8:], uint64(t.Usec))
}

// DecodeTimeval reads a struct timeval from b[:16].
func DecodeTimeval(b []byte) Timeval {
	return Timeval{Sec: int64(le.Uint64(b[0:])), Usec: int64(le.Uint64(b[8:]))}
}

// Duration converts a Timeval to a duration.
func (t Timeval) Duration() time.Duration {
	return time.Duration(t.Sec)*time.Second + time.Duration(t.Usec)*time.Microsecond
}

// DurationTimeval converts a duration to a Timeval.
func DurationTimeval(d time.Duration) Timeval {
	return Timeval{Sec: int64(d / time.Second), Usec: int64(d%time.Second) / 1e3}
}

// Clock ids (include/uapi/linux/time.h).
const (
	CLOCK_REALTIME           = 0
	CLOCK_MONOTONIC          = 1
	CLOCK_PROCESS_CPUTIME_ID = 2
	CLOCK_THREAD_CPUTIME_ID  = 3
	CLOCK_MONOTONIC_RAW      = 4
	CLOCK_REALTIME_COARSE    = 5
	CLOCK_MONOTONIC_COARSE   = 6
	CLOCK_BOOTTIME           = 7
	CLOCK_REALTIME_ALARM     = 8
	CLOCK_BOOTTIME_ALARM     = 9
	CLOCK_TAI                = 11
)

// TIMER_ABSTIME is the clock_nanosleep and timer_settime flag for an
// absolute time.
const TIMER_ABSTIME = 1
