// Package futex is paddock's futex table (Linux's kernel/futex): tasks
// wait on 32-bit words of guest memory and are woken by other tasks, in
// arrival order, filtered by bitsets, moved between words by requeue, and
// woken conditionally by wake-op. It knows guest memory only through
// Memory, and a task's way of sleeping only through Sleeper, so that it is
// tested with fakes of both.
package futex

import (
	"sync"
	"time"

	"paddock/abi"
	"paddock/kernel/vfs"
)

// Memory is the address space a futex word lives in.
type Memory interface {
	// FutexKey identifies the word at addr: for a private futex, or
	// private memory, the address space and the address; for shared
	// memory, the memory object and the offset, so that processes
	// sharing it meet on one key. EINVAL for a misaligned address.
	FutexKey(addr uint64, private bool) (space any, off uint64, err error)
	ReadUint32(addr uint64) (uint32, error)
	WriteUint32(addr uint64, v uint32) error
}

// Sleeper is the waiting task: Block sleeps until w is notified (nil),
// the deadline passes (ETIMEDOUT; zero never passes) or the task must
// handle a signal (ERESTARTSYS), as vfs.Context's Block does.
type Sleeper interface {
	Block(w *vfs.Waiter, deadline time.Time) error
}

// key names a futex word.
type key struct {
	space any
	off   uint64
}

// waiter is a task waiting on a futex.
type waiter struct {
	key    key
	bitset uint32
	w      *vfs.Waiter
	woken  bool
}

// Table holds the tasks waiting on futexes, in arrival order per word. The
// zero value is ready to use.
type Table struct {
	mu      sync.Mutex
	waiters map[key][]*waiter
}

func keyOf(m Memory, addr uint64, private bool) (key, error) {
	space, off, err := m.FutexKey(addr, private)
	return key{space, off}, err
}

// keysOf returns the keys of the two words an operation on two futexes
// names.
func keysOf(m Memory, addr, addr2 uint64, private bool) (k, k2 key, err error) {
	if k, err = keyOf(m, addr, private); err != nil {
		return
	}
	k2, err = keyOf(m, addr2, private)
	return
}

// Wait implements FUTEX_WAIT and FUTEX_WAIT_BITSET: if the word at addr
// still holds val, sleep until woken (nil), the deadline (ETIMEDOUT) or a
// signal (ERESTARTSYS). EAGAIN if the word holds another value, EINVAL
// for an empty bitset.
func (f *Table) Wait(s Sleeper, m Memory, addr uint64, val, bitset uint32, private bool, deadline time.Time) error {
	if bitset == 0 {
		return abi.EINVAL
	}
	k, err := keyOf(m, addr, private)
	if err != nil {
		return err
	}
	fw := &waiter{key: k, bitset: bitset, w: vfs.NewWaiter()}
	// The value is compared under the table's lock, which every waker
	// takes: a wake after the comparison finds this waiter queued.
	f.mu.Lock()
	cur, err := m.ReadUint32(addr)
	if err != nil {
		f.mu.Unlock()
		return err
	}
	if cur != val {
		f.mu.Unlock()
		return abi.EAGAIN
	}
	if f.waiters == nil {
		f.waiters = map[key][]*waiter{}
	}
	f.waiters[k] = append(f.waiters[k], fw)
	f.mu.Unlock()
	err = s.Block(fw.w, deadline)
	f.mu.Lock()
	woken := fw.woken
	if !woken {
		f.removeLocked(fw)
	}
	f.mu.Unlock()
	if woken {
		// A wake that raced a timeout or a signal wins, as on Linux:
		// the wake was counted for the waker.
		return nil
	}
	return err
}

