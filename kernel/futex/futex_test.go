package futex

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"paddock/abi"
	"paddock/kernel/vfs"
)

// memory is a flat guest memory of 4 KiB from address 0; a word at or past
// its end faults. Words in [sharedFrom, end) are shared memory: their key
// is the offset in shm, whichever memory maps them.
type memory struct {
	b          []byte
	shm        *[]byte
	sharedFrom uint64
}

func newMemory() *memory { return &memory{b: make([]byte, 4096), sharedFrom: 4096} }

func (m *memory) FutexKey(addr uint64, private bool) (any, uint64, error) {
	switch {
	case addr%4 != 0:
		return nil, 0, abi.EINVAL
	case addr >= uint64(len(m.b)):
		return nil, 0, abi.EFAULT
	case !private && addr >= m.sharedFrom:
		return m.shm, addr - m.sharedFrom, nil
	}
	return m, addr, nil
}

func (m *memory) ReadUint32(addr uint64) (uint32, error) {
	if addr+4 > uint64(len(m.b)) {
		return 0, abi.EFAULT
	}
	return binary.LittleEndian.Uint32(m.b[addr:]), nil
}

func (m *memory) WriteUint32(addr uint64, v uint32) error {
	if addr+4 > uint64(len(m.b)) {
		return abi.EFAULT
	}
	binary.LittleEndian.PutUint32(m.b[addr:], v)
	return nil
}

// sleeper sleeps on the waiter; a signal is simulated by closing sig.
type sleeper struct{ sig chan struct{} }

func newSleeper() *sleeper { return &sleeper{sig: make(chan struct{})} }

func (s *sleeper) Block(w *vfs.Waiter, deadline time.Time) error {
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		tm := time.NewTimer(time.Until(deadline))
		defer tm.Stop()
		timeout = tm.C
	}
	select {
	case <-w.C:
		return nil
	case <-timeout:
		return abi.ETIMEDOUT
	case <-s.sig:
		return abi.ERESTARTSYS
	}
}

// waitAsync starts a waiter and returns its result channel once it is
// queued (the table holds it).
func waitAsync(t *testing.T, f *Table, s Sleeper, m Memory, addr uint64, val, bitset uint32) chan error {
	t.Helper()
	before := f.queued()
	done := make(chan error, 1)
	go func() { done <- f.Wait(s, m, addr, val, bitset, true, time.Time{}) }()
	for f.queued() == before {
		select {
		case err := <-done:
			t.Fatalf("the waiter returned at once: %v", err)
		default:
			time.Sleep(time.Millisecond)
		}
	}
	return done
}

// queued counts the waiters in the table.
func (f *Table) queued() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, q := range f.waiters {
		n += len(q)
	}
	return n
}

// result returns what a waiter returned, failing if it has not.
func result(t *testing.T, done chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("a woken waiter did not return")
		return nil
	}
}

// pending reports whether a waiter still sleeps.
func pending(done chan error) bool {
	select {
	case err := <-done:
		done <- err
		return false
	default:
		return true
	}
}

// TestWaitValue checks futex_wait's comparison: EAGAIN when the word
// changed, EINVAL for a zero bitset or a misaligned word, EFAULT outside
// memory (futex_wait_setup), and the deadline (ETIMEDOUT).
func TestWaitValue(t *testing.T) {
	var f Table
	m := newMemory()
	m.WriteUint32(0x10, 7)
	s := newSleeper()
	cases := []struct {
		name   string
		addr   uint64
		val    uint32
		bitset uint32
		want   error
	}{
		{"changed", 0x10, 8, abi.FUTEX_BITSET_MATCH_ANY, abi.EAGAIN},
		{"zero bitset", 0x10, 7, 0, abi.EINVAL},
		{"misaligned", 0x11, 7, abi.FUTEX_BITSET_MATCH_ANY, abi.EINVAL},
		{"unmapped", 0x10000, 7, abi.FUTEX_BITSET_MATCH_ANY, abi.EFAULT},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := f.Wait(s, m, c.addr, c.val, c.bitset, true, time.Time{}); !errors.Is(err, c.want) {
				t.Errorf("got %v, want %v", err, c.want)
			}
		})
	}
	if err := f.Wait(s, m, 0x10, 7, abi.FUTEX_BITSET_MATCH_ANY, true, time.Now().Add(time.Millisecond)); err != abi.ETIMEDOUT {
		t.Errorf("deadline: got %v, want ETIMEDOUT", err)
	}
	if n := f.queued(); n != 0 {
		t.Errorf("%d waiters left queued", n)
	}
}

