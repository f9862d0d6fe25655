package procfs

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"paddock/abi"
	"paddock/emu/mmu"
	"paddock/kernel"
	"paddock/kernel/vfs"
)

// clockTicks is USER_HZ: /proc counts CPU time in hundredths of a second.
const clockTicks = 100

func ticks(d time.Duration) uint64 { return uint64(d / (time.Second / clockTicks)) }

// pidDir is /proc/PID, or /proc/PID/task/TID when task is set.
func (fs *FS) pidDir(path string, p *kernel.Process, task *kernel.Task) vfs.Inode {
	c := p.Creds()
	uid, gid := c.EffectiveUID, c.EffectiveGID
	if p.Dumpable() != 1 {
		uid, gid = 0, 0
	}
	t := task
	if t == nil {
		t = p.Leader()
	}
	info := func() (kernel.ProcInfo, error) {
		if task != nil {
			return task.Info(), nil
		}
		return p.Info(), nil
	}
	f := func(name string, mode uint32, gen func() ([]byte, error)) entry {
		return entry{name, abi.DT_REG, func(path string) vfs.Inode { return fs.file(path, mode, uid, gid, gen) }}
	}
	mem := func() *kernel.MM {
		if t == nil {
			return nil
		}
		return t.Memory()
	}
	entries := []entry{
		f("stat", 0o444, func() ([]byte, error) {
			i, _ := info()
			return []byte(fs.stat(i, mem(), p)), nil
		}),
		f("status", 0o444, func() ([]byte, error) {
			i, _ := info()
			return []byte(fs.status(i, mem(), p)), nil
		}),
		f("statm", 0o444, func() ([]byte, error) { return []byte(statm(mem())), nil }),
		f("cmdline", 0o444, func() ([]byte, error) { return memRange(mem(), (*kernel.MM).ArgRange) }),
		f("environ", 0o400, func() ([]byte, error) { return memRange(mem(), (*kernel.MM).EnvRange) }),
		{"comm", abi.DT_REG, func(path string) vfs.Inode {
			n := fs.file(path, 0o644, uid, gid, text(func() string { return p.Comm() + "\n" }))
			n.write = func(b []byte) error {
				p.SetComm(strings.TrimSuffix(string(b), "\n"))
				return nil
			}
			return n
		}},
		f("limits", 0o444, text(func() string { return limits(p) })),
		f("maps", 0o444, text(func() string { return maps(mem()) })),
		f("smaps_rollup", 0o444, text(func() string { return smapsRollup(mem()) })),
		f("mounts", 0o444, text(func() string { return fs.mounts(t) })),
		f("mountinfo", 0o444, text(func() string { return fs.mountinfo(t) })),
		{"exe", abi.DT_LNK, func(path string) vfs.Inode {
			return fs.locLink(path, uid, gid, t, func() (vfs.Location, bool) {
				if m := mem(); m != nil && m.Exe().Valid() {
					return m.Exe(), true
				}
				return vfs.Location{}, false
			})
		}},
		{"cwd", abi.DT_LNK, func(path string) vfs.Inode {
			return fs.locLink(path, uid, gid, t, func() (vfs.Location, bool) {
				if t == nil || t.FS() == nil {
					return vfs.Location{}, false
				}
				return t.FS().Cwd(), true
			})
		}},
		{"root", abi.DT_LNK, func(path string) vfs.Inode {
			return fs.locLink(path, uid, gid, t, func() (vfs.Location, bool) {
				if t == nil || t.FS() == nil {
					return vfs.Location{}, false
				}
				return t.FS().Root(), true
			})
		}},
		{"fd", abi.DT_DIR, func(path string) vfs.Inode { return fs.fdDir(path, uid, gid, t, false) }},
		{"fdinfo", abi.DT_DIR, func(path string) vfs.Inode { return fs.fdDir(path, uid, gid, t, true) }},
		{"net", abi.DT_DIR, func(path string) vfs.Inode { return fs.netDir(path, uid, gid) }},
	}
	if task == nil {
		entries = append(entries, entry{"task", abi.DT_DIR, func(path string) vfs.Inode {
			return &taskDir{node: fs.node(path, abi.S_IFDIR|0o555, uid, gid), path: path, p: p}
		}})
	}
	d := fs.dir(path, uid, gid, entries)
	return d
}

// taskDir is /proc/PID/task: a directory per thread.
type taskDir struct {
	node
	path string
	p    *kernel.Process
}

