package sys

import "sync"

// Scratch buffers carry the data of reads and socket transfers between
// the file and guest memory. Guests pass large buffers (64 KiB, 1 MiB)
// for transfers that are mostly small: a fresh buffer per call would cost
// its zeroing and the collector's work, more than the call itself (a UDP
// round trip spent 40% of its time there). A buffer goes back to its pool
// after the call; nothing a file does may keep it.
var scratchPools = [...]struct {
	size int
	pool sync.Pool
}{{size: 4 << 10}, {size: 64 << 10}, {size: chunk}}

// getScratch returns a buffer of n bytes (at most chunk), whose contents
// are undefined, and a release for it.
func getScratch(n uint64) ([]byte, func()) {
	for i := range scratchPools {
		p := &scratchPools[i]
		if n <= uint64(p.size) {
			b, _ := p.pool.Get().(*[]byte)
			if b == nil {
				s := make([]byte, p.size)
				b = &s
			}
			return (*b)[:n], func() { p.pool.Put(b) }
		}
	}
	return make([]byte, n), func() {}
}
