package sys

import (
	"paddock/abi"
	"paddock/kernel"
)

// Getpid implements getpid(2).
func Getpid(t *kernel.Task, a kernel.Args) (uint64, error) { return uint64(t.Process().PID()), nil }

// Getppid implements getppid(2).
func Getppid(t *kernel.Task, a kernel.Args) (uint64, error) { return uint64(t.Process().PPID()), nil }

// Gettid implements gettid(2).
func Gettid(t *kernel.Task, a kernel.Args) (uint64, error) { return uint64(t.TID()), nil }

// Getuid implements getuid(2).
func Getuid(t *kernel.Task, a kernel.Args) (uint64, error) {
	c := t.Process().Creds()
	return uint64(c.RealUID), nil
}

// Geteuid implements geteuid(2).
func Geteuid(t *kernel.Task, a kernel.Args) (uint64, error) {
	c := t.Process().Creds()
	return uint64(c.EffectiveUID), nil
}

// Getgid implements getgid(2).
func Getgid(t *kernel.Task, a kernel.Args) (uint64, error) {
	c := t.Process().Creds()
	return uint64(c.RealGID), nil
}

// Getegid implements getegid(2).
func Getegid(t *kernel.Task, a kernel.Args) (uint64, error) {
	c := t.Process().Creds()
	return uint64(c.EffectiveGID), nil
}

