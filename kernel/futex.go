package kernel

import (
	"sync"
	"time"

	"paddock/abi"
	"paddock/kernel/vfs"
)

type futexKey struct {
	space any
	off   uint64
}

type futexWaiter struct {
	key    futexKey
	bitset uint32
	w      *vfs.Waiter
	woken  bool
}

// futexTable holds the tasks waiting on futexes, in arrival order per key.
type futexTable struct {
	mu      sync.Mutex
	waiters map[futexKey][]*futexWaiter
}

func (f *futexTable) remove(fw *futexWaiter) {
	q := f.waiters[fw.key]
	for i, x := range q {
		if x == fw {
			q = append(q[:i], q[i+1:]...)
			break
		}
	}
	if len(q) == 0 {
		delete(f.waiters, fw.key)
	} else {
		f.waiters[fw.key] = q
	}
}

// wakeLocked wakes up to n waiters on key whose bitset meets bitset.
func (f *futexTable) wakeLocked(key futexKey, n int, bitset uint32) int {
	woken := 0
	q := f.waiters[key]
	var rest []*futexWaiter
	for _, fw := range q {
		if woken < n && fw.bitset&bitset != 0 {
			fw.woken = true
			fw.w.Notify()
			woken++
			continue
		}
		rest = append(rest, fw)
	}
	if len(rest) == 0 {
		delete(f.waiters, key)
	} else {
		f.waiters[key] = rest
	}
	return woken
}

func (k *Kernel) futexKey(t *Task, addr uint64, private bool) (futexKey, error) {
	space, off, err := t.mm.as.FutexKey(addr, private)
	if err != nil {
		return futexKey{}, err
	}
	return futexKey{space, off}, nil
}

// futexKeys returns the keys of the two words an operation on two futexes
// names.
func (k *Kernel) futexKeys(t *Task, addr, addr2 uint64, private bool) (key, key2 futexKey, err error) {
	if key, err = k.futexKey(t, addr, private); err != nil {
		return
	}
	key2, err = k.futexKey(t, addr2, private)
	return
}

// FutexWait implements FUTEX_WAIT and FUTEX_WAIT_BITSET: if the word at
// addr still holds val, sleep until woken, the deadline (zero: none) or a
// signal.
func (t *Task) FutexWait(addr uint64, val uint32, bitset uint32, private bool, deadline time.Time) error {
	if bitset == 0 {
		return abi.EINVAL
	}
	k := t.k
	key, err := k.futexKey(t, addr, private)
	if err != nil {
		return err
	}
	fw := &futexWaiter{key: key, bitset: bitset, w: vfs.NewWaiter()}
	f := &k.futexes
	f.mu.Lock()
	cur, err := t.mm.as.ReadUint32(addr)
	if err != nil {
		f.mu.Unlock()
		return err
	}
	if cur != val {
		f.mu.Unlock()
		return abi.EAGAIN
	}
	if f.waiters == nil {
		f.waiters = map[futexKey][]*futexWaiter{}
	}
	f.waiters[key] = append(f.waiters[key], fw)
	f.mu.Unlock()
	err = t.Block(fw.w, deadline)
	f.mu.Lock()
	woken := fw.woken
	if !woken {
		f.remove(fw)
	}
	f.mu.Unlock()
	if woken {
		return nil
	}
	return err
}

// futexWake wakes up to n waiters on addr.
func (k *Kernel) futexWake(t *Task, addr uint64, private bool, n int, bitset uint32) (int, error) {
	if bitset == 0 {
		return 0, abi.EINVAL
	}
	key, err := k.futexKey(t, addr, private)
	if err != nil {
		return 0, err
	}
	f := &k.futexes
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.wakeLocked(key, n, bitset), nil
}

// FutexWake implements FUTEX_WAKE and FUTEX_WAKE_BITSET.
func (t *Task) FutexWake(addr uint64, private bool, n int, bitset uint32) (int, error) {
	return t.k.futexWake(t, addr, private, n, bitset)
}

// FutexRequeue implements FUTEX_REQUEUE and FUTEX_CMP_REQUEUE (cmp set):
// wake up to nwake waiters on addr and move up to nmove of the rest to
// addr2.
func (t *Task) FutexRequeue(addr, addr2 uint64, private bool, nwake, nmove int, cmp *uint32) (int, error) {
	k := t.k
	key, key2, err := k.futexKeys(t, addr, addr2, private)
	if err != nil {
		return 0, err
	}
	f := &k.futexes
	f.mu.Lock()
	defer f.mu.Unlock()
	if cmp != nil {
		cur, err := t.mm.as.ReadUint32(addr)
		if err != nil {
			return 0, err
		}
		if cur != *cmp {
			return 0, abi.EAGAIN
		}
	}
	n := f.wakeLocked(key, nwake, abi.FUTEX_BITSET_MATCH_ANY)
	moved := 0
	q := f.waiters[key]
	for len(q) > 0 && moved < nmove {
		fw := q[0]
		q = q[1:]
		fw.key = key2
		f.waiters[key2] = append(f.waiters[key2], fw)
		moved++
	}
	if len(q) == 0 {
		delete(f.waiters, key)
	} else {
		f.waiters[key] = q
	}
	return n + moved, nil
}

// FutexWakeOp implements FUTEX_WAKE_OP: change the word at addr2 by the
// encoded operation, wake up to n waiters on addr, and, if the old value of
// addr2 passes the encoded comparison, up to n2 waiters on addr2. It runs
// with the engine held, so the change is atomic for the guest.
func (t *Task) FutexWakeOp(addr, addr2 uint64, private bool, n, n2 int, op uint32) (int, error) {
	k := t.k
	key, key2, err := k.futexKeys(t, addr, addr2, private)
	if err != nil {
		return 0, err
	}
	code, cmp := (op>>28)&7, (op>>24)&15
	oparg, cmparg := (op>>12)&0xfff, op&0xfff
	if op>>31 != 0 {
		// FUTEX_OP_OPARG_SHIFT: the argument is a shift count.
		oparg = 1 << (oparg & 31)
	}
	f := &k.futexes
	f.mu.Lock()
	defer f.mu.Unlock()
	old, err := t.mm.as.ReadUint32(addr2)
	if err != nil {
		return 0, err
	}
	var nv uint32
	switch code {
	case 0:
		nv = oparg
	case 1:
		nv = old + oparg
	case 2:
		nv = old | oparg
	case 3:
		nv = old &^ oparg
	case 4:
		nv = old ^ oparg
	default:
		return 0, abi.ENOSYS
	}
	if err := t.mm.as.WriteUint32(addr2, nv); err != nil {
		return 0, err
	}
	woken := f.wakeLocked(key, n, abi.FUTEX_BITSET_MATCH_ANY)
	s, c := int32(old), int32(signExtend12(cmparg))
	var ok bool
	switch cmp {
	case 0:
		ok = s == c
	case 1:
		ok = s != c
	case 2:
		ok = s < c
	case 3:
		ok = s <= c
	case 4:
		ok = s > c
	case 5:
		ok = s >= c
	default:
		return 0, abi.ENOSYS
	}
	if ok {
		woken += f.wakeLocked(key2, n2, abi.FUTEX_BITSET_MATCH_ANY)
	}
	return woken, nil
}

func signExtend12(v uint32) uint32 {
	if v&0x800 != 0 {
		return v | 0xfffff000
	}
	return v
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
				t.k.futexWake(t, addr, false, 1, abi.FUTEX_BITSET_MATCH_ANY)
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
