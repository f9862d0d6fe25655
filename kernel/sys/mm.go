package sys

import (
	"paddock/abi"
	"paddock/emu/mmu"
	"paddock/kernel"
)

// Mmap implements mmap(2): anonymous memory (private and shared), private
// and shared file mappings, MAP_FIXED, MAP_FIXED_NOREPLACE, hints and
// MAP_GROWSDOWN.
func Mmap(t *kernel.Task, a kernel.Args) (uint64, error) {
	addr, length, prot, flags, fd, off := a[0], a[1], a.Uint(2), a.Uint(3), a.Int(4), a[5]
	if length == 0 || off%abi.PageSize != 0 {
		return 0, abi.EINVAL
	}
	typ := flags & abi.MAP_TYPE
	if typ != abi.MAP_SHARED && typ != abi.MAP_PRIVATE && typ != abi.MAP_SHARED_VALIDATE {
		return 0, abi.EINVAL
	}
	if prot&^(abi.PROT_READ|abi.PROT_WRITE|abi.PROT_EXEC) != 0 {
		return 0, abi.EINVAL
	}
	m := mmu.Mapping{
		Addr: addr, Len: length, Prot: prot,
		Fixed:     flags&abi.MAP_FIXED != 0,
		NoReplace: flags&abi.MAP_FIXED_NOREPLACE != 0,
		Shared:    typ != abi.MAP_PRIVATE,
		GrowsDown: flags&abi.MAP_GROWSDOWN != 0,
		Low32:     flags&abi.MAP_32BIT != 0,
	}
	if flags&abi.MAP_ANONYMOUS != 0 {
		return t.MM().AddressSpace().Map(m)
	}
	f, err := file(t, fd)
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	return t.MapFile(m, f, off)
}

// Munmap implements munmap(2).
func Munmap(t *kernel.Task, a kernel.Args) (uint64, error) {
	return boolErr(t.MM().AddressSpace().Unmap(a[0], a[1]))
}

// Mprotect implements mprotect(2).
func Mprotect(t *kernel.Task, a kernel.Args) (uint64, error) {
	prot := a.Uint(2)
	if prot&^(abi.PROT_READ|abi.PROT_WRITE|abi.PROT_EXEC|abi.PROT_GROWSDOWN|abi.PROT_GROWSUP) != 0 {
		return 0, abi.EINVAL
	}
	return boolErr(t.MM().AddressSpace().Protect(a[0], a[1], prot&(abi.PROT_READ|abi.PROT_WRITE|abi.PROT_EXEC)))
}

// Mremap implements mremap(2).
func Mremap(t *kernel.Task, a kernel.Args) (uint64, error) {
	return t.MM().AddressSpace().Remap(a[0], a[1], a[2], a.Uint(3), a[4])
}

// Brk implements brk(2): it returns the new break, or the old one when the
// request cannot be met.
func Brk(t *kernel.Task, a kernel.Args) (uint64, error) {
	return t.MM().AddressSpace().Brk(a[0], t.Process().Limit(abi.RLIMIT_DATA)), nil
}

// Madvise implements madvise(2). Advice is a hint and paddock keeps all
// memory resident, so only MADV_DONTNEED and MADV_FREE change anything:
// private pages read back as zeros.
func Madvise(t *kernel.Task, a kernel.Args) (uint64, error) {
	addr, length, advice := a[0], a[1], a.Int(2)
	if addr%abi.PageSize != 0 {
		return 0, abi.EINVAL
	}
	switch advice {
	case abi.MADV_DONTNEED, abi.MADV_FREE:
		return boolErr(t.MM().AddressSpace().Discard(addr, length))
	case abi.MADV_NORMAL, abi.MADV_RANDOM, abi.MADV_SEQUENTIAL, abi.MADV_WILLNEED, abi.MADV_DONTFORK,
		abi.MADV_DOFORK, abi.MADV_MERGEABLE, abi.MADV_HUGEPAGE, abi.MADV_NOHUGEPAGE, abi.MADV_DONTDUMP,
		abi.MADV_DODUMP, abi.MADV_REMOVE:
		return 0, nil
	}
	return 0, abi.EINVAL
}

// Msync implements msync(2): mappings are private copies or anonymous, so
// there is nothing to write back; the range must be mapped.
func Msync(t *kernel.Task, a kernel.Args) (uint64, error) {
	addr, length, flags := a[0], a[1], a.Uint(2)
	if addr%abi.PageSize != 0 || flags&^(abi.MS_ASYNC|abi.MS_SYNC|abi.MS_INVALIDATE) != 0 ||
		flags&abi.MS_ASYNC != 0 && flags&abi.MS_SYNC != 0 {
		return 0, abi.EINVAL
	}
	if !t.MM().AddressSpace().Mapped(addr, length) {
		return 0, abi.ENOMEM
	}
	return 0, nil
}

// Mlock implements mlock(2) and munlock(2). Guest memory is never paged out
// (paddock has no swap), so locking changes nothing but is checked as Linux
// checks it: the range must be mapped, and an unprivileged caller may lock
// at most RLIMIT_MEMLOCK bytes.
func Mlock(t *kernel.Task, a kernel.Args) (uint64, error) {
	addr, length := abi.PageRoundDown(a[0]), a[1]+a[0]%abi.PageSize
	if !t.MM().AddressSpace().Mapped(addr, length) {
		return 0, abi.ENOMEM
	}
	if c := t.Process().Creds(); !c.Privileged() && length > t.Process().Limit(abi.RLIMIT_MEMLOCK) {
		return 0, abi.ENOMEM
	}
	return 0, nil
}

// Munlock implements munlock(2).
func Munlock(t *kernel.Task, a kernel.Args) (uint64, error) {
	addr, length := abi.PageRoundDown(a[0]), a[1]+a[0]%abi.PageSize
	if !t.MM().AddressSpace().Mapped(addr, length) {
		return 0, abi.ENOMEM
	}
	return 0, nil
}

// Mlockall implements mlockall(2) (MCL_CURRENT 1, MCL_FUTURE 2, MCL_ONFAULT
// 4), with the same RLIMIT_MEMLOCK check over the whole address space.
func Mlockall(t *kernel.Task, a kernel.Args) (uint64, error) {
	flags := a.Uint(0)
	if flags == 0 || flags&^7 != 0 || flags == 4 {
		return 0, abi.EINVAL
	}
	if c := t.Process().Creds(); !c.Privileged() && t.MM().AddressSpace().Size() > t.Process().Limit(abi.RLIMIT_MEMLOCK) {
		return 0, abi.ENOMEM
	}
	return 0, nil
}

// Munlockall implements munlockall(2).
func Munlockall(*kernel.Task, kernel.Args) (uint64, error) { return 0, nil }

// Mincore implements mincore(2): every mapped page is resident.
func Mincore(t *kernel.Task, a kernel.Args) (uint64, error) {
	addr, length := a[0], a[1]
	if addr%abi.PageSize != 0 {
		return 0, abi.EINVAL
	}
	if !t.MM().AddressSpace().Mapped(addr, length) {
		return 0, abi.ENOMEM
	}
	n, _ := abi.PageRoundUp(length)
	v := make([]byte, n/abi.PageSize)
	for i := range v {
		v[i] = 1
	}
	return 0, t.CopyOut(a[2], v)
}
