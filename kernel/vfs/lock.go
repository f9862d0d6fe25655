package vfs

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"paddock/abi"
)

// Advisory file locks as Linux keeps them (fs/locks.c): POSIX record locks
// owned by a descriptor table (fcntl F_SETLK), OFD record locks owned by an
// open file description (F_OFD_SETLK) and whole-file flock(2) locks owned
// by an open file description. Every inode with locks has its own table;
// the manager indexes the tables by inode and keeps the wait-for edges
// between POSIX owners, for deadlock detection.

// LockKind says who owns a lock and which rules apply to it.
type LockKind uint8

const (
	// LockPOSIX is an fcntl record lock owned by a descriptor table:
	// released when the table closes any descriptor of the file.
	LockPOSIX LockKind = iota
	// LockOFD is an fcntl record lock owned by an open file description:
	// released when the description's last reference goes.
	LockOFD
	// LockFlock is a flock(2) lock, owned by an open file description.
	LockFlock
)

// LockOwner identifies a lock's owner: a descriptor table for POSIX locks,
// the *File for OFD and flock locks. Pid is what F_GETLK and /proc/locks
// report: the owning process's pid for POSIX locks, -1 for OFD locks, the
// locking process's pid for flock.
type LockOwner struct {
	ID  any
	Pid int32
}

// LockEOF is the end offset of a lock that runs to the end of the file and
// beyond (l_len 0): Linux's OFFSET_MAX.
const LockEOF = math.MaxInt64

// Lock is one held lock or a request for one: bytes Start..End inclusive.
type Lock struct {
	Kind       LockKind
	Type       int16 // F_RDLCK or F_WRLCK (F_UNLCK in a request: release)
	Start, End int64
	Owner      LockOwner
	// Dev and Ino name the locked inode; id orders locks by creation, as
	// /proc/locks lists them.
	Dev, Ino uint64
	id       uint64
}

func (l *Lock) overlaps(o *Lock) bool { return l.Start <= o.End && o.Start <= l.End }

// conflicts reports whether held lock l stands in the way of request r.
func (l *Lock) conflicts(r *Lock) bool {
	if l.Owner.ID == r.Owner.ID || !l.overlaps(r) {
		return false
	}
	return l.Type == abi.F_WRLCK || r.Type == abi.F_WRLCK
}

// inodeLocks is the lock table of one inode.
type inodeLocks struct {
	dev, ino uint64
	records  []*Lock // POSIX and OFD locks, sorted by start
	flocks   []*Lock
	q        Queue // waiters for any change
}

func (il *inodeLocks) empty() bool { return len(il.records) == 0 && len(il.flocks) == 0 }

// Locks is the VFS's lock manager.
type Locks struct {
	mu     sync.Mutex
	tables map[inodeKey]*inodeLocks
	// waitingFor maps a POSIX owner's ID to the owner ID of the lock it
	// sleeps for, Linux's blocked_hash: the edges of the wait-for graph.
	waitingFor map[any]any
	nextID     uint64
}

type inodeKey struct{ dev, ino uint64 }

// Locks returns the VFS's lock manager.
func (v *VFS) Locks() *Locks { return v.locks }

func (m *Locks) tableLocked(f *File, create bool) *inodeLocks {
	a := f.Inode.Attr()
	k := inodeKey{a.Dev, a.Ino}
	il := m.tables[k]
	if il == nil && create {
		il = &inodeLocks{dev: a.Dev, ino: a.Ino}
		m.tables[k] = il
	}
	return il
}

func (m *Locks) dropIfEmptyLocked(il *inodeLocks) {
	if il.empty() {
		delete(m.tables, inodeKey{il.dev, il.ino})
	}
}

