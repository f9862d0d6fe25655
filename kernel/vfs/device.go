package vfs

import (
	"crypto/rand"

	"paddock/abi"
)

// DeviceOpener opens a character device: it returns the operations of the
// new open file.
type DeviceOpener func(ctx Context, flags uint32) (FileOps, error)

// RegisterCharDevice makes device major:minor openable through any device
// node with that number, as a driver registers with Linux.
func (v *VFS) RegisterCharDevice(major, minor uint32, open DeviceOpener) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.devices[abi.Makedev(major, minor)] = open
}

func (v *VFS) device(rdev uint64) DeviceOpener {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.devices[rdev]
}

// Memory devices (drivers/char/mem.c): major 1.
const (
	MemMajor     = 1
	NullMinor    = 3
	ZeroMinor    = 5
	FullMinor    = 7
	RandomMinor  = 8
	URandomMinor = 9
)

// RegisterMemDevices registers /dev/null, zero, full, random and urandom.
func (v *VFS) RegisterMemDevices() {
	fixed := func(ops FileOps) DeviceOpener {
		return func(Context, uint32) (FileOps, error) { return ops, nil }
	}
	v.RegisterCharDevice(MemMajor, NullMinor, fixed(nullDev{}))
	v.RegisterCharDevice(MemMajor, ZeroMinor, fixed(zeroDev{}))
	v.RegisterCharDevice(MemMajor, FullMinor, fixed(fullDev{}))
	v.RegisterCharDevice(MemMajor, RandomMinor, fixed(randomDev{}))
	v.RegisterCharDevice(MemMajor, URandomMinor, fixed(randomDev{}))
}

// nullDev reads as end of file and swallows writes.
type nullDev struct{}

func (nullDev) Read(Context, *File, []byte, int64) (int, error)          { return 0, nil }
func (nullDev) Write(_ Context, _ *File, b []byte, _ int64) (int, error) { return len(b), nil }

// Lseek implements Seeker as null_lseek does: the position is always 0.
func (nullDev) Lseek(int64, int64, int) (int64, error) { return 0, nil }

func (nullDev) IsPositionless()   {}
func (zeroDev) IsPositionless()   {}
func (fullDev) IsPositionless()   {}
func (randomDev) IsPositionless() {}

// zeroDev reads as zeros and swallows writes.
type zeroDev struct{}

func (zeroDev) Read(_ Context, _ *File, b []byte, _ int64) (int, error) {
	clear(b)
	return len(b), nil
}
func (zeroDev) Write(_ Context, _ *File, b []byte, _ int64) (int, error) { return len(b), nil }

// Lseek implements Seeker as null_lseek does.
func (zeroDev) Lseek(int64, int64, int) (int64, error) { return 0, nil }

// fullDev reads as zeros and fails writes with ENOSPC.
type fullDev struct{}

func (fullDev) Read(_ Context, _ *File, b []byte, _ int64) (int, error) {
	clear(b)
	return len(b), nil
}
func (fullDev) Write(Context, *File, []byte, int64) (int, error) { return 0, abi.ENOSPC }

// Lseek implements Seeker as null_lseek does.
func (fullDev) Lseek(int64, int64, int) (int64, error) { return 0, nil }

// randomDev serves random bytes; writes (entropy contributions) are
// accepted and ignored, as Linux accepts them without crediting entropy.
type randomDev struct{}

func (randomDev) Read(_ Context, _ *File, b []byte, _ int64) (int, error) {
	rand.Read(b)
	return len(b), nil
}
func (randomDev) Write(_ Context, _ *File, b []byte, _ int64) (int, error) { return len(b), nil }

// Lseek implements Seeker as noop_llseek does: the position stays.
func (randomDev) Lseek(cur, _ int64, _ int) (int64, error) { return cur, nil }