// Lookup finds a thread of the process.
func (d *taskDir) Lookup(name string) (vfs.Inode, error) {
	tid, err := strconv.Atoi(name)
	if err != nil {
		return nil, abi.ENOENT
	}
	for _, t := range d.p.Tasks() {
		if int(t.TID()) == tid {
			return d.fs.pidDir(join(d.path, name), d.p, t), nil
		}
	}
	return nil, abi.ENOENT
}

// ReadDir lists the threads.
func (d *taskDir) ReadDir() ([]vfs.Dirent, error) {
	var out []vfs.Dirent
	for _, t := range d.p.Tasks() {
		name := strconv.Itoa(int(t.TID()))
		out = append(out, vfs.Dirent{Name: name, Ino: d.fs.node(join(d.path, name), 0, 0, 0).ino, Type: abi.DT_DIR})
	}
	return out, nil
}

// locLink is a magic link to a location (exe, cwd, root): reading it gives
// the path as seen from the reader's root; following it leads to the
// location itself.
func (fs *FS) locLink(path string, uid, gid uint32, t *kernel.Task, loc func() (vfs.Location, bool)) vfs.Inode {
	l := &lazyLink{node: fs.node(path, abi.S_IFLNK|0o777, uid, gid)}
	l.target = func() (string, error) {
		to, ok := loc()
		if !ok {
			return "", abi.ENOENT
		}
		root := fs.k.VFS().Root()
		if t != nil && t.FS() != nil {
			root = t.FS().Root()
		}
		p, _ := fs.k.VFS().Path(root, to)
		return p, nil
	}
	l.jump = func() (vfs.Location, bool, error) {
		to, ok := loc()
		if !ok {
			return vfs.Location{}, true, abi.ENOENT
		}
		return to, true, nil
	}
	return l
}

// lazyLink is a link whose target is computed when it is read, outside
// path walks (which hold the VFS lock that path names need).
type lazyLink struct {
	node
	target func() (string, error)
	jump   func() (vfs.Location, bool, error)
}

// Readlink computes the target.
func (l *lazyLink) Readlink() (string, error) { return l.target() }

// Jump implements vfs.LinkJumper.
func (l *lazyLink) Jump() (vfs.Location, bool, error) { return l.jump() }

// fdDir is /proc/PID/fd (links to the open files) or /proc/PID/fdinfo.
type fdDir struct {
	node
	path string
	t    *kernel.Task
	info bool
}

func (fs *FS) fdDir(path string, uid, gid uint32, t *kernel.Task, info bool) vfs.Inode {
	mode := uint32(abi.S_IFDIR | 0o500)
	if info {
		mode = abi.S_IFDIR | 0o555
	}
	return &fdDir{node: fs.node(path, mode, uid, gid), path: path, t: t, info: info}
}

func (d *fdDir) files() *kernel.FDTable {
	if d.t == nil {
		return nil
	}
	return d.t.FDs()
}

// Lookup finds an open descriptor.
func (d *fdDir) Lookup(name string) (vfs.Inode, error) {
	fd, err := strconv.Atoi(name)
	if err != nil || d.files() == nil {
		return nil, abi.ENOENT
	}
	f, err := d.files().Get(int32(fd))
	if err != nil {
		return nil, abi.ENOENT
	}
	cloexec, _ := d.files().CloseOnExec(int32(fd))
	// What the entry shows is taken now: the file may be closed before
	// the entry is read.
	loc, inode, fname, flags, pos := f.Loc, f.Inode, f.Name, f.Flags(), f.Offset()
	f.DecRef()
	fs := d.fs
	path := join(d.path, name)
	if d.info {
		if cloexec {
			flags |= abi.O_CLOEXEC
		}
		return fs.file(path, 0o444, d.uid, d.gid, text(func() string { return fs.fdinfo(loc, inode, flags, pos) })), nil
	}
	// proc_fd_link's mode: x always, r and w as the file was opened.
	mode := uint32(abi.S_IFLNK | 0o100)
	if acc := flags & abi.O_ACCMODE; acc == abi.O_RDONLY || acc == abi.O_RDWR {
		mode |= 0o400
	}
	if acc := flags & abi.O_ACCMODE; acc == abi.O_WRONLY || acc == abi.O_RDWR {
		mode |= 0o200
	}
	l := &lazyLink{node: fs.node(path, mode, d.uid, d.gid)}
	t := d.t
	l.target = func() (string, error) { return fs.fileName(t, loc, fname), nil }
	l.jump = func() (vfs.Location, bool, error) {
		if !loc.Valid() {
			// Pipes, sockets, anonymous files and the host's
			// standard files lead to themselves.
			return fs.k.VFS().AnonLocation(fname, inode), true, nil
		}
		return loc, true, nil
	}
	return l, nil
}

