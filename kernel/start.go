package kernel

import (
	"fmt"

	"paddock/abi"
)

// StartSpec describes the first process.
type StartSpec struct {
	Path  string // the guest path of the program to run
	Argv  []string
	Envp  []string
	Cwd   string
	Creds Credentials
}

// Start creates the first process (pid 1, leader of session 1) and runs it.
// Its descriptors 0, 1 and 2 are the host's standard files. An error means
// the program could not be started; the error says why, for the user.
func (k *Kernel) Start(s StartSpec) error {
	fds := NewFDTable(k.vfs.Locks())
	for fd, f := range k.cfg.Stdio {
		if f != nil {
			fds.InstallAt(int32(fd), f, false)
			f.DecRef()
		}
	}
	root := k.vfs.Root()
	fsc := &FSContext{root: root, cwd: root, umask: 0o022}
	k.mu.Lock()
	pid := k.allocPID()
	p := &Process{k: k, pid: pid, children: map[int32]*Process{}, limits: DefaultLimits(), creds: s.Creds,
		sighand: &SigHand{}, start: k.Uptime(), execed: true}
	k.joinGroupLocked(p, nil, &Session{sid: pid})
	t := &Task{k: k, tid: pid, proc: p, fds: fds, fs: fsc}
	p.tasks = []*Task{t}
	k.procs[pid] = p
	k.tasks[pid] = t
	k.init = p
	k.mu.Unlock()
	r, _ := t.Resolver(abi.AT_FDCWD, "/")
	if s.Cwd != "" {
		l, a, err := k.vfs.Lookup(r, s.Cwd, true)
		if err != nil {
			return fmt.Errorf("working directory %s: %w", s.Cwd, err)
		}
		if !a.IsDir() {
			return fmt.Errorf("working directory %s: %w", s.Cwd, abi.ENOTDIR)
		}
		fsc.SetCwd(l)
		r.Start = l
	}
	res, err := t.loadExec(r, s.Path, s.Path, s.Argv, s.Envp, true)
	if err != nil {
		return fmt.Errorf("%s: %w", s.Path, err)
	}
	ctx, err := res.mm.eng.NewContext()
	if err != nil {
		return err
	}
	t.ctx = ctx
	k.mu.Lock()
	t.mm = res.mm
	k.mu.Unlock()
	res.mm.owner = t
	p.SetComm(res.comm)
	p.SetCreds(res.creds)
	t.installRegs(res)
	if tr := k.cfg.Tracer; tr != nil {
		// The execve that started the program, which paddock performed
		// itself, as a tracer would have seen it: its arguments are on
		// the new stack (the file name as AT_EXECFN; argv after argc,
		// envp after argv's NULL).
		args := [6]uint64{auxvValue(res.mm.auxv, abi.AT_EXECFN), res.sp + 8, res.sp + 8*uint64(len(s.Argv)+2)}
		tr.SyscallEnter(t, abi.SYS_EXECVE, args)
		tr.SyscallExit(t, abi.SYS_EXECVE, args, 0, 0)
	}
	t.start()
	return nil
}