// Wake implements FUTEX_WAKE and FUTEX_WAKE_BITSET: it wakes up to n of
// the waiters on addr whose bitset meets bitset, oldest first, and
// returns how many.
func (f *Table) Wake(m Memory, addr uint64, private bool, n int, bitset uint32) (int, error) {
	if bitset == 0 {
		return 0, abi.EINVAL
	}
	k, err := keyOf(m, addr, private)
	if err != nil {
		return 0, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.wakeLocked(k, n, bitset), nil
}

// Requeue implements FUTEX_REQUEUE and FUTEX_CMP_REQUEUE (cmp set: EAGAIN
// unless the word at addr holds *cmp): it wakes up to nwake waiters on
// addr and moves up to nmove of the rest to addr2, and returns how many
// it woke and moved.
func (f *Table) Requeue(m Memory, addr, addr2 uint64, private bool, nwake, nmove int, cmp *uint32) (int, error) {
	k, k2, err := keysOf(m, addr, addr2, private)
	if err != nil {
		return 0, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if cmp != nil {
		cur, err := m.ReadUint32(addr)
		if err != nil {
			return 0, err
		}
		if cur != *cmp {
			return 0, abi.EAGAIN
		}
	}
	n := f.wakeLocked(k, nwake, abi.FUTEX_BITSET_MATCH_ANY)
	moved := 0
	q := f.waiters[k]
	for len(q) > 0 && moved < nmove {
		fw := q[0]
		q = q[1:]
		fw.key = k2
		f.waiters[k2] = append(f.waiters[k2], fw)
		moved++
	}
	f.setLocked(k, q)
	return n + moved, nil
}

// WakeOp implements FUTEX_WAKE_OP: it changes the word at addr2 by the
// operation encoded in op, wakes up to n waiters on addr and, if the old
// value of addr2 passes the encoded comparison, up to n2 waiters on addr2.
// The caller holds the engine, so the change is atomic for the guest.
func (f *Table) WakeOp(m Memory, addr, addr2 uint64, private bool, n, n2 int, op uint32) (int, error) {
	k, k2, err := keysOf(m, addr, addr2, private)
	if err != nil {
		return 0, err
	}
	code, cmp := (op>>28)&7, (op>>24)&15
	oparg, cmparg := (op>>12)&0xfff, op&0xfff
	if op>>31 != 0 {
		// FUTEX_OP_OPARG_SHIFT: the argument is a shift count.
		oparg = 1 << (oparg & 31)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	old, err := m.ReadUint32(addr2)
	if err != nil {
		return 0, err
	}
	var nv uint32
	switch code {
	case abi.FUTEX_OP_SET:
		nv = oparg
	case abi.FUTEX_OP_ADD:
		nv = old + oparg
	case abi.FUTEX_OP_OR:
		nv = old | oparg
	case abi.FUTEX_OP_ANDN:
		nv = old &^ oparg
	case abi.FUTEX_OP_XOR:
		nv = old ^ oparg
	default:
		return 0, abi.ENOSYS
	}
	if err := m.WriteUint32(addr2, nv); err != nil {
		return 0, err
	}
	woken := f.wakeLocked(k, n, abi.FUTEX_BITSET_MATCH_ANY)
	s, c := int32(old), int32(signExtend12(cmparg))
	var ok bool
	switch cmp {
	case abi.FUTEX_OP_CMP_EQ:
		ok = s == c
	case abi.FUTEX_OP_CMP_NE:
		ok = s != c
	case abi.FUTEX_OP_CMP_LT:
		ok = s < c
	case abi.FUTEX_OP_CMP_LE:
		ok = s <= c
	case abi.FUTEX_OP_CMP_GT:
		ok = s > c
	case abi.FUTEX_OP_CMP_GE:
		ok = s >= c
	default:
		return 0, abi.ENOSYS
	}
	if ok {
		woken += f.wakeLocked(k2, n2, abi.FUTEX_BITSET_MATCH_ANY)
	}
	return woken, nil
}

func signExtend12(v uint32) uint32 {
	if v&0x800 != 0 {
		return v | 0xfffff000
	}
	return v
}

// wakeLocked wakes up to n waiters on k whose bitset meets bitset.
func (f *Table) wakeLocked(k key, n int, bitset uint32) int {
	woken := 0
	var rest []*waiter
	for _, fw := range f.waiters[k] {
		if woken < n && fw.bitset&bitset != 0 {
			fw.woken = true
			fw.w.Notify()
			woken++
			continue
		}
		rest = append(rest, fw)
	}
	f.setLocked(k, rest)
	return woken
}

// removeLocked takes a waiter that gave up off its queue.
func (f *Table) removeLocked(fw *waiter) {
	q := f.waiters[fw.key]
	for i, x := range q {
		if x == fw {
			q = append(q[:i:i], q[i+1:]...)
			break
		}
	}
	f.setLocked(fw.key, q)
}

// setLocked replaces k's queue, forgetting an empty one.
func (f *Table) setLocked(k key, q []*waiter) {
	if len(q) == 0 {
		delete(f.waiters, k)
		return
	}
	f.waiters[k] = q
}
