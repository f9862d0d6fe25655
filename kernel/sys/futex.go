package sys

import (
	"time"

	"paddock/abi"
	"paddock/kernel"
)

// futexBlocks reports whether a futex call may sleep.
func futexBlocks(a kernel.Args) bool {
	switch a.Int(1) & abi.FUTEX_CMD_MASK {
	case abi.FUTEX_WAIT, abi.FUTEX_WAIT_BITSET, abi.FUTEX_LOCK_PI:
		return true
	}
	return false
}

// Futex implements futex(2): WAIT, WAKE, REQUEUE, CMP_REQUEUE, WAKE_OP,
// WAIT_BITSET and WAKE_BITSET, private or shared, with FUTEX_CLOCK_REALTIME.
// The priority-inheritance operations return ENOSYS.
func Futex(t *kernel.Task, a kernel.Args) (uint64, error) {
	addr, op, val := a[0], a.Int(1), a.Uint(2)
	private := op&abi.FUTEX_PRIVATE_FLAG != 0
	realtime := op&abi.FUTEX_CLOCK_REALTIME != 0
	cmd := op & abi.FUTEX_CMD_MASK
	if realtime && cmd != abi.FUTEX_WAIT && cmd != abi.FUTEX_WAIT_BITSET {
		return 0, abi.ENOSYS
	}
	switch cmd {
	case abi.FUTEX_WAIT, abi.FUTEX_WAIT_BITSET:
		bitset := uint32(abi.FUTEX_BITSET_MATCH_ANY)
		if cmd == abi.FUTEX_WAIT_BITSET {
			bitset = a.Uint(5)
		}
		var deadline time.Time
		if a[3] != 0 {
			ts, err := getValidTimespec(t, a[3])
			if err != nil {
				return 0, err
			}
			switch {
			case cmd == abi.FUTEX_WAIT:
				// FUTEX_WAIT's timeout is relative.
				deadline = time.Now().Add(ts.Duration())
			case realtime:
				deadline = time.Unix(ts.Sec, ts.Nsec)
			default:
				deadline = t.Kernel().BootTime().Add(ts.Duration())
			}
		}
		return futexWait(t, addr, val, bitset, private, deadline)
	case abi.FUTEX_WAKE, abi.FUTEX_WAKE_BITSET:
		bitset := uint32(abi.FUTEX_BITSET_MATCH_ANY)
		if cmd == abi.FUTEX_WAKE_BITSET {
			bitset = a.Uint(5)
		}
		n, err := t.FutexWake(addr, private, int(int32(val)), bitset)
		return uint64(n), err
	case abi.FUTEX_REQUEUE, abi.FUTEX_CMP_REQUEUE:
		var cmp *uint32
		if cmd == abi.FUTEX_CMP_REQUEUE {
			v := a.Uint(5)
			cmp = &v
		}
		if int32(val) < 0 || int32(a[3]) < 0 {
			return 0, abi.EINVAL
		}
		n, err := t.FutexRequeue(addr, a[4], private, int(val), int(int32(a[3])), cmp)
		return uint64(n), err
	case abi.FUTEX_WAKE_OP:
		n, err := t.FutexWakeOp(addr, a[4], private, int(int32(val)), int(int32(a[3])), a.Uint(5))
		return uint64(n), err
	}
	return 0, abi.ENOSYS
}

// futexWait waits on a futex word. Interrupted with a timeout pending, it
// leaves a restart that waits until the same deadline (futex_wait_restart);
// without a timeout, the call itself restarts (ERESTARTSYS).
func futexWait(t *kernel.Task, addr uint64, val, bitset uint32, private bool, deadline time.Time) (uint64, error) {
	err := t.FutexWait(addr, val, bitset, private, deadline)
	if err == abi.ERESTARTSYS && !deadline.IsZero() {
		t.SetRestart(func(t *kernel.Task) (uint64, error) {
			return futexWait(t, addr, val, bitset, private, deadline)
		})
		return 0, abi.ERESTART_RESTARTBLOCK
	}
	return 0, err
}