// TestWakeOrderAndBitset checks that wakes take the oldest waiters first,
// count only those woken, and match bitsets (futex_wake).
func TestWakeOrderAndBitset(t *testing.T) {
	var f Table
	m := newMemory()
	s := newSleeper()
	first := waitAsync(t, &f, s, m, 0x20, 0, 1)
	second := waitAsync(t, &f, s, m, 0x20, 0, 2)
	third := waitAsync(t, &f, s, m, 0x20, 0, 1)
	if n, err := f.Wake(m, 0x20, true, 1, 2); n != 1 || err != nil {
		t.Fatalf("wake bitset 2: %d, %v", n, err)
	}
	if result(t, second) != nil || !pending(first) || !pending(third) {
		t.Fatal("the bitset-2 wake did not wake exactly the bitset-2 waiter")
	}
	if n, _ := f.Wake(m, 0x20, true, 1, abi.FUTEX_BITSET_MATCH_ANY); n != 1 {
		t.Fatalf("wake 1: %d", n)
	}
	if result(t, first) != nil || !pending(third) {
		t.Fatal("a wake of one did not take the oldest waiter")
	}
	if n, _ := f.Wake(m, 0x20, true, 10, abi.FUTEX_BITSET_MATCH_ANY); n != 1 {
		t.Fatalf("wake 10 with one waiter: %d", n)
	}
	result(t, third)
	if n, _ := f.Wake(m, 0x20, true, 10, 0); n != 0 {
		t.Errorf("a zero bitset woke %d", n)
	}
}

// TestRequeue checks FUTEX_CMP_REQUEUE: EAGAIN when the word changed,
// else wake some, move some to the second word, and count both.
func TestRequeue(t *testing.T) {
	var f Table
	m := newMemory()
	s := newSleeper()
	var ws []chan error
	for i := 0; i < 4; i++ {
		ws = append(ws, waitAsync(t, &f, s, m, 0x30, 0, abi.FUTEX_BITSET_MATCH_ANY))
	}
	m.WriteUint32(0x30, 5)
	cmp := uint32(4)
	if _, err := f.Requeue(m, 0x30, 0x40, true, 1, 2, &cmp); err != abi.EAGAIN {
		t.Fatalf("stale compare: %v, want EAGAIN", err)
	}
	cmp = 5
	if n, err := f.Requeue(m, 0x30, 0x40, true, 1, 2, &cmp); n != 3 || err != nil {
		t.Fatalf("requeue: %d, %v; want 3 (1 woken, 2 moved)", n, err)
	}
	if result(t, ws[0]) != nil {
		t.Error("the oldest waiter was not the one woken")
	}
	if n, _ := f.Wake(m, 0x40, true, 10, abi.FUTEX_BITSET_MATCH_ANY); n != 2 {
		t.Errorf("the second word has %d waiters, want the 2 moved", n)
	}
	result(t, ws[1])
	result(t, ws[2])
	if n, _ := f.Wake(m, 0x30, true, 10, abi.FUTEX_BITSET_MATCH_ANY); n != 1 {
		t.Errorf("the first word kept %d waiters, want 1", n)
	}
	result(t, ws[3])
}

