package trace

import (
	"encoding/binary"
	"strconv"
	"strings"

	"paddock/abi"
	"paddock/kernel/observe"
)

// call is one syscall being printed: its arguments and, at exit, its
// result. Decoders read guest memory through the task.
type call struct {
	s     *Strace
	t     observe.Task
	nr    abi.Sysno
	args  [6]uint64
	ret   uint64
	errno abi.Errno
	exit  bool
}

// failed reports that the call returned an error: out-arguments then hold
// nothing and print as addresses.
func (c *call) failed() bool { return c.errno != 0 }

// read reads n bytes of guest memory.
func (c *call) read(addr uint64, n int) ([]byte, bool) {
	b := make([]byte, n)
	if c.t.CopyIn(addr, b) != nil {
		return nil, false
	}
	return b, true
}

// decodeAt reads size bytes at v and formats them with f, or prints the
// address when they cannot be read.
func (c *call) decodeAt(v uint64, size int, f func(b []byte) string) string {
	b, ok := c.read(v, size)
	if !ok {
		return ptr(v)
	}
	return f(b)
}

// cstring reads a NUL-terminated string of at most max bytes; more reports
// that no NUL came within max.
func (c *call) cstring(addr uint64, max int) (s []byte, more, ok bool) {
	var out []byte
	var chunk [64]byte
	for len(out) < max {
		n := min(len(chunk), max-len(out))
		// A chunk may cross into an unmapped page: read it a byte at a
		// time then.
		if c.t.CopyIn(addr, chunk[:n]) != nil {
			for i := 0; i < n; i++ {
				if c.t.CopyIn(addr+uint64(i), chunk[i:i+1]) != nil {
					return out, false, len(out) > 0 || i > 0
				}
				if chunk[i] == 0 {
					return out, false, true
				}
				out = append(out, chunk[i])
			}
			addr += uint64(n)
			continue
		}
		for i := 0; i < n; i++ {
			if chunk[i] == 0 {
				return append(out, chunk[:i]...), false, true
			}
		}
		out = append(out, chunk[:n]...)
		addr += uint64(n)
	}
	return out, true, true
}

// str prints a NUL-terminated string argument, cut at limit bytes with
// "..." after the quote as strace's -s does.
func (c *call) str(addr uint64, limit int) string {
	if addr == 0 {
		return "NULL"
	}
	s, more, ok := c.cstring(addr, limit)
	if !ok {
		return ptr(addr)
	}
	if more {
		return quote(s, false) + "..."
	}
	return quote(s, false)
}

// buf prints n bytes at addr as a string, cut at -s.
func (c *call) buf(addr uint64, n uint64, hex bool) string {
	if addr == 0 {
		return "NULL"
	}
	limit := uint64(c.s.opts.StringLimit)
	show := min(n, limit)
	b, ok := c.read(addr, int(show))
	if !ok {
		return ptr(addr)
	}
	q := quote(b, hex)
	if n > limit {
		q += "..."
	}
	return q
}

// fd prints a descriptor, with its path in <> under -y.
func (c *call) fd(v uint64) string {
	fd := int32(v)
	s := strconv.Itoa(int(fd))
	if c.s.opts.FDPaths && fd >= 0 {
		if p, ok := c.t.FDPath(fd); ok {
			s += "<" + p + ">"
		}
	}
	return s
}

// argf formats argument i of a call.
type argf func(c *call, i int) string

// arg is one argument's decoder; out marks arguments the kernel fills,
// which strace prints at exit.
type arg struct {
	f   argf
	out bool
}

// omit is what a decoder returns for an argument strace leaves out (the
// mode of an open without O_CREAT).
const omit = "\x00"

func in(f argf) arg  { return arg{f: f} }
func out(f argf) arg { return arg{f: f, out: true} }

// outOr guards an out-argument: after a failed call, or for a NULL
// pointer, it prints the address.
func outOr(f func(c *call, v uint64) string) arg {
	return out(func(c *call, i int) string {
		v := c.args[i]
		if v == 0 || c.failed() {
			return ptr(v)
		}
		return f(c, v)
	})
}