// Range turns struct flock's whence, start and len into an inclusive byte
// range, as flock64_to_posix_lock does: cur is the file position and size
// the file's size, for SEEK_CUR and SEEK_END.
func Range(whence int16, start, length, cur, size int64) (int64, int64, error) {
	var base int64
	switch whence {
	case abi.SEEK_SET:
	case abi.SEEK_CUR:
		base = cur
	case abi.SEEK_END:
		base = size
	default:
		return 0, 0, abi.EINVAL
	}
	if (start > 0 && base > LockEOF-start) || base+start < 0 {
		if start > 0 {
			return 0, 0, abi.EOVERFLOW
		}
		return 0, 0, abi.EINVAL
	}
	s := base + start
	switch {
	case length > 0:
		if length-1 > LockEOF-s {
			return 0, 0, abi.EOVERFLOW
		}
		return s, s + length - 1, nil
	case length < 0:
		if s+length < 0 {
			return 0, 0, abi.EINVAL
		}
		return s + length, s - 1, nil
	}
	return s, LockEOF, nil
}

// Test returns a lock that would stand in the way of r (F_GETLK), or nil.
func (m *Locks) Test(f *File, r *Lock) *Lock {
	m.mu.Lock()
	defer m.mu.Unlock()
	il := m.tableLocked(f, false)
	if il == nil {
		return nil
	}
	for _, l := range il.records {
		if l.conflicts(r) {
			c := *l
			return &c
		}
	}
	return nil
}

// SetRecord applies an fcntl record-lock request (POSIX or OFD; Type
// F_UNLCK releases the range). With wait it sleeps until the lock can be
// had (F_SETLKW): EDEADLK if sleeping would close a cycle of POSIX owners
// waiting for each other, ERESTARTSYS if a signal interrupts. Without
// wait a conflict is EAGAIN.
func (m *Locks) SetRecord(ctx Context, f *File, r *Lock, wait bool) error {
	var w *Waiter
	for {
		m.mu.Lock()
		il := m.tableLocked(f, r.Type != abi.F_UNLCK)
		if il == nil {
			m.mu.Unlock()
			return nil
		}
		var blocker *Lock
		if r.Type != abi.F_UNLCK {
			for _, l := range il.records {
				if l.conflicts(r) {
					blocker = l
					break
				}
			}
		}
		if blocker == nil {
			m.applyLocked(il, r)
			if r.Kind == LockOFD {
				m.watchRelease(f)
			}
			m.dropIfEmptyLocked(il)
			delete(m.waitingFor, r.Owner.ID)
			m.mu.Unlock()
			il.q.Notify(^uint32(0))
			return nil
		}
		if !wait {
			m.dropIfEmptyLocked(il)
			m.mu.Unlock()
			return abi.EAGAIN
		}
		// Linux checks for deadlock only between POSIX owners
		// (posix_locks_deadlock): OFD owners are not processes.
		if r.Kind == LockPOSIX && blocker.Kind == LockPOSIX && m.deadlockLocked(r.Owner.ID, blocker.Owner.ID) {
			delete(m.waitingFor, r.Owner.ID)
			m.mu.Unlock()
			return abi.EDEADLK
		}
		if w == nil {
			w = NewWaiter()
			il.q.Add(w, ^uint32(0))
			defer il.q.Remove(w)
		}
		if r.Kind == LockPOSIX {
			m.waitingFor[r.Owner.ID] = blocker.Owner.ID
		}
		m.mu.Unlock()
		err := ctx.Block(w, time.Time{})
		if err != nil {
			m.mu.Lock()
			delete(m.waitingFor, r.Owner.ID)
			m.mu.Unlock()
			return err
		}
	}
}

// maxDeadlockSteps bounds the walk of the wait-for graph, as Linux's
// MAX_DEADLK_ITERATIONS does.
const maxDeadlockSteps = 10

// deadlockLocked reports whether owner waiting for blocker closes a cycle:
// blocker waits, directly or through others, for owner.
func (m *Locks) deadlockLocked(owner, blocker any) bool {
	for i := 0; i < maxDeadlockSteps; i++ {
		if blocker == owner {
			return true
		}
		next, ok := m.waitingFor[blocker]
		if !ok {
			return false
		}
		blocker = next
	}
	return false
}