// TestWakeOp checks FUTEX_WAKE_OP's operations and comparisons on the
// old value (futex_atomic_op_inuser and the FUTEX_OP_CMP_* table).
func TestWakeOp(t *testing.T) {
	op := func(code, arg, cmp, cmparg uint32) uint32 { return code<<28 | cmp<<24 | arg<<12 | cmparg }
	cases := []struct {
		name      string
		old       uint32
		op        uint32
		wantWord  uint32
		wantWoken int // of the waiter on the second word
	}{
		{"set, eq true", 3, op(abi.FUTEX_OP_SET, 9, abi.FUTEX_OP_CMP_EQ, 3), 9, 1},
		{"add, eq false", 3, op(abi.FUTEX_OP_ADD, 2, abi.FUTEX_OP_CMP_EQ, 4), 5, 0},
		{"or, ne", 1, op(abi.FUTEX_OP_OR, 6, abi.FUTEX_OP_CMP_NE, 0), 7, 1},
		{"andn, lt", 7, op(abi.FUTEX_OP_ANDN, 2, abi.FUTEX_OP_CMP_LT, 8), 5, 1},
		{"xor, le false", 9, op(abi.FUTEX_OP_XOR, 1, abi.FUTEX_OP_CMP_LE, 8), 8, 0},
		{"gt with a negative argument", 0, op(abi.FUTEX_OP_SET, 1, abi.FUTEX_OP_CMP_GT, 0xfff), 1, 1},
		{"shift, ge", 0, 1<<31 | op(abi.FUTEX_OP_SET, 4, abi.FUTEX_OP_CMP_GE, 0), 16, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var f Table
			m := newMemory()
			s := newSleeper()
			m.WriteUint32(0x84, c.old)
			w1 := waitAsync(t, &f, s, m, 0x80, 0, abi.FUTEX_BITSET_MATCH_ANY)
			w2 := waitAsync(t, &f, s, m, 0x84, c.old, abi.FUTEX_BITSET_MATCH_ANY)
			n, err := f.WakeOp(m, 0x80, 0x84, true, 1, 1, c.op)
			if err != nil || n != 1+c.wantWoken {
				t.Fatalf("woke %d (%v), want %d", n, err, 1+c.wantWoken)
			}
			if v, _ := m.ReadUint32(0x84); v != c.wantWord {
				t.Errorf("word is %d, want %d", v, c.wantWord)
			}
			result(t, w1)
			if c.wantWoken == 1 {
				result(t, w2)
			} else {
				f.Wake(m, 0x84, true, 1, abi.FUTEX_BITSET_MATCH_ANY)
				result(t, w2)
			}
		})
	}
	var f Table
	if _, err := f.WakeOp(newMemory(), 0, 4, true, 1, 1, 7<<28); err != abi.ENOSYS {
		t.Errorf("an unknown operation: %v, want ENOSYS", err)
	}
}

// TestShared checks that a shared futex is found from another memory that
// maps the same page, and a private one is not.
func TestShared(t *testing.T) {
	var f Table
	shm := []byte{}
	a, b := newMemory(), newMemory()
	a.shm, b.shm = &shm, &shm
	a.sharedFrom, b.sharedFrom = 0x800, 0x400
	s := newSleeper()
	done := make(chan error, 1)
	go func() { done <- f.Wait(s, a, 0x810, 0, abi.FUTEX_BITSET_MATCH_ANY, false, time.Time{}) }()
	for f.queued() == 0 {
		time.Sleep(time.Millisecond)
	}
	if n, _ := f.Wake(b, 0x410, true, 1, abi.FUTEX_BITSET_MATCH_ANY); n != 0 {
		t.Error("a private wake in another memory woke a shared waiter")
	}
	if n, _ := f.Wake(b, 0x410, false, 1, abi.FUTEX_BITSET_MATCH_ANY); n != 1 {
		t.Error("a shared wake at the same offset did not wake the waiter")
	}
	result(t, done)
}

// TestSignal checks that a signal ends a wait with ERESTARTSYS and leaves
// nothing queued, and that a wake that came first wins.
func TestSignal(t *testing.T) {
	var f Table
	m := newMemory()
	s := newSleeper()
	done := waitAsync(t, &f, s, m, 0x50, 0, abi.FUTEX_BITSET_MATCH_ANY)
	close(s.sig)
	if err := result(t, done); err != abi.ERESTARTSYS {
		t.Errorf("got %v, want ERESTARTSYS", err)
	}
	if f.queued() != 0 {
		t.Error("an interrupted waiter stayed queued")
	}
	// Woken and signalled at once: the wake was counted, so the waiter
	// reports it (futex_wait's unqueue_me returning 0).
	s2 := newSleeper()
	done = waitAsync(t, &f, s2, m, 0x50, 0, abi.FUTEX_BITSET_MATCH_ANY)
	f.Wake(m, 0x50, true, 1, abi.FUTEX_BITSET_MATCH_ANY)
	close(s2.sig)
	if err := result(t, done); err != nil {
		t.Errorf("woken then signalled: %v, want success", err)
	}
}
