package vfs

import (
	"sync"
	"time"

	"paddock/abi"
)

// Epoll is an epoll instance (fs/eventpoll.c): an interest list of
// (file, descriptor) pairs and a ready list that the files' wake-ups feed.
// Readiness is always checked afresh when reported, so the ready list only
// says where to look; an edge-triggered item stays off it until its file
// announces a new event.
type Epoll struct {
	mu    sync.Mutex
	items map[epollKey]*epollItem
	ready []*epollItem
	q     Queue
}

// epollKey names an interest: Linux keys items on the open file and the
// descriptor number it was added under.
type epollKey struct {
	f  *File
	fd int32
}

type epollItem struct {
	ep     *Epoll
	key    epollKey
	events uint32 // requested events and EPOLLET/EPOLLONESHOT; 0 once a one-shot fired
	data   uint64
	w      *Waiter
	queued bool   // on the ready list
	seq    uint64 // counts wake-ups, so that a check racing one does not drop it
	gone   bool
}

// epollPrivate are the flags that are not events (EP_PRIVATE_BITS).
const epollPrivate = abi.EPOLLWAKEUP | abi.EPOLLONESHOT | abi.EPOLLET | abi.EPOLLEXCLUSIVE

// NewEpoll returns an open epoll file.
func (v *VFS) NewEpoll(flags uint32) *File {
	return v.NewAnonFile("eventpoll", &Epoll{items: map[epollKey]*epollItem{}}, abi.O_RDWR|flags)
}

// EpollOf returns the epoll instance behind f, or nil.
func EpollOf(f *File) *Epoll {
	ep, _ := f.Ops.(*Epoll)
	return ep
}

// Read implements FileOps: an epoll file cannot be read.
func (ep *Epoll) Read(Context, *File, []byte, int64) (int, error) { return 0, abi.EINVAL }

// Write implements FileOps: nor written.
func (ep *Epoll) Write(Context, *File, []byte, int64) (int, error) { return 0, abi.EINVAL }

// Readiness implements Poller: readable while an item on the ready list is
// ready.
func (ep *Epoll) Readiness(mask uint32) uint32 {
	for _, it := range ep.queuedItems() {
		if it.poll(nil) != 0 {
			return (abi.POLLIN | abi.POLLRDNORM) & mask
		}
	}
	return 0
}

// Queue implements Poller.
func (ep *Epoll) Queue() *Queue { return &ep.q }

// Release implements Releaser: the instance stops listening.
func (ep *Epoll) Release() {
	ep.mu.Lock()
	items := ep.items
	ep.items = map[epollKey]*epollItem{}
	ep.ready = nil
	ep.mu.Unlock()
	for _, it := range items {
		it.detach()
	}
}

// Add implements EPOLL_CTL_ADD for file f open as descriptor fd.
func (ep *Epoll) Add(f *File, fd int32, ev abi.EpollEvent) error {
	if err := ep.checkTarget(f); err != nil {
		return err
	}
	key := epollKey{f, fd}
	ep.mu.Lock()
	if _, ok := ep.items[key]; ok {
		ep.mu.Unlock()
		return abi.EEXIST
	}
	it := &epollItem{ep: ep, key: key, events: ev.Events | abi.POLLERR | abi.POLLHUP, data: ev.Data}
	it.w = NewCallbackWaiter(it.wake)
	ep.items[key] = it
	ep.mu.Unlock()
	f.Ops.(Poller).Queue().Add(it.w, ^uint32(0))
	ep.recheck(it)
	return nil
}

// Modify implements EPOLL_CTL_MOD.
func (ep *Epoll) Modify(f *File, fd int32, ev abi.EpollEvent) error {
	ep.mu.Lock()
	it, ok := ep.items[epollKey{f, fd}]
	if !ok {
		ep.mu.Unlock()
		return abi.ENOENT
	}
	it.events = ev.Events | abi.POLLERR | abi.POLLHUP
	it.data = ev.Data
	ep.mu.Unlock()
	ep.recheck(it)
	return nil
}

// Delete implements EPOLL_CTL_DEL.
func (ep *Epoll) Delete(f *File, fd int32) error {
	ep.mu.Lock()
	it, ok := ep.items[epollKey{f, fd}]
	if ok {
		ep.removeLocked(it)
	}
	ep.mu.Unlock()
	if !ok {
		return abi.ENOENT
	}
	it.detach()
	return nil
}

// checkTarget applies epoll_ctl's rules to the file being added: it must
// have readiness of its own (EPERM), must not be the instance itself
// (EINVAL) and must not close a loop of nested instances (ELOOP).
func (ep *Epoll) checkTarget(f *File) error {
	if !Pollable(f) {
		return abi.EPERM
	}
	inner := EpollOf(f)
	if inner == ep {
		return abi.EINVAL
	}
	if inner != nil && inner.reaches(ep, 0) {
		return abi.ELOOP
	}
	return nil
}

// epollMaxNests is how deep instances may nest (EP_MAX_NESTS).
const epollMaxNests = 4

// reaches reports whether target is ep or is watched, directly or through
// nested instances, by ep; past the nesting limit it answers yes.
func (ep *Epoll) reaches(target *Epoll, depth int) bool {
	if ep == target || depth > epollMaxNests {
		return true
	}
	ep.mu.Lock()
	var inner []*Epoll
	for k := range ep.items {
		if e := EpollOf(k.f); e != nil {
			inner = append(inner, e)
		}
	}
	ep.mu.Unlock()
	for _, e := range inner {
		if e.reaches(target, depth+1) {
			return true
		}
	}
	return false
}