// ReadDir lists the open descriptors.
func (d *fdDir) ReadDir() ([]vfs.Dirent, error) {
	if d.files() == nil {
		return nil, nil
	}
	var out []vfs.Dirent
	typ := uint8(abi.DT_LNK)
	if d.info {
		typ = abi.DT_REG
	}
	for _, fd := range d.files().FDs() {
		name := strconv.Itoa(int(fd))
		out = append(out, vfs.Dirent{Name: name, Ino: d.fs.node(join(d.path, name), 0, 0, 0).ino, Type: typ})
	}
	return out, nil
}

// fileName is what /proc/PID/fd/N reads as: the path, or Linux's names
// for files outside the tree ("pipe:[N]", "anon_inode:[eventfd]").
func (fs *FS) fileName(t *kernel.Task, loc vfs.Location, name string) string {
	if !loc.Valid() {
		return name
	}
	if t != nil {
		return t.FilePath(loc, name)
	}
	p, _ := fs.k.VFS().Path(fs.k.VFS().Root(), loc)
	return p
}

// fdinfo formats /proc/PID/fdinfo/N as seq_show does, with a line per
// lock the file's inode holds (show_fd_locks).
func (fs *FS) fdinfo(loc vfs.Location, inode vfs.Inode, flags uint32, pos int64) string {
	var b strings.Builder
	mnt := 0
	if loc.Mount != nil {
		mnt = loc.Mount.ID
	}
	var ino uint64
	if inode != nil {
		a := inode.Attr()
		ino = a.Ino
	}
	fmt.Fprintf(&b, "pos:\t%d\nflags:\t0%o\nmnt_id:\t%d\nino:\t%d\n", pos, flags, mnt, ino)
	if inode != nil {
		for i, l := range fs.k.VFS().Locks().HeldOn(inode) {
			b.WriteString("lock:\t" + l.ProcLine(i+1))
		}
	}
	return b.String()
}

// memRange reads the bytes between the two addresses rng returns from the
// process's memory (cmdline, environ).
func memRange(m *kernel.MM, rng func(*kernel.MM) (uint64, uint64)) ([]byte, error) {
	if m == nil {
		return nil, nil
	}
	start, end := rng(m)
	if end <= start {
		return nil, nil
	}
	b := make([]byte, end-start)
	if err := m.AddressSpace().CopyIn(start, b); err != nil {
		return nil, nil
	}
	return b, nil
}

// memStats are the sizes /proc reports for an address space, in bytes.
type memStats struct {
	size, rss, data, stack, exe, lib, file uint64
}

func memStatsOf(m *kernel.MM) memStats {
	var s memStats
	if m == nil {
		return s
	}
	as := m.AddressSpace()
	exe := m.Exe()
	var exeDev, exeIno uint64
	if exe.Valid() {
		a := exe.Dentry.Inode.Attr()
		exeDev, exeIno = a.Dev, a.Ino
	}
	for _, v := range as.VMAs() {
		n := v.Len()
		s.size += n
		switch {
		case v.GrowsDown:
			s.stack += n
		case v.Prot&abi.PROT_WRITE != 0 && !v.Shared:
			s.data += n
		case v.Prot&abi.PROT_EXEC != 0 && v.Ino != 0 && v.Ino == exeIno && v.Dev == exeDev:
			s.exe += n
		case v.Prot&abi.PROT_EXEC != 0:
			s.lib += n
		}
		if v.Ino != 0 {
			s.file += n
		}
	}
	s.rss = as.Resident()
	return s
}

// statm formats /proc/PID/statm: sizes in pages.
func statm(m *kernel.MM) string {
	s := memStatsOf(m)
	pg := func(n uint64) uint64 { return n / abi.PageSize }
	shared := min(s.rss, s.file)
	return fmt.Sprintf("%d %d %d %d 0 %d 0\n", pg(s.size), pg(s.rss), pg(shared), pg(s.exe), pg(s.data+s.stack))
}

