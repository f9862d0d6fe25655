package kernel

import (
	"crypto/rand"
	"path"
	"strconv"

	"paddock/abi"
	"paddock/emu/cpu"
	"paddock/kernel/vfs"
	"paddock/loader/elf"
)

// execResult is a new program image ready to replace the task's.
type execResult struct {
	mm    *MM
	entry uint64
	sp    uint64
	comm  string
	creds Credentials
	loc   vfs.Location
}

// maxInterpDepth is how many "#!" interpreters may be stacked before
// execve fails with ELOOP (fs/exec.c exec_binprm).
const maxInterpDepth = 5

// fileReader reads a guest file for the ELF loader.
type fileReader struct {
	t *Task
	f *vfs.File
}

func (r fileReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := r.f.Pread(r.t, p, off)
	if err != nil {
		return n, err
	}
	return n, nil
}

// loadExec prepares the image execve(path, argv, envp) would run. The
// task's own state is untouched until the result is installed, so a failure
// returns to the caller as an errno. start is where relative paths begin.
//
// filename is the path to run; execfn is what AT_EXECFN and the command name
// come from (the same path, except for execveat of a descriptor).
func (t *Task) loadExec(r *vfs.Resolver, filename, execfn string, argv, envp []string, follow bool) (*execResult, error) {
	creds := t.proc.Creds()
	limit := t.proc.Limit(abi.RLIMIT_STACK)
	for _, s := range append(append([]string(nil), argv...), envp...) {
		if len(s)+1 > elf.MaxArgStrlen {
			return nil, abi.E2BIG
		}
	}
	name := filename
	for depth := 0; ; depth++ {
		if depth > maxInterpDepth {
			return nil, abi.ELOOP
		}
		if elf.ArgSize(argv, envp) > max(limit/4, 32*abi.PageSize) {
			return nil, abi.E2BIG
		}
		l, err := t.k.vfs.Walk(r, name, follow)
		if err != nil {
			return nil, err
		}
		a := l.Dentry.Inode.Attr()
		if a.IsSymlink() {
			return nil, abi.ELOOP
		}
		f, err := t.k.vfs.OpenForExec(t, creds.VFS(), l)
		if err != nil {
			return nil, err
		}
		head := make([]byte, elf.ShebangMax)
		n, _ := f.Pread(t, head, 0)
		head = head[:n]
		if interp, arg, ok := elf.ParseShebang(head); ok {
			f.DecRef()
			// binfmt_script: argv becomes interp [arg] filename argv[1:].
			nargv := []string{interp}
			if arg != "" {
				nargv = append(nargv, arg)
			}
			if depth == 0 {
				nargv = append(nargv, execfn)
			} else {
				nargv = append(nargv, name)
			}
			if len(argv) > 1 {
				nargv = append(nargv, argv[1:]...)
			}
			argv, name, follow = nargv, interp, true
			continue
		}
		if !elf.IsELF(head) {
			f.DecRef()
			return nil, abi.ENOEXEC
		}
		res, err := t.loadELF(r, f, l, &a, creds, execfn, argv, envp)
		f.DecRef()
		return res, err
	}
}

func (t *Task) loadELF(r *vfs.Resolver, f *vfs.File, l vfs.Location, a *vfs.Attr, creds Credentials,
	filename string, argv, envp []string) (*execResult, error) {
	mm, err := t.k.newMM(t.debugged())
	if err != nil {
		return nil, abi.ENOMEM
	}
	p := t.proc
	mm.as.SetLimits(mmLimits(func() *Process { return p }))
	exePath, _ := t.k.vfs.Path(r.Root, l)
	exe := elf.File{R: fileReader{t, f}, Size: a.Size, Path: exePath, Dev: a.Dev, Ino: a.Ino}
	var held []*vfs.File
	defer func() {
		for _, h := range held {
			h.DecRef()
		}
	}()
	openInterp := func(name string) (elf.File, error) {
		il, err := t.k.vfs.Walk(r, name, true)
		if err != nil {
			return elf.File{}, err
		}
		ia := il.Dentry.Inode.Attr()
		inf, err := t.k.vfs.OpenForExec(t, creds.VFS(), il)
		if err != nil {
			return elf.File{}, err
		}
		held = append(held, inf)
		ip, _ := t.k.vfs.Path(r.Root, il)
		return elf.File{R: fileReader{t, inf}, Size: ia.Size, Path: ip, Dev: ia.Dev, Ino: ia.Ino}, nil
	}
	img, err := elf.Load(mm.as, exe, openInterp)
	if err != nil {
		// The loader's error says why and unwraps to the errno execve
		// returns.
		mm.releaseUser()
		return nil, err
	}
	mm.as.SetBrk(img.Brk)
	// Set-user-ID and set-group-ID programs run with their owner's ids.
	nc := creds.clone()
	if a.Mode&abi.S_ISUID != 0 {
		nc.EffectiveUID, nc.SavedUID, nc.FSUID = a.UID, a.UID, a.UID
	}
	if a.Mode&abi.S_ISGID != 0 && a.Mode&0o010 != 0 {
		nc.EffectiveGID, nc.SavedGID, nc.FSGID = a.GID, a.GID, a.GID
	}
	nc.SavedUID, nc.SavedGID = nc.EffectiveUID, nc.EffectiveGID
	sp := elf.StackParams{
		Argv: argv, Envp: envp, ExecFn: filename,
		UID: nc.RealUID, EUID: nc.EffectiveUID, GID: nc.RealGID, EGID: nc.EffectiveGID,
		Secure:      nc.EffectiveUID != nc.RealUID || nc.EffectiveGID != nc.RealGID,
		MinSigStkSz: MinSigStackSize,
		HWCap:       uint64(cpu.CPUID1().EDX),
	}
	rand.Read(sp.Random[:])
	layout, err := elf.SetupStack(mm.as, img, sp)
	if err != nil {
		mm.releaseUser()
		return nil, errnoOf(err)
	}
	mm.exe = l
	mm.argStart, mm.argEnd = layout.ArgStart, layout.ArgEnd
	mm.startStack = layout.SP
	mm.envStart, mm.envEnd = layout.EnvStart, layout.EnvEnd
	mm.auxv = layout.Auxv
	return &execResult{mm: mm, entry: img.Entry, sp: layout.SP, comm: path.Base(filename), creds: nc, loc: l}, nil
}

