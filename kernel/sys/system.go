package sys

import (
	"crypto/rand"
	"time"

	"paddock/abi"
	"paddock/kernel"
)

// Uname implements uname(2).
func Uname(t *kernel.Task, a kernel.Args) (uint64, error) {
	k := t.Kernel()
	cfg := k.Config()
	u := abi.Utsname{Sysname: "Linux", Nodename: k.Hostname(), Release: cfg.Release, Version: cfg.Version,
		Machine: "x86_64", Domainname: k.Domainname()}
	b := make([]byte, abi.SizeofUtsname)
	u.Encode(b)
	return 0, t.CopyOut(a[0], b)
}

func readName(t *kernel.Task, a kernel.Args) (string, error) {
	if c := t.Process().Creds(); !c.Privileged() {
		return "", abi.EPERM
	}
	n := a.Int(1)
	if n < 0 || n > abi.NewUtsLen {
		return "", abi.EINVAL
	}
	b := make([]byte, n)
	if err := t.CopyIn(a[0], b); err != nil {
		return "", err
	}
	return string(b), nil
}

// Sethostname implements sethostname(2).
func Sethostname(t *kernel.Task, a kernel.Args) (uint64, error) {
	s, err := readName(t, a)
	if err != nil {
		return 0, err
	}
	t.Kernel().SetHostname(s)
	return 0, nil
}

// Setdomainname implements setdomainname(2).
func Setdomainname(t *kernel.Task, a kernel.Args) (uint64, error) {
	s, err := readName(t, a)
	if err != nil {
		return 0, err
	}
	t.Kernel().SetDomainname(s)
	return 0, nil
}

// Sysinfo implements sysinfo(2) for paddock's nominal machine.
func Sysinfo(t *kernel.Task, a kernel.Args) (uint64, error) {
	k := t.Kernel()
	m := k.Memory()
	s := abi.Sysinfo{
		Uptime: int64(k.Uptime() / time.Second), Totalram: m.Total, Freeram: m.Free,
		Procs: uint16(k.NumTasks()), MemUnit: 1,
	}
	b := make([]byte, abi.SizeofSysinfo)
	s.Encode(b)
	return 0, t.CopyOut(a[0], b)
}

// Getrandom implements getrandom(2); paddock's pool is always ready, so
// GRND_NONBLOCK never fails.
func Getrandom(t *kernel.Task, a kernel.Args) (uint64, error) {
	if a.Uint(2)&^(abi.GRND_NONBLOCK|abi.GRND_RANDOM|abi.GRND_INSECURE) != 0 ||
		a.Uint(2)&(abi.GRND_RANDOM|abi.GRND_INSECURE) == abi.GRND_RANDOM|abi.GRND_INSECURE {
		return 0, abi.EINVAL
	}
	n := min(a[1], 1<<25)
	b := make([]byte, n)
	rand.Read(b)
	return n, t.CopyOut(a[0], b)
}

// ArchPrctl implements arch_prctl(2): the FS and GS segment bases.
func ArchPrctl(t *kernel.Task, a kernel.Args) (uint64, error) {
	switch a.Int(0) {
	case abi.ARCH_SET_FS:
		if a[1] >= abi.TaskSize {
			return 0, abi.EPERM
		}
		t.SetFSBase(a[1])
	case abi.ARCH_SET_GS:
		if a[1] >= abi.TaskSize {
			return 0, abi.EPERM
		}
		t.SetGSBase(a[1])
	case abi.ARCH_GET_FS:
		return 0, putU64(t, a[1], t.FSBase())
	case abi.ARCH_GET_GS:
		return 0, putU64(t, a[1], t.GSBase())
	case abi.ARCH_GET_CPUID:
		return 1, nil
	default:
		return 0, abi.EINVAL
	}
	return 0, nil
}

// SetTidAddress implements set_tid_address(2).
func SetTidAddress(t *kernel.Task, a kernel.Args) (uint64, error) {
	t.SetClearChildTID(a[0])
	return uint64(t.TID()), nil
}