// stat formats /proc/PID/stat as do_task_stat does.
func (fs *FS) stat(i kernel.ProcInfo, m *kernel.MM, p *kernel.Process) string {
	s := memStatsOf(m)
	var startCode, endCode, startStack, argStart, argEnd, envStart, envEnd uint64
	var startData, endData, startBrk uint64
	if m != nil {
		startCode, endCode = m.CodeRange()
		startData, endData = m.DataRange()
		startBrk = m.AddressSpace().BrkStart()
		startStack = m.StartStack()
		argStart, argEnd = m.ArgRange()
		envStart, envEnd = m.EnvRange()
	}
	prio := 20 + i.Nice
	if i.Policy == abi.SCHED_FIFO || i.Policy == abi.SCHED_RR {
		prio = -1 - i.RTPriority
	}
	rsslim := p.Rlimit(abi.RLIMIT_RSS).Cur
	wchan := 0
	if i.State == 'S' {
		wchan = 1
	}
	exitCode := 0
	if i.State == 'Z' {
		exitCode = int(p.Status())
	}
	return fmt.Sprintf("%d (%s) %c %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d 0 %d %d %d %d %d %d %d 0 0 %d %d %d %d %d 0 0 %d 0 %d %d 0 0 0 %d %d %d %d %d %d %d %d\n",
		i.TID, i.Comm, i.State, i.PPID, i.PGID, i.SID, i.TTY, i.TPGID, i.Flags,
		0, 0, 0, 0,
		ticks(i.UTime), ticks(i.STime), ticks(i.CUTime), ticks(i.CSTime),
		prio, i.Nice, i.Threads,
		ticks(i.Start), s.size, s.rss/abi.PageSize, rsslim,
		startCode, endCode, startStack,
		uint64(i.SigPnd|i.ShdPnd)&0xffffffff, uint64(i.SigBlk)&0xffffffff, uint64(i.SigIgn)&0xffffffff, uint64(i.SigCgt)&0xffffffff,
		wchan, int(i.ExitSignal), i.RTPriority, i.Policy,
		startData, endData, startBrk, argStart, argEnd, envStart, envEnd, exitCode)
}