// inPtr decodes a pointer argument read at entry; NULL stays NULL.
func inPtr(f func(c *call, v uint64) string) arg {
	return in(func(c *call, i int) string {
		v := c.args[i]
		if v == 0 {
			return "NULL"
		}
		return f(c, v)
	})
}

// The plain argument kinds.
var (
	aInt  = in(func(c *call, i int) string { return dec(c.args[i]) })
	aLong = in(func(c *call, i int) string { return ldec(c.args[i]) })
	aSize = in(func(c *call, i int) string { return udec(c.args[i]) })
	aHex  = in(func(c *call, i int) string { return hex(c.args[i]) })
	aPtr  = in(func(c *call, i int) string { return ptr(c.args[i]) })
	aFd   = in(func(c *call, i int) string { return c.fd(c.args[i]) })
	aMode = in(func(c *call, i int) string { return octal(uint64(uint32(c.args[i]))) })
	aPath = in(func(c *call, i int) string { return c.str(c.args[i], 4096) })
	aOutP = out(func(c *call, i int) string { return ptr(c.args[i]) })
	// aDirfd is a directory descriptor or AT_FDCWD.
	aDirfd = in(func(c *call, i int) string {
		if int32(c.args[i]) == abi.AT_FDCWD {
			return "AT_FDCWD"
		}
		return c.fd(c.args[i])
	})
	// aSig is a signal number.
	aSig = in(func(c *call, i int) string { return sigName(c.args[i]) })
)

// aFlags prints a flag set; aEnum a value from a list.
func aFlags(names []flagName) arg {
	return in(func(c *call, i int) string { return flags(c.args[i], names) })
}

// aFlagsOr is aFlags with a name for the empty set (PROT_NONE).
func aFlagsOr(names []flagName, none string) arg {
	return in(func(c *call, i int) string {
		if c.args[i] == 0 {
			return none
		}
		return flags(c.args[i], names)
	})
}

func aEnum(names []flagName, unknown string) arg {
	return in(func(c *call, i int) string { return enum(c.args[i], names, unknown) })
}

// aBufIn is a buffer the caller fills (write), its length in the next
// argument.
var aBufIn = in(func(c *call, i int) string { return c.buf(c.args[i], c.args[i+1], false) })

// aBufOut is a buffer the kernel fills (read): as many bytes as returned.
func aBufOut(hex bool) arg {
	return outOr(func(c *call, v uint64) string { return c.buf(v, c.ret, hex) })
}

// sigName prints a signal number as strace does ("SIGUSR1", "SIGRT_3").
func sigName(v uint64) string {
	s := abi.Signal(int32(v))
	if s.Valid() {
		return s.String()
	}
	return dec(v)
}

// sigset prints a signal set as strace does: names without "SIG" in
// brackets, or the complement after "~" when most signals are in it.
func sigset(set uint64) string {
	neg := false
	if popcount(set) > 32 {
		neg, set = true, ^set
	}
	var parts []string
	for s := abi.Signal(1); s <= abi.SIGRTMAX; s++ {
		if set&(1<<(s-1)) != 0 {
			parts = append(parts, strings.TrimPrefix(s.String(), "SIG"))
		}
	}
	out := "[" + strings.Join(parts, " ") + "]"
	if neg {
		out = "~" + out
	}
	return out
}

func popcount(v uint64) int {
	n := 0
	for ; v != 0; v &= v - 1 {
		n++
	}
	return n
}

// readSigset reads a kernel sigset_t (8 bytes).
func readSigset(c *call, v uint64) string {
	return c.decodeAt(v, 8, func(b []byte) string {
		return sigset(binary.LittleEndian.Uint64(b))
	})
}

var (
	aSigsetIn  = inPtr(readSigset)
	aSigsetOut = outOr(readSigset)
)

