package mmu

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// hostMem is host memory backing one or more VMAs. It is allocated outside the
// Go heap, so Unicorn may keep pointers into it. Pages never touched cost no
// RAM (MAP_NORESERVE), so a VMA may reserve room to grow. Bytes of hostMem
// that no VMA maps are always zero, so that a VMA growing over them reads
// zeros as fresh Linux pages do.
type hostMem struct {
	b    []byte
	refs int // VMAs (in any address space) using it
	// external memory belongs to someone else (a file's data): it is
	// never unmapped here.
	external bool
}

// externalHost wraps memory that someone else owns.
func externalHost(b []byte) *hostMem { return &hostMem{b: b, refs: 1, external: true} }

func allocHost(size uint64) (*hostMem, error) {
	if size == 0 || size > 1<<46 {
		return nil, fmt.Errorf("host allocation of %d bytes", size)
	}
	b, err := unix.Mmap(-1, 0, int(size), unix.PROT_READ|unix.PROT_WRITE,
		unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_NORESERVE)
	if err != nil {
		return nil, fmt.Errorf("host allocation of %d bytes: %w", size, err)
	}
	return &hostMem{b: b, refs: 1}, nil
}

func (h *hostMem) ptr(off uint64) unsafe.Pointer { return unsafe.Pointer(&h.b[off]) }

func (h *hostMem) size() uint64 { return uint64(len(h.b)) }

func (h *hostMem) ref() { h.refs++ }

func (h *hostMem) unref() {
	h.refs--
	if h.refs == 0 {
		if !h.external {
			unix.Munmap(h.b)
		}
		h.b = nil
	}
}

// zero clears [off, off+n). Large page-aligned ranges are replaced by fresh
// anonymous pages, which gives the RAM back to the host instead of touching
// every page.
func (h *hostMem) zero(off, n uint64) {
	const big = 64 << 10
	if n >= big && off%hostPage == 0 && n%hostPage == 0 {
		_, err := unix.MmapPtr(-1, 0, h.ptr(off), uintptr(n), unix.PROT_READ|unix.PROT_WRITE,
			unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_NORESERVE|unix.MAP_FIXED)
		if err == nil {
			return
		}
	}
	clear(h.b[off : off+n])
}

// hostPage is the host page size the fast path of zero needs.
var hostPage = uint64(unix.Getpagesize())