// MinSigStackSize is AT_MINSIGSTKSZ: the room a signal frame takes on the
// stack (the rt_sigframe with its 512-byte fxsave area, rounded up).
const MinSigStackSize = 2048

// switchExec installs the prepared image: the point of no return of
// execve. It runs in the task's run loop, holding the old engine, and ends
// holding the new one.
func (t *Task) switchExec(x *execResult) {
	k := t.k
	p := t.proc
	// Other threads die (de_thread); the caller carries on alone.
	k.mu.Lock()
	others := make([]*Task, 0, len(p.tasks))
	for _, o := range p.tasks {
		if o != t {
			o.killed = true
			others = append(others, o)
		}
	}
	p.execed = true
	// Caught signals return to their default action; ignored ones stay
	// ignored; a table shared with another process is copied first.
	h := *p.sighand
	for i := range h.actions {
		if h.actions[i].Handler != abi.SIG_IGN {
			h.actions[i] = abi.SigAction{}
		} else {
			h.actions[i].Flags, h.actions[i].Mask, h.actions[i].Restorer = 0, 0, 0
		}
	}
	p.sighand = &h
	t.altStack = abi.StackT{}
	k.mu.Unlock()
	for _, o := range others {
		o.wake()
	}
	p.timers.deletePosix()

	old := t.mm
	old.mu.Lock()
	if old.owner == t {
		old.owner = nil
	}
	old.mu.Unlock()
	old.release(t)
	old.releaseUser()
	if t.vforkDone != nil {
		close(t.vforkDone)
		t.vforkDone = nil
	}
	// Under the kernel's lock: /proc reads t.mm (Task.Memory).
	k.mu.Lock()
	t.mm = x.mm
	k.mu.Unlock()
	t.ctxValid = false
	t.mm.acquire(t)
	t.rseq = rseqReg{}
	t.fds.CloseExec()
	p.SetComm(x.comm)
	p.SetCreds(x.creds)
	t.installRegs(x)
	if t.debugged() {
		// The debugger learns of the new program before it runs (a
		// ptrace exec stop).
		t.k.cfg.Debugger.Exec(t)
	}
}

// installRegs sets the registers a new program starts with (start_thread):
// all zero but RSP, RIP and RFLAGS.IF.
func (t *Task) installRegs(x *execResult) {
	var regs cpu.Regs
	regs.RSP = x.sp
	regs.RIP = x.entry
	regs.RFLAGS = 0x202
	t.mm.eng.SetRegs(&regs)
	t.mm.eng.ResetFPU()
	t.mm.eng.SetReg(cpu.FSBase, 0)
}

// Execve implements execve(2) for t: on success the new image runs when the
// syscall returns; the old one never sees the return.
func (t *Task) Execve(r *vfs.Resolver, filename string, argv, envp []string, follow bool) error {
	res, err := t.loadExec(r, filename, filename, argv, envp, follow)
	if err != nil {
		return err
	}
	t.next = &runExec{res}
	return nil
}

// ExecveFD implements execveat(2) with AT_EMPTY_PATH: it runs the file open
// as fd.
func (t *Task) ExecveFD(fd int32, argv, envp []string) error {
	f, err := t.fds.Get(fd)
	if err != nil {
		return err
	}
	defer f.DecRef()
	if !f.Loc.Valid() {
		return abi.EACCES
	}
	r, _ := t.Resolver(abi.AT_FDCWD, "/")
	root := r.Root
	p, ok := t.k.vfs.Path(root, f.Loc)
	if !ok {
		return abi.ENOENT
	}
	// Linux names the program /dev/fd/N in AT_EXECFN and for scripts.
	res, err := t.loadExec(r, p, "/dev/fd/"+strconv.Itoa(int(fd)), argv, envp, true)
	if err != nil {
		return err
	}
	t.next = &runExec{res}
	return nil
}