// timespec reads a struct timespec.
func timespec(c *call, v uint64) string {
	return c.decodeAt(v, abi.SizeofTimespec, func(b []byte) string {
		ts := abi.DecodeTimespec(b)
		return "{tv_sec=" + strconv.FormatInt(ts.Sec, 10) + ", tv_nsec=" + strconv.FormatInt(ts.Nsec, 10) + "}"
	})
}

// timeval reads a struct timeval.
func timeval(c *call, v uint64) string {
	return c.decodeAt(v, abi.SizeofTimeval, func(b []byte) string {
		tv := abi.DecodeTimeval(b)
		return "{tv_sec=" + strconv.FormatInt(tv.Sec, 10) + ", tv_usec=" + strconv.FormatInt(tv.Usec, 10) + "}"
	})
}

var (
	aTimespecIn  = inPtr(timespec)
	aTimespecOut = outOr(timespec)
	aTimevalIn   = inPtr(timeval)
	aTimevalOut  = outOr(timeval)
)

// fileType names the S_IFMT bits of a mode.
var fileTypes = []flagName{
	{abi.S_IFREG, "S_IFREG"}, {abi.S_IFDIR, "S_IFDIR"}, {abi.S_IFLNK, "S_IFLNK"},
	{abi.S_IFCHR, "S_IFCHR"}, {abi.S_IFBLK, "S_IFBLK"}, {abi.S_IFIFO, "S_IFIFO"},
	{abi.S_IFSOCK, "S_IFSOCK"},
}

// fileMode prints st_mode as strace does: S_IFREG|0644.
func fileMode(m uint32) string {
	s := octal(uint64(m & 0o7777))
	for _, t := range fileTypes {
		if uint64(m&abi.S_IFMT) == t.v {
			return t.name + "|" + s
		}
	}
	return s
}

// stat prints a struct stat abbreviated as strace does without -v.
func stat(c *call, v uint64) string {
	return c.decodeAt(v, abi.SizeofStat, func(b []byte) string {
		st := abi.DecodeStat(b)
		s := "{st_mode=" + fileMode(st.Mode)
		if t := st.Mode & abi.S_IFMT; t == abi.S_IFCHR || t == abi.S_IFBLK {
			s += ", st_rdev=" + makedev(abi.Major(st.Rdev), abi.Minor(st.Rdev))
		} else {
			s += ", st_size=" + strconv.FormatInt(st.Size, 10)
		}
		return s + ", ...}"
	})
}

func makedev(major, minor uint32) string {
	return "makedev(0x" + strconv.FormatUint(uint64(major), 16) + ", 0x" + strconv.FormatUint(uint64(minor), 16) + ")"
}

var statxMask = []flagName{
	{abi.STATX_BASIC_STATS, "STATX_BASIC_STATS"},
	{abi.STATX_TYPE, "STATX_TYPE"}, {abi.STATX_MODE, "STATX_MODE"}, {abi.STATX_NLINK, "STATX_NLINK"},
	{abi.STATX_UID, "STATX_UID"}, {abi.STATX_GID, "STATX_GID"}, {abi.STATX_ATIME, "STATX_ATIME"},
	{abi.STATX_MTIME, "STATX_MTIME"}, {abi.STATX_CTIME, "STATX_CTIME"}, {abi.STATX_INO, "STATX_INO"},
	{abi.STATX_SIZE, "STATX_SIZE"}, {abi.STATX_BLOCKS, "STATX_BLOCKS"}, {abi.STATX_BTIME, "STATX_BTIME"},
	{abi.STATX_MNT_ID, "STATX_MNT_ID"},
}

// statx prints a struct statx abbreviated as strace does.
func statx(c *call, v uint64) string {
	return c.decodeAt(v, abi.SizeofStatx, func(b []byte) string {
		st := abi.DecodeStatx(b)
		return "{stx_mask=" + flags(uint64(st.Mask), statxMask) + ", stx_attributes=" + flags(st.Attributes, nil) +
			", stx_mode=" + fileMode(uint32(st.Mode)) + ", stx_size=" + strconv.FormatUint(st.Size, 10) + ", ...}"
	})
}