// Getresuid implements getresuid(2).
func Getresuid(t *kernel.Task, a kernel.Args) (uint64, error) {
	c := t.Process().Creds()
	for i, v := range []uint32{c.RealUID, c.EffectiveUID, c.SavedUID} {
		if err := putU32(t, a[i], v); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// Getresgid implements getresgid(2).
func Getresgid(t *kernel.Task, a kernel.Args) (uint64, error) {
	c := t.Process().Creds()
	for i, v := range []uint32{c.RealGID, c.EffectiveGID, c.SavedGID} {
		if err := putU32(t, a[i], v); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// Getgroups implements getgroups(2).
func Getgroups(t *kernel.Task, a kernel.Args) (uint64, error) {
	c := t.Process().Creds()
	n := a.Int(0)
	if n < 0 {
		return 0, abi.EINVAL
	}
	if n == 0 {
		return uint64(len(c.Groups)), nil
	}
	if int(n) < len(c.Groups) {
		return 0, abi.EINVAL
	}
	b := make([]byte, 4*len(c.Groups))
	for i, g := range c.Groups {
		b[4*i], b[4*i+1], b[4*i+2], b[4*i+3] = byte(g), byte(g>>8), byte(g>>16), byte(g>>24)
	}
	return uint64(len(c.Groups)), t.CopyOut(a[1], b)
}

// Setgroups implements setgroups(2): root only.
func Setgroups(t *kernel.Task, a kernel.Args) (uint64, error) {
	n := a.Int(0)
	if n < 0 || n > abi.NGROUPS_MAX {
		return 0, abi.EINVAL
	}
	c := t.Process().Creds()
	if !c.Privileged() {
		return 0, abi.EPERM
	}
	b := make([]byte, 4*int(n))
	if err := t.CopyIn(a[1], b); err != nil {
		return 0, err
	}
	c.Groups = make([]uint32, n)
	for i := range c.Groups {
		c.Groups[i] = uint32(b[4*i]) | uint32(b[4*i+1])<<8 | uint32(b[4*i+2])<<16 | uint32(b[4*i+3])<<24
	}
	t.Process().SetCreds(c)
	return 0, nil
}

// noChange is the -1 id that leaves an id as it is.
const noChange = ^uint32(0)

// setresid implements the rules of setresuid(2) and setresgid(2): root may
// set any id; others may set each id to one of their current real,
// effective or saved ids. The file-system id follows the effective one.
func setresid(priv bool, r, e, s *uint32, fs *uint32, nr, ne, ns uint32) error {
	allowed := func(v uint32) bool { return v == noChange || priv || v == *r || v == *e || v == *s }
	if !allowed(nr) || !allowed(ne) || !allowed(ns) {
		return abi.EPERM
	}
	if nr != noChange {
		*r = nr
	}
	if ne != noChange {
		*e = ne
	}
	if ns != noChange {
		*s = ns
	}
	*fs = *e
	return nil
}

// Setresuid implements setresuid(2).
func Setresuid(t *kernel.Task, a kernel.Args) (uint64, error) {
	c := t.Process().Creds()
	if err := setresid(c.Privileged(), &c.RealUID, &c.EffectiveUID, &c.SavedUID, &c.FSUID, a.Uint(0), a.Uint(1), a.Uint(2)); err != nil {
		return 0, err
	}
	t.Process().SetCreds(c)
	return 0, nil
}

// Setresgid implements setresgid(2).
func Setresgid(t *kernel.Task, a kernel.Args) (uint64, error) {
	c := t.Process().Creds()
	if err := setresid(c.Privileged(), &c.RealGID, &c.EffectiveGID, &c.SavedGID, &c.FSGID, a.Uint(0), a.Uint(1), a.Uint(2)); err != nil {
		return 0, err
	}
	t.Process().SetCreds(c)
	return 0, nil
}

// Setuid implements setuid(2): root sets all three ids, others only the
// effective one (to their real or saved id).
func Setuid(t *kernel.Task, a kernel.Args) (uint64, error) {
	c := t.Process().Creds()
	u := a.Uint(0)
	if u == noChange {
		return 0, abi.EINVAL
	}
	switch {
	case c.Privileged():
		c.RealUID, c.EffectiveUID, c.SavedUID = u, u, u
	case u == c.RealUID || u == c.SavedUID:
		c.EffectiveUID = u
	default:
		return 0, abi.EPERM
	}
	c.FSUID = c.EffectiveUID
	t.Process().SetCreds(c)
	return 0, nil
}

// Setgid implements setgid(2) like Setuid.
func Setgid(t *kernel.Task, a kernel.Args) (uint64, error) {
	c := t.Process().Creds()
	g := a.Uint(0)
	if g == noChange {
		return 0, abi.EINVAL
	}
	switch {
	case c.Privileged():
		c.RealGID, c.EffectiveGID, c.SavedGID = g, g, g
	case g == c.RealGID || g == c.SavedGID:
		c.EffectiveGID = g
	default:
		return 0, abi.EPERM
	}
	c.FSGID = c.EffectiveGID
	t.Process().SetCreds(c)
	return 0, nil
}

// Setreuid implements setreuid(2): the saved id becomes the new effective
// id when the real id is set or the effective id moves off the real one.
func Setreuid(t *kernel.Task, a kernel.Args) (uint64, error) {
	c := t.Process().Creds()
	r, e := a.Uint(0), a.Uint(1)
	priv := c.Privileged()
	if r != noChange && !priv && r != c.RealUID && r != c.EffectiveUID {
		return 0, abi.EPERM
	}
	if e != noChange && !priv && e != c.RealUID && e != c.EffectiveUID && e != c.SavedUID {
		return 0, abi.EPERM
	}
	oldReal := c.RealUID
	if r != noChange {
		c.RealUID = r
	}
	if e != noChange {
		c.EffectiveUID = e
	}
	if r != noChange || (e != noChange && e != oldReal) {
		c.SavedUID = c.EffectiveUID
	}
	c.FSUID = c.EffectiveUID
	t.Process().SetCreds(c)
	return 0, nil
}

// Setregid implements setregid(2) like Setreuid.
func Setregid(t *kernel.Task, a kernel.Args) (uint64, error) {
	c := t.Process().Creds()
	r, e := a.Uint(0), a.Uint(1)
	priv := c.Privileged()
	if r != noChange && !priv && r != c.RealGID && r != c.EffectiveGID {
		return 0, abi.EPERM
	}
	if e != noChange && !priv && e != c.RealGID && e != c.EffectiveGID && e != c.SavedGID {
		return 0, abi.EPERM
	}
	oldReal := c.RealGID
	if r != noChange {
		c.RealGID = r
	}
	if e != noChange {
		c.EffectiveGID = e
	}
	if r != noChange || (e != noChange && e != oldReal) {
		c.SavedGID = c.EffectiveGID
	}
	c.FSGID = c.EffectiveGID
	t.Process().SetCreds(c)
	return 0, nil
}

// Setfsuid implements setfsuid(2): it always returns the old fsuid.
func Setfsuid(t *kernel.Task, a kernel.Args) (uint64, error) {
	c := t.Process().Creds()
	old := c.FSUID
	u := a.Uint(0)
	if c.Privileged() || u == c.RealUID || u == c.EffectiveUID || u == c.SavedUID || u == c.FSUID {
		c.FSUID = u
		t.Process().SetCreds(c)
	}
	return uint64(old), nil
}

// Setfsgid implements setfsgid(2).
func Setfsgid(t *kernel.Task, a kernel.Args) (uint64, error) {
	c := t.Process().Creds()
	old := c.FSGID
	g := a.Uint(0)
	if c.Privileged() || g == c.RealGID || g == c.EffectiveGID || g == c.SavedGID || g == c.FSGID {
		c.FSGID = g
		t.Process().SetCreds(c)
	}
	return uint64(old), nil
}