// robustListHeadSize is sizeof(struct robust_list_head).
const robustListHeadSize = 24

// SetRobustList implements set_robust_list(2).
func SetRobustList(t *kernel.Task, a kernel.Args) (uint64, error) {
	if a[1] != robustListHeadSize {
		return 0, abi.EINVAL
	}
	t.SetRobustList(a[0], a[1])
	return 0, nil
}

// GetRobustList implements get_robust_list(2) for the caller (pid 0) or
// another thread.
func GetRobustList(t *kernel.Task, a kernel.Args) (uint64, error) {
	target := t
	if pid := a.Int(0); pid != 0 {
		target = t.Kernel().TaskByTID(pid)
		if target == nil {
			return 0, abi.ESRCH
		}
	}
	head, n := target.RobustList()
	if err := putU64(t, a[1], head); err != nil {
		return 0, err
	}
	return 0, putU64(t, a[2], n)
}

// Prctl implements the prctl(2) options paddock models.
func Prctl(t *kernel.Task, a kernel.Args) (uint64, error) {
	p := t.Process()
	switch a.Int(0) {
	case abi.PR_SET_NAME:
		name, err := t.ReadString(a[1], 4095)
		if err != nil {
			return 0, err
		}
		p.SetComm(name)
		return 0, nil
	case abi.PR_GET_NAME:
		b := make([]byte, 16)
		copy(b, p.Comm())
		return 0, t.CopyOut(a[1], b)
	case abi.PR_GET_DUMPABLE:
		return uint64(p.Dumpable()), nil
	case abi.PR_SET_DUMPABLE:
		if a[1] > 1 {
			return 0, abi.EINVAL
		}
		p.SetDumpable(int(a[1]))
		return 0, nil
	case abi.PR_SET_NO_NEW_PRIVS:
		if a[1] != 1 || a[2] != 0 || a[3] != 0 || a[4] != 0 {
			return 0, abi.EINVAL
		}
		p.SetNoNewPrivs()
		return 0, nil
	case abi.PR_GET_NO_NEW_PRIVS:
		if p.NoNewPrivs() {
			return 1, nil
		}
		return 0, nil
	case abi.PR_GET_SECCOMP:
		return 0, nil
	case abi.PR_CAPBSET_READ:
		if a[1] > 40 {
			return 0, abi.EINVAL
		}
		return 1, nil
	case abi.PR_SET_CHILD_SUBREAPER:
		p.SetSubreaper(a[1] != 0)
		return 0, nil
	case abi.PR_GET_CHILD_SUBREAPER:
		v := uint32(0)
		if p.Subreaper() {
			v = 1
		}
		return 0, putU32(t, a[1], v)
	case abi.PR_SET_PDEATHSIG:
		if a[1] > abi.NSIG {
			return 0, abi.EINVAL
		}
		t.SetParentDeathSignal(abi.Signal(a[1]))
		return 0, nil
	case abi.PR_GET_PDEATHSIG:
		return 0, putU32(t, a[1], uint32(t.ParentDeathSignal()))
	case abi.PR_GET_TID_ADDRESS:
		return 0, putU64(t, a[1], t.ClearChildTID())
	}
	return 0, abi.EINVAL
}

// Getcpu implements getcpu(2): paddock runs every task on CPU 0 of node 0
// as far as the guest can tell.
func Getcpu(t *kernel.Task, a kernel.Args) (uint64, error) {
	if a[0] != 0 {
		if err := putU32(t, a[0], 0); err != nil {
			return 0, err
		}
	}
	if a[1] != 0 {
		if err := putU32(t, a[1], 0); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// Rseq implements rseq(2).
func Rseq(t *kernel.Task, a kernel.Args) (uint64, error) {
	return 0, t.RegisterRseq(a[0], a.Uint(1), a.Int(2), a.Uint(3))
}