// status formats /proc/PID/status as proc_pid_status does.
func (fs *FS) status(i kernel.ProcInfo, m *kernel.MM, p *kernel.Process) string {
	s := memStatsOf(m)
	var b strings.Builder
	states := map[byte]string{'R': "R (running)", 'S': "S (sleeping)", 'T': "T (stopped)", 'Z': "Z (zombie)"}
	c := i.Creds
	groups := ""
	for _, g := range c.Groups {
		groups += strconv.Itoa(int(g)) + " "
	}
	kb := func(n uint64) string { return fmt.Sprintf("%8d kB", n/1024) }
	fmt.Fprintf(&b, "Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n",
		i.Comm, i.Umask, states[i.State], i.PID, i.TID, i.PPID)
	fmt.Fprintf(&b, "Uid:\t%d\t%d\t%d\t%d\nGid:\t%d\t%d\t%d\t%d\nFDSize:\t%d\nGroups:\t%s\n",
		c.RealUID, c.EffectiveUID, c.SavedUID, c.FSUID, c.RealGID, c.EffectiveGID, c.SavedGID, c.FSGID, i.FDSize, groups)
	fmt.Fprintf(&b, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\nKthread:\t0\n", i.PID, i.TID, i.PGID, i.SID)
	if i.State != 'Z' {
		fmt.Fprintf(&b, "VmPeak:\t%s\nVmSize:\t%s\nVmLck:\t%s\nVmPin:\t%s\nVmHWM:\t%s\nVmRSS:\t%s\n",
			kb(s.size), kb(s.size), kb(0), kb(0), kb(s.rss), kb(s.rss))
		anon := s.rss - min(s.rss, s.file)
		fmt.Fprintf(&b, "RssAnon:\t%s\nRssFile:\t%s\nRssShmem:\t%s\nVmData:\t%s\nVmStk:\t%s\nVmExe:\t%s\nVmLib:\t%s\nVmPTE:\t%s\nVmSwap:\t%s\n",
			kb(anon), kb(s.rss-anon), kb(0), kb(s.data), kb(s.stack), kb(s.exe), kb(s.lib), kb(0), kb(0))
		fmt.Fprintf(&b, "HugetlbPages:\t%s\n", kb(0))
	}
	fmt.Fprintf(&b, "CoreDumping:\t0\nTHP_enabled:\t1\nuntag_mask:\t0xffffffffffffffff\nThreads:\t%d\nSigQ:\t%d/%d\n",
		i.Threads, bitsSet(i.SigPnd|i.ShdPnd), p.Rlimit(abi.RLIMIT_SIGPENDING).Cur)
	fmt.Fprintf(&b, "SigPnd:\t%016x\nShdPnd:\t%016x\nSigBlk:\t%016x\nSigIgn:\t%016x\nSigCgt:\t%016x\n",
		uint64(i.SigPnd), uint64(i.ShdPnd), uint64(i.SigBlk), uint64(i.SigIgn), uint64(i.SigCgt))
	caps := uint64(0)
	if c.EffectiveUID == 0 {
		caps = abi.CapAll
	}
	noNewPrivs := 0
	if p.NoNewPrivs() {
		noNewPrivs = 1
	}
	fmt.Fprintf(&b, "CapInh:\t%016x\nCapPrm:\t%016x\nCapEff:\t%016x\nCapBnd:\t%016x\nCapAmb:\t%016x\nNoNewPrivs:\t%d\nSeccomp:\t0\nSeccomp_filters:\t0\n",
		0, caps, caps, abi.CapAll, 0, noNewPrivs)
	n := fs.k.NumCPU()
	fmt.Fprintf(&b, "Speculation_Store_Bypass:\tnot vulnerable\nSpeculationIndirectBranch:\tunknown\nCpus_allowed:\t%x\nCpus_allowed_list:\t0-%d\nMems_allowed:\t1\nMems_allowed_list:\t0\nvoluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n",
		uint64(1)<<n-1, n-1)
	return b.String()
}

func bitsSet(s abi.SigSet) int {
	n := 0
	for ; s != 0; s &= s - 1 {
		n++
	}
	return n
}

// limitNames are the rows of /proc/PID/limits (fs/proc/base.c lnames).
var limitNames = [abi.RLIM_NLIMITS]struct{ name, unit string }{
	abi.RLIMIT_CPU:        {"Max cpu time", "seconds"},
	abi.RLIMIT_FSIZE:      {"Max file size", "bytes"},
	abi.RLIMIT_DATA:       {"Max data size", "bytes"},
	abi.RLIMIT_STACK:      {"Max stack size", "bytes"},
	abi.RLIMIT_CORE:       {"Max core file size", "bytes"},
	abi.RLIMIT_RSS:        {"Max resident set", "bytes"},
	abi.RLIMIT_NPROC:      {"Max processes", "processes"},
	abi.RLIMIT_NOFILE:     {"Max open files", "files"},
	abi.RLIMIT_MEMLOCK:    {"Max locked memory", "bytes"},
	abi.RLIMIT_AS:         {"Max address space", "bytes"},
	abi.RLIMIT_LOCKS:      {"Max file locks", "locks"},
	abi.RLIMIT_SIGPENDING: {"Max pending signals", "signals"},
	abi.RLIMIT_MSGQUEUE:   {"Max msgqueue size", "bytes"},
	abi.RLIMIT_NICE:       {"Max nice priority", ""},
	abi.RLIMIT_RTPRIO:     {"Max realtime priority", ""},
	abi.RLIMIT_RTTIME:     {"Max realtime timeout", "us"},
}

// limits formats /proc/PID/limits as proc_pid_limits does.
func limits(p *kernel.Process) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units")
	val := func(v uint64) string {
		if v == abi.RLIM_INFINITY {
			return fmt.Sprintf("%-20s ", "unlimited")
		}
		return fmt.Sprintf("%-20d ", v)
	}
	for r, l := range limitNames {
		rl := p.Rlimit(r)
		fmt.Fprintf(&b, "%-25s %s%s", l.name, val(rl.Cur), val(rl.Max))
		if l.unit != "" {
			fmt.Fprintf(&b, "%-10s", l.unit)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// maps formats /proc/PID/maps as show_map_vma does: the name column starts
// after 73 characters.
func maps(m *kernel.MM) string {
	if m == nil {
		return ""
	}
	var b strings.Builder
	for _, v := range m.AddressSpace().VMAs() {
		b.WriteString(mapsLine(&v))
	}
	return b.String()
}

func mapsLine(v *mmu.VMA) string {
	perm := []byte("---p")
	if v.Prot&abi.PROT_READ != 0 {
		perm[0] = 'r'
	}
	if v.Prot&abi.PROT_WRITE != 0 {
		perm[1] = 'w'
	}
	if v.Prot&abi.PROT_EXEC != 0 {
		perm[2] = 'x'
	}
	if v.Shared {
		perm[3] = 's'
	}
	line := fmt.Sprintf("%08x-%08x %s %08x %02x:%02x %d ", v.Start, v.End, perm, v.Offset, abi.Major(v.Dev), abi.Minor(v.Dev), v.Ino)
	if v.Name != "" {
		line += strings.Repeat(" ", max(0, 72-len(line))) + " " + v.Name
	}
	return line + "\n"
}

// mounts formats /proc/PID/mounts: the mounts visible from t's root.
func (fs *FS) mounts(t *kernel.Task) string {
	var b strings.Builder
	for _, m := range fs.visibleMounts(t) {
		fmt.Fprintf(&b, "%s %s %s %s 0 0\n", m.source, m.point, m.fstype, m.opts)
	}
	return b.String()
}

// mountinfo formats /proc/PID/mountinfo (show_mountinfo).
func (fs *FS) mountinfo(t *kernel.Task) string {
	var b strings.Builder
	for _, m := range fs.visibleMounts(t) {
		fmt.Fprintf(&b, "%d %d %d:%d / %s %s - %s %s %s\n", m.id, m.parent, abi.Major(m.dev), abi.Minor(m.dev),
			m.point, m.opts, m.fstype, m.source, m.superOpts)
	}
	return b.String()
}

type mountView struct {
	id, parent                             int
	dev                                    uint64
	point, source, fstype, opts, superOpts string
}

func (fs *FS) visibleMounts(t *kernel.Task) []mountView {
	v := fs.k.VFS()
	root := v.Root()
	if t != nil && t.FS() != nil {
		root = t.FS().Root()
	}
	var out []mountView
	for _, m := range v.Mounts() {
		at := vfs.Location{Mount: m, Dentry: m.Root}
		point, ok := v.Path(root, at)
		if !ok {
			continue
		}
		opts := "rw"
		if m.ReadOnly {
			opts = "ro"
		}
		opts += ",relatime"
		super := opts[:2]
		if m.Flags != "" {
			super += "," + m.Flags
		}
		parent := m.ID
		if m.Parent != nil {
			parent = m.Parent.ID
		}
		a := m.Root.Inode.Attr()
		out = append(out, mountView{id: m.ID, parent: parent, dev: a.Dev, point: point, source: m.Source,
			fstype: m.FS.Type(), opts: opts, superOpts: super})
	}
	return out
}

// smapsRollup formats /proc/PID/smaps_rollup (show_smaps_rollup): the
// sums over all mappings. paddock's private file mappings hold copies of
// the file, never shared with the page cache, so their resident pages
// count as private; pages of shared mappings count as shared.
func smapsRollup(m *kernel.MM) string {
	if m == nil {
		return ""
	}
	us := m.AddressSpace().Usage()
	if len(us) == 0 {
		return ""
	}
	var rss, anon, file, shmem, privClean, privDirty, sharedDirty uint64
	for _, u := range us {
		r := u.Resident
		rss += r
		switch {
		case u.Shared && u.Ino == 0:
			shmem += r
			sharedDirty += r
		case u.Shared:
			file += r
			sharedDirty += r
		case u.Ino != 0 && u.Prot&abi.PROT_WRITE == 0:
			file += r
			privClean += r
		default:
			anon += r
			privDirty += r
		}
	}
	var b strings.Builder
	first, last := us[0], us[len(us)-1]
	line := fmt.Sprintf("%08x-%08x ---p 00000000 00:00 0 ", first.Start, last.End)
	b.WriteString(line + strings.Repeat(" ", max(0, 72-len(line))) + " [rollup]\n")
	row := func(name string, v uint64) { fmt.Fprintf(&b, "%-16s%8d kB\n", name+":", v/1024) }
	row("Rss", rss)
	row("Pss", rss)
	row("Pss_Dirty", anon+sharedDirty)
	row("Pss_Anon", anon)
	row("Pss_File", file)
	row("Pss_Shmem", shmem)
	row("Shared_Clean", 0)
	row("Shared_Dirty", sharedDirty)
	row("Private_Clean", privClean)
	row("Private_Dirty", privDirty)
	row("Referenced", rss)
	row("Anonymous", anon)
	for _, n := range []string{"KSM", "LazyFree", "AnonHugePages", "ShmemPmdMapped", "FilePmdMapped",
		"Shared_Hugetlb", "Private_Hugetlb", "Swap", "SwapPss", "Locked"} {
		row(n, 0)
	}
	return b.String()
}
