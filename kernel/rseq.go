package kernel

import (
	"paddock/abi"
)

// rseqReg is a thread's restartable-sequences registration.
type rseqReg struct {
	addr uint64
	len  uint32
	sig  uint32
}

// RegisterRseq implements rseq(2) registration and unregistration with
// Linux's checks (kernel/rseq.c). On registration the kernel fills in the
// CPU fields; paddock's guests always run on CPU 0 of node 0.
func (t *Task) RegisterRseq(addr uint64, length uint32, flags int32, sig uint32) error {
	switch flags {
	case abi.RSEQ_FLAG_UNREGISTER:
		if t.rseq.addr == 0 || t.rseq.addr != addr || t.rseq.len != length {
			return abi.EINVAL
		}
		if t.rseq.sig != sig {
			return abi.EPERM
		}
		t.rseq = rseqReg{}
		return t.mm.as.WriteUint32(addr+abi.RseqCPUID, abi.RseqCPUIDUninitialized)
	case 0:
	default:
		return abi.EINVAL
	}
	if t.rseq.addr != 0 {
		if t.rseq.addr != addr || t.rseq.len != length {
			return abi.EINVAL
		}
		if t.rseq.sig != sig {
			return abi.EPERM
		}
		return abi.EBUSY
	}
	if length < abi.RseqOrigSize || addr%abi.RseqOrigSize != 0 {
		return abi.EINVAL
	}
	// The CPU fields, written now as the kernel writes them on the return
	// to user space.
	for _, off := range []uint64{abi.RseqCPUIDStart, abi.RseqCPUID} {
		if err := t.mm.as.WriteUint32(addr+off, 0); err != nil {
			return abi.EFAULT
		}
	}
	if length >= abi.RseqMMCID+4 {
		t.mm.as.WriteUint32(addr+abi.RseqNodeID, 0)
		t.mm.as.WriteUint32(addr+abi.RseqMMCID, 0)
	}
	t.rseq = rseqReg{addr: addr, len: length, sig: sig}
	return nil
}