var (
	aStat  = outOr(stat)
	aStatx = outOr(statx)
)

// strArray prints a NULL-terminated array of strings (argv).
func strArray(c *call, v uint64) string {
	var parts []string
	for i := 0; i < 4096; i++ {
		b, ok := c.read(v+8*uint64(i), 8)
		if !ok {
			return ptr(v)
		}
		p := binary.LittleEndian.Uint64(b)
		if p == 0 {
			break
		}
		parts = append(parts, c.str(p, c.s.opts.StringLimit))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// envCount prints envp as strace does by default: the address and the
// number of variables.
func envCount(c *call, v uint64) string {
	n := 0
	for ; n < 1<<16; n++ {
		b, ok := c.read(v+8*uint64(n), 8)
		if !ok {
			return ptr(v)
		}
		if binary.LittleEndian.Uint64(b) == 0 {
			break
		}
	}
	return ptr(v) + vars(n)
}

// vars is strace's comment on an environment's size.
func vars(n int) string {
	if n == 1 {
		return " /* 1 var */"
	}
	return " /* " + strconv.Itoa(n) + " vars */"
}

var (
	aArgv = inPtr(strArray)
	aEnvp = inPtr(envCount)
)

// iovec prints an iovec array of n entries; data says how many bytes of
// the buffers hold data (all of them for writev, the result for readv).
func iovec(c *call, v uint64, n uint64, data uint64) string {
	var parts []string
	for i := uint64(0); i < min(n, 1024); i++ {
		b, ok := c.read(v+uint64(i)*abi.SizeofIovec, abi.SizeofIovec)
		if !ok {
			return ptr(v)
		}
		iv := abi.DecodeIovec(b)
		show := min(iv.Len, data)
		data -= show
		parts = append(parts, "{iov_base="+c.buf(iv.Base, show, false)+", iov_len="+udec(iv.Len)+"}")
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// aIovIn is writev's array, aIovOut readv's; their count is the next
// argument.
var (
	aIovIn = in(func(c *call, i int) string {
		if c.args[i] == 0 {
			return "NULL"
		}
		return iovec(c, c.args[i], c.args[i+1], ^uint64(0))
	})
	aIovOut = out(func(c *call, i int) string {
		if c.args[i] == 0 || c.failed() {
			return ptr(c.args[i])
		}
		return iovec(c, c.args[i], c.args[i+1], c.ret)
	})
)

// intPair prints pipe's two descriptors.
func intPair(c *call, v uint64) string {
	return c.decodeAt(v, 8, func(b []byte) string {
		return "[" + c.fd(uint64(binary.LittleEndian.Uint32(b))) + ", " + c.fd(uint64(binary.LittleEndian.Uint32(b[4:]))) + "]"
	})
}

// intOut prints an int the kernel stores.
func intOut(c *call, v uint64) string {
	return c.decodeAt(v, 4, func(b []byte) string {
		return "[" + dec(uint64(binary.LittleEndian.Uint32(b))) + "]"
	})
}

var (
	aPipe   = outOr(intPair)
	aIntOut = outOr(intOut)
)

// waitStatus prints a wait status as strace does.
func waitStatus(c *call, v uint64) string {
	if c.ret == 0 {
		// WNOHANG with no child ready: nothing was stored.
		return ptr(v)
	}
	b, ok := c.read(v, 4)
	if !ok {
		return ptr(v)
	}
	st := binary.LittleEndian.Uint32(b)
	switch {
	case st&0x7f == 0:
		return "[{WIFEXITED(s) && WEXITSTATUS(s) == " + strconv.Itoa(int(st>>8&0xff)) + "}]"
	case st&0xff == 0x7f:
		return "[{WIFSTOPPED(s) && WSTOPSIG(s) == " + sigName(uint64(st>>8&0xff)) + "}]"
	case st == 0xffff:
		return "[{WIFCONTINUED(s)}]"
	}
	s := "[{WIFSIGNALED(s) && WTERMSIG(s) == " + sigName(uint64(st&0x7f))
	if st&0x80 != 0 {
		s += " && WCOREDUMP(s)"
	}
	return s + "}]"
}

var aWaitStatus = outOr(waitStatus)

// rlimit prints a struct rlimit; infinity is RLIM64_INFINITY for
// prlimit64 and RLIM_INFINITY for getrlimit and setrlimit.
func rlimit(inf string) func(c *call, v uint64) string {
	val := func(x uint64) string {
		if x == ^uint64(0) {
			return inf
		}
		return udec(x)
	}
	return func(c *call, v uint64) string {
		b, ok := c.read(v, abi.SizeofRlimit)
		if !ok {
			return ptr(v)
		}
		r := abi.DecodeRlimit(b)
		return "{rlim_cur=" + val(r.Cur) + ", rlim_max=" + val(r.Max) + "}"
	}
}

// utsname prints struct utsname abbreviated.
func utsname(c *call, v uint64) string {
	return c.decodeAt(v, abi.SizeofUtsname, func(b []byte) string {
		u := abi.DecodeUtsname(b)
		return "{sysname=" + quote([]byte(u.Sysname), false) + ", nodename=" + quote([]byte(u.Nodename), false) + ", ...}"
	})
}

// sigaction prints a struct sigaction.
func sigaction(c *call, v uint64) string {
	return c.decodeAt(v, abi.SizeofSigAction, func(b []byte) string {
		sa := abi.DecodeSigAction(b)
		var h string
		switch sa.Handler {
		case abi.SIG_DFL:
			h = "SIG_DFL"
		case abi.SIG_IGN:
			h = "SIG_IGN"
		default:
			h = ptr(sa.Handler)
		}
		s := "{sa_handler=" + h + ", sa_mask=" + sigset(uint64(sa.Mask)) + ", sa_flags=" + flags(sa.Flags, saFlags)
		if sa.Flags&abi.SA_RESTORER != 0 {
			s += ", sa_restorer=" + ptr(sa.Restorer)
		}
		return s + "}"
	})
}

var saFlags = []flagName{
	{abi.SA_NOCLDSTOP, "SA_NOCLDSTOP"}, {abi.SA_NOCLDWAIT, "SA_NOCLDWAIT"}, {abi.SA_SIGINFO, "SA_SIGINFO"},
	{abi.SA_RESTORER, "SA_RESTORER"}, {abi.SA_ONSTACK, "SA_ONSTACK"}, {abi.SA_RESTART, "SA_RESTART"},
	{abi.SA_NODEFER, "SA_NODEFER"}, {abi.SA_RESETHAND, "SA_RESETHAND"},
}

// pollfds prints poll's array: events at entry, revents at exit (only the
// entries with any, as strace does).
func pollfds(c *call, v uint64, n uint64, revents bool) string {
	var parts []string
	for i := uint64(0); i < min(n, 1024); i++ {
		b, ok := c.read(v+abi.SizeofPollFD*i, abi.SizeofPollFD)
		if !ok {
			return ptr(v)
		}
		p := abi.DecodePollFD(b)
		fd := c.fd(uint64(uint32(p.FD)))
		if revents {
			if p.Revents != 0 {
				parts = append(parts, "{fd="+fd+", revents="+flags(uint64(p.Revents), pollEvents)+"}")
			}
			continue
		}
		parts = append(parts, "{fd="+fd+", events="+flags(uint64(p.Events), pollEvents)+"}")
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

var pollEvents = []flagName{
	{abi.POLLIN, "POLLIN"}, {abi.POLLPRI, "POLLPRI"}, {abi.POLLOUT, "POLLOUT"}, {abi.POLLERR, "POLLERR"},
	{abi.POLLHUP, "POLLHUP"}, {abi.POLLNVAL, "POLLNVAL"}, {abi.POLLRDNORM, "POLLRDNORM"},
	{abi.POLLRDBAND, "POLLRDBAND"}, {abi.POLLWRNORM, "POLLWRNORM"}, {abi.POLLWRBAND, "POLLWRBAND"},
}
