package vfs

import (
	"encoding/binary"

	"paddock/abi"
)

// PutUint32 writes a 32-bit value (an ioctl's int result) into the
// caller's memory.
func PutUint32(mem Memory, addr uint64, v uint32) error {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	return mem.CopyOut(addr, b[:])
}

// PutTermios writes a struct termios into the caller's memory.
func PutTermios(mem Memory, addr uint64, t abi.Termios) error {
	b := make([]byte, abi.SizeofTermios)
	t.Encode(b)
	return mem.CopyOut(addr, b)
}

// GetTermios reads a struct termios from the caller's memory.
func GetTermios(mem Memory, addr uint64) (abi.Termios, error) {
	b := make([]byte, abi.SizeofTermios)
	if err := mem.CopyIn(addr, b); err != nil {
		return abi.Termios{}, err
	}
	return abi.DecodeTermios(b), nil
}

// PutWinsize writes a struct winsize into the caller's memory.
func PutWinsize(mem Memory, addr uint64, w abi.Winsize) error {
	b := make([]byte, abi.SizeofWinsize)
	w.Encode(b)
	return mem.CopyOut(addr, b)
}

// GetWinsize reads a struct winsize from the caller's memory.
func GetWinsize(mem Memory, addr uint64) (abi.Winsize, error) {
	b := make([]byte, abi.SizeofWinsize)
	if err := mem.CopyIn(addr, b); err != nil {
		return abi.Winsize{}, err
	}
	return abi.DecodeWinsize(b), nil
}
