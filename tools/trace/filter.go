package trace

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"paddock/abi"
)

// Filter is the set of calls and signals strace's -e expressions select.
// A nil Filter selects everything.
type Filter struct {
	calls   map[abi.Sysno]bool // nil: every call
	signals *abi.SigSet        // nil: every signal
}

// call reports whether nr is traced.
func (f *Filter) call(nr abi.Sysno) bool {
	return f == nil || f.calls == nil || f.calls[nr]
}

// signal reports whether the delivery of sig is printed.
func (f *Filter) signal(sig abi.Signal) bool {
	return f == nil || f.signals == nil || f.signals.Has(sig)
}

// ParseFilter parses strace's -e expressions: [trace=|signal=][!]SET,
// where a set of calls is a list of names, %classes, /regexps, ?names
// (ignored when unknown), all or none, and a set of signals a list of
// names or numbers. The classes of calls come from calls' descriptions.
func ParseFilter(exprs []string, calls Syscalls) (*Filter, error) {
	f := &Filter{}
	for _, e := range exprs {
		qual, val, ok := strings.Cut(e, "=")
		if !ok {
			qual, val = "trace", e
		}
		switch qual {
		case "trace", "t":
			set, err := callSet(val, calls)
			if err != nil {
				return nil, err
			}
			f.calls = set
		case "signal", "signals", "s":
			set, err := signalSet(val)
			if err != nil {
				return nil, err
			}
			f.signals = &set
		default:
			return nil, fmt.Errorf("-e %s: paddock supports trace= and signal= expressions", e)
		}
	}
	return f, nil
}

// negate splits a leading "!" off a set.
func negate(val string) (string, bool) {
	if strings.HasPrefix(val, "!") {
		return val[1:], true
	}
	return val, false
}

// callSet parses a set of syscalls.
func callSet(val string, calls Syscalls) (map[abi.Sysno]bool, error) {
	val, neg := negate(val)
	set := map[abi.Sysno]bool{}
	inClass := func(cl abi.SyscallClass) func(abi.Sysno) bool {
		return func(nr abi.Sysno) bool {
			if calls == nil {
				return false
			}
			d, _, ok := calls.Describe(nr)
			return ok && d.Class&cl != 0
		}
	}
	all := func(keep func(abi.Sysno) bool) {
		for nr := abi.Sysno(0); nr < abi.MaxSysno; nr++ {
			if !strings.HasPrefix(nr.Name(), "syscall_") && keep(nr) {
				set[nr] = true
			}
		}
	}
	for _, item := range strings.Split(val, ",") {
		switch {
		case item == "all":
			all(func(abi.Sysno) bool { return true })
		case item == "none":
		case strings.HasPrefix(item, "/"):
			re, err := regexp.Compile(item[1:])
			if err != nil {
				return nil, fmt.Errorf("-e trace=%s: %v", item, err)
			}
			all(func(nr abi.Sysno) bool { return re.MatchString(nr.Name()) })
		case strings.HasPrefix(item, "%"):
			cl, ok := classNames[item[1:]]
			if !ok {
				cl, ok = classNames[item]
			}
			if !ok {
				return nil, fmt.Errorf("-e trace: unknown class %q", item)
			}
			all(inClass(cl))
		default:
			name, optional := strings.CutPrefix(item, "?")
			old := abi.ClassFile | abi.ClassProcess | abi.ClassNetwork | abi.ClassSignal | abi.ClassIPC | abi.ClassDesc | abi.ClassMemory
			if cl, ok := classNames[name]; ok && !strings.HasPrefix(name, "%") && cl&old != 0 {
				// strace still takes the old class names without "%".
				all(inClass(cl))
				continue
			}
			nr, ok := abi.SysnoByName(name)
			if !ok {
				if optional {
					continue
				}
				return nil, fmt.Errorf("-e trace: invalid system call %q", name)
			}
			set[nr] = true
		}
	}
	if neg {
		excluded := set
		set = map[abi.Sysno]bool{}
		all(func(nr abi.Sysno) bool { return !excluded[nr] })
	}
	return set, nil
}

// signalSet parses a set of signals.
func signalSet(val string) (abi.SigSet, error) {
	val, neg := negate(val)
	var set abi.SigSet
	for _, item := range strings.Split(val, ",") {
		switch item {
		case "all":
			set = ^abi.SigSet(0)
			continue
		case "none":
			continue
		}
		if n, err := strconv.Atoi(item); err == nil && abi.Signal(n).Valid() {
			set |= abi.SigSetOf(abi.Signal(n))
			continue
		}
		found := false
		for s := abi.Signal(1); s <= abi.SIGRTMAX; s++ {
			if name := s.String(); strings.EqualFold(name, item) || strings.EqualFold(strings.TrimPrefix(name, "SIG"), item) {
				set |= abi.SigSetOf(s)
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("-e signal: invalid signal %q", item)
		}
	}
	if neg {
		set = ^set
	}
	return set, nil
}
