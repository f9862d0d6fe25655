package kernel

import (
	"time"

	"paddock/abi"
)

// FutexWait implements FUTEX_WAIT and FUTEX_WAIT_BITSET on t's address
// space (futex.Table.Wait).
func (t *Task) FutexWait(addr uint64, val uint32, bitset uint32, private bool, deadline time.Time) error {
	return t.k.futexes.Wait(t, t.mm.as, addr, val, bitset, private, deadline)
}

// FutexWake implements FUTEX_WAKE and FUTEX_WAKE_BITSET.
func (t *Task) FutexWake(addr uint64, private bool, n int, bitset uint32) (int, error) {
	return t.k.futexes.Wake(t.mm.as, addr, private, n, bitset)
}

// FutexRequeue implements FUTEX_REQUEUE and FUTEX_CMP_REQUEUE (cmp set).
func (t *Task) FutexRequeue(addr, addr2 uint64, private bool, nwake, nmove int, cmp *uint32) (int, error) {
	return t.k.futexes.Requeue(t.mm.as, addr, addr2, private, nwake, nmove, cmp)
}

// FutexWakeOp implements FUTEX_WAKE_OP.
func (t *Task) FutexWakeOp(addr, addr2 uint64, private bool, n, n2 int, op uint32) (int, error) {
	return t.k.futexes.WakeOp(t.mm.as, addr, addr2, private, n, n2, op)
}

// exitRobustList marks the robust futexes t still holds as owned by a dead
// thread and wakes one waiter of each (exit_robust_list).
func (t *Task) exitRobustList() {
	head := t.robustList
	if head == 0 {
		return
	}
	as := t.mm.as
	next, err := as.ReadUint64(head)
	if err != nil {
		return
	}
	off, err := as.ReadUint64(head + 8)
	if err != nil {
		return
	}
	pending, _ := as.ReadUint64(head + 16)
	handle := func(entry uint64) {
		addr := entry + off
		for tries := 0; tries < 8; tries++ {
			v, err := as.ReadUint32(addr)
			if err != nil || v&abi.FUTEX_TID_MASK != uint32(t.tid) {
				return
			}
			nv := v&abi.FUTEX_WAITERS | abi.FUTEX_OWNER_DIED
			if cur, err := as.CompareAndSwap32(addr, v, nv); err != nil || cur != v {
				continue
			}
			if v&abi.FUTEX_WAITERS != 0 {
				t.FutexWake(addr, false, 1, abi.FUTEX_BITSET_MATCH_ANY)
			}
			return
		}
	}
	for i := 0; next != head && next != 0 && i < abi.ROBUST_LIST_LIMIT; i++ {
		// The low bit of a list pointer marks a PI futex.
		entry := next &^ 1
		if entry != pending&^1 {
			handle(entry)
		}
		if next, err = as.ReadUint64(entry); err != nil {
			return
		}
	}
	if pending != 0 {
		handle(pending &^ 1)
	}
}