// wake is the item's callback on its file's queue: news of an event it
// waits for puts it on the ready list.
func (it *epollItem) wake(events uint32) {
	// Wake-ups name POLLIN or POLLOUT; the normal-data twins go with them.
	if events&abi.POLLIN != 0 {
		events |= abi.POLLRDNORM
	}
	if events&abi.POLLOUT != 0 {
		events |= abi.POLLWRNORM
	}
	ep := it.ep
	ep.mu.Lock()
	if it.gone || it.events&^epollPrivate&events == 0 {
		ep.mu.Unlock()
		return
	}
	it.seq++
	if !it.queued {
		it.queued = true
		ep.ready = append(ep.ready, it)
	}
	ep.mu.Unlock()
	ep.q.Notify(abi.POLLIN | abi.POLLRDNORM)
}

// recheck puts an item on the ready list if its file is ready now, as
// adding or modifying an item does in Linux.
func (ep *Epoll) recheck(it *epollItem) {
	if it.poll(nil) == 0 {
		return
	}
	ep.mu.Lock()
	if !it.gone && !it.queued {
		it.queued = true
		ep.ready = append(ep.ready, it)
	}
	ep.mu.Unlock()
	ep.q.Notify(abi.POLLIN | abi.POLLRDNORM)
}

// poll returns the item's file's readiness for the events it asks for.
func (it *epollItem) poll(ctx Context) uint32 {
	it.ep.mu.Lock()
	events := it.events &^ epollPrivate
	it.ep.mu.Unlock()
	if events == 0 || it.key.f.Released() {
		return 0
	}
	return Readiness(ctx, it.key.f, events) & events
}

// detach stops listening to the item's file.
func (it *epollItem) detach() {
	if p, ok := it.key.f.Ops.(Poller); ok {
		p.Queue().Remove(it.w)
	}
}

// removeLocked takes an item off both lists; ep.mu is held.
func (ep *Epoll) removeLocked(it *epollItem) {
	it.gone = true
	delete(ep.items, it.key)
	if it.queued {
		it.queued = false
		for i, x := range ep.ready {
			if x == it {
				ep.ready = append(ep.ready[:i], ep.ready[i+1:]...)
				break
			}
		}
	}
}

func (ep *Epoll) queuedItems() []*epollItem {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return append([]*epollItem(nil), ep.ready...)
}

// Wait implements epoll_wait: up to max ready events, waiting as Poll
// does.
func (ep *Epoll) Wait(ctx Context, max int, wait bool, deadline time.Time) ([]abi.EpollEvent, error) {
	var w *Waiter
	defer func() {
		if w != nil {
			ep.q.Remove(w)
		}
	}()
	for {
		if out := ep.collect(ctx, max); len(out) > 0 || !wait {
			return out, nil
		}
		if w == nil {
			w = NewWaiter()
			ep.q.Add(w, ^uint32(0))
			continue
		}
		switch err := ctx.Block(w, deadline); err {
		case nil:
		case abi.ETIMEDOUT:
			return nil, nil
		default:
			return nil, err
		}
	}
}

// collect reports the ready items: each file's readiness is read without
// the instance's lock (a file may take locks of its own that are held
// while it wakes this instance), then the ready list is updated.
func (ep *Epoll) collect(ctx Context, max int) []abi.EpollEvent {
	ep.mu.Lock()
	cand := append([]*epollItem(nil), ep.ready...)
	seqs := make([]uint64, len(cand))
	for i, it := range cand {
		seqs[i] = it.seq
	}
	ep.mu.Unlock()
	revents := make([]uint32, len(cand))
	for i, it := range cand {
		if it.key.f.Released() {
			continue
		}
		revents[i] = it.poll(ctx)
	}
	var out []abi.EpollEvent
	var released []*epollItem
	ep.mu.Lock()
	for i, it := range cand {
		if it.gone || !it.queued {
			continue
		}
		if it.key.f.Released() {
			// Its last descriptor closed: the item goes (ep_remove on
			// the file's release).
			ep.removeLocked(it)
			released = append(released, it)
			continue
		}
		r := revents[i]
		if r == 0 {
			if it.seq == seqs[i] {
				ep.dequeueLocked(it)
			}
			continue
		}
		if len(out) == max {
			break
		}
		out = append(out, abi.EpollEvent{Events: r, Data: it.data})
		switch {
		case it.events&abi.EPOLLONESHOT != 0:
			it.events &= epollPrivate
			ep.dequeueLocked(it)
		case it.events&abi.EPOLLET != 0:
			if it.seq == seqs[i] {
				ep.dequeueLocked(it)
			}
		default:
			// Level-triggered: it stays, behind the others, so that
			// every ready item gets its turn.
			ep.dequeueLocked(it)
			it.queued = true
			ep.ready = append(ep.ready, it)
		}
	}
	ep.mu.Unlock()
	for _, it := range released {
		it.detach()
	}
	return out
}

// dequeueLocked takes an item off the ready list; ep.mu is held.
func (ep *Epoll) dequeueLocked(it *epollItem) {
	if !it.queued {
		return
	}
	it.queued = false
	for i, x := range ep.ready {
		if x == it {
			ep.ready = append(ep.ready[:i], ep.ready[i+1:]...)
			return
		}
	}
}