// applyLocked changes the owner's locks on il as posix_lock_inode does:
// the request replaces whatever the owner held in its range (splitting
// locks it cuts through), and locks of the same type that overlap or touch
// the result merge into one.
func (m *Locks) applyLocked(il *inodeLocks, r *Lock) {
	var kept []*Lock
	start, end := r.Start, r.End
	for _, l := range il.records {
		if l.Owner.ID != r.Owner.ID {
			kept = append(kept, l)
			continue
		}
		touches := l.Start <= after(end) && start <= after(l.End)
		if r.Type != abi.F_UNLCK && l.Type == r.Type && touches {
			// Same type, overlapping or adjacent: absorb it.
			start, end = min(start, l.Start), max(end, l.End)
			continue
		}
		if !l.overlaps(r) {
			kept = append(kept, l)
			continue
		}
		// Different type (or an unlock) overlapping: keep what lies outside
		// the request's range.
		if l.Start < r.Start {
			left := *l
			left.End = r.Start - 1
			kept = append(kept, &left)
		}
		if l.End > r.End {
			right := *l
			right.Start = r.End + 1
			if l.Start < r.Start {
				m.nextID++
				right.id = m.nextID
			}
			kept = append(kept, &right)
		}
	}
	if r.Type != abi.F_UNLCK {
		n := *r
		n.Start, n.End = start, end
		n.Dev, n.Ino = il.dev, il.ino
		m.nextID++
		n.id = m.nextID
		kept = append(kept, &n)
	}
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].Start < kept[j].Start })
	il.records = kept
}

// after returns the offset after x, saturating at LockEOF.
func after(x int64) int64 {
	if x == LockEOF {
		return x
	}
	return x + 1
}

// ReleasePOSIX drops every POSIX lock owner holds on f's inode: a process
// closing any descriptor of a file loses its locks on it
// (locks_remove_posix), unless the descriptor is an O_PATH one, which
// filp_close leaves out.
func (m *Locks) ReleasePOSIX(f *File, owner any) {
	if f.Inode == nil || f.Flags()&abi.O_PATH != 0 {
		return
	}
	m.mu.Lock()
	if len(m.tables) == 0 {
		// Nothing is locked anywhere: the common close.
		m.mu.Unlock()
		return
	}
	il := m.tableLocked(f, false)
	if il == nil {
		m.mu.Unlock()
		return
	}
	n := 0
	for _, l := range il.records {
		if l.Kind == LockPOSIX && l.Owner.ID == owner {
			continue
		}
		il.records[n] = l
		n++
	}
	changed := n != len(il.records)
	il.records = il.records[:n]
	m.dropIfEmptyLocked(il)
	m.mu.Unlock()
	if changed {
		il.q.Notify(^uint32(0))
	}
}

// watchRelease arranges for f's OFD and flock locks to go with its last
// reference (locks_remove_file). The caller holds m.mu.
func (m *Locks) watchRelease(f *File) {
	if f.OnRelease == nil {
		f.OnRelease = m.releaseFile
	}
}

func (m *Locks) releaseFile(f *File) {
	m.mu.Lock()
	il := m.tableLocked(f, false)
	if il == nil {
		m.mu.Unlock()
		return
	}
	keep := func(ls []*Lock) []*Lock {
		var out []*Lock
		for _, l := range ls {
			if l.Owner.ID != any(f) {
				out = append(out, l)
			}
		}
		return out
	}
	il.records, il.flocks = keep(il.records), keep(il.flocks)
	m.dropIfEmptyLocked(il)
	m.mu.Unlock()
	il.q.Notify(^uint32(0))
}

// Flock implements flock(2) for f: typ F_RDLCK (LOCK_SH), F_WRLCK
// (LOCK_EX) or F_UNLCK (LOCK_UN). As in Linux's flock_lock_inode, a
// conversion gives the old lock up before it waits for the new one.
// Without wait a conflict is EWOULDBLOCK.
func (m *Locks) Flock(ctx Context, f *File, typ int16, pid int32, wait bool) error {
	r := &Lock{Kind: LockFlock, Type: typ, Start: 0, End: LockEOF, Owner: LockOwner{ID: f, Pid: pid}}
	var w *Waiter
	for {
		m.mu.Lock()
		il := m.tableLocked(f, typ != abi.F_UNLCK)
		if il == nil {
			m.mu.Unlock()
			return nil
		}
		var mine *Lock
		blocked := false
		for _, l := range il.flocks {
			if l.Owner.ID == any(f) {
				mine = l
			} else if l.conflicts(r) {
				blocked = true
			}
		}
		if mine != nil && mine.Type == typ {
			m.mu.Unlock()
			return nil
		}
		if blocked && Trying(ctx) {
			// The call sleeps; it runs again where it may, and gives
			// the old lock up then.
			m.mu.Unlock()
			return ErrMustBlock
		}
		changed := false
		if mine != nil {
			il.flocks = removeLock(il.flocks, mine)
			changed = true
		}
		if typ == abi.F_UNLCK || !blocked {
			if typ != abi.F_UNLCK {
				m.nextID++
				r.id = m.nextID
				r.Dev, r.Ino = il.dev, il.ino
				il.flocks = append(il.flocks, r)
				m.watchRelease(f)
			}
			m.dropIfEmptyLocked(il)
			m.mu.Unlock()
			il.q.Notify(^uint32(0))
			return nil
		}
		m.dropIfEmptyLocked(il)
		m.mu.Unlock()
		if changed {
			il.q.Notify(^uint32(0))
		}
		if !wait {
			return abi.EWOULDBLOCK
		}
		if w == nil {
			w = NewWaiter()
			il.q.Add(w, ^uint32(0))
			defer il.q.Remove(w)
		}
		if err := ctx.Block(w, time.Time{}); err != nil {
			return err
		}
	}
}

func removeLock(ls []*Lock, x *Lock) []*Lock {
	for i, l := range ls {
		if l == x {
			return append(ls[:i:i], ls[i+1:]...)
		}
	}
	return ls
}

// Held returns every lock held, in creation order, for /proc/locks.
func (m *Locks) Held() []Lock {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Lock
	for _, il := range m.tables {
		for _, ls := range [][]*Lock{il.records, il.flocks} {
			for _, l := range ls {
				out = append(out, *l)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// HeldOn returns the locks held on inode, for /proc/PID/fdinfo.
func (m *Locks) HeldOn(inode Inode) []Lock {
	a := inode.Attr()
	var out []Lock
	for _, l := range m.Held() {
		if l.Dev == a.Dev && l.Ino == a.Ino {
			out = append(out, l)
		}
	}
	return out
}

// ProcLine formats l as a line of /proc/locks numbered n, as
// lock_get_status prints it.
func (l *Lock) ProcLine(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d: ", n)
	switch l.Kind {
	case LockPOSIX:
		b.WriteString("POSIX  ADVISORY  ")
	case LockOFD:
		b.WriteString("OFDLCK ADVISORY  ")
	case LockFlock:
		b.WriteString("FLOCK  ADVISORY  ")
	}
	if l.Type == abi.F_WRLCK {
		b.WriteString("WRITE ")
	} else {
		b.WriteString("READ ")
	}
	fmt.Fprintf(&b, "%d %02x:%02x:%d ", l.Owner.Pid, abi.Major(l.Dev), abi.Minor(l.Dev), l.Ino)
	if l.Kind == LockFlock || l.End == LockEOF {
		fmt.Fprintf(&b, "%d EOF\n", l.Start)
	} else {
		fmt.Fprintf(&b, "%d %d\n", l.Start, l.End)
	}
	return b.String()
}
