package elf

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"paddock/abi"
	"paddock/emu/cpu"
	"paddock/emu/mmu"
)

func TestParseShebang(t *testing.T) {
	cases := []struct {
		in          string
		interp, arg string
		ok          bool
	}{
		{"#!/bin/sh\necho", "/bin/sh", "", true},
		{"#! /bin/sh -e \n", "/bin/sh", "-e", true},
		{"#!/usr/bin/env python3 -u -x\n", "/usr/bin/env", "python3 -u -x", true},
		{"#!\t/bin/awk\t-f\t\n", "/bin/awk", "-f", true},
		{"#!/bin/sh", "/bin/sh", "", true},
		{"#!   \n", "", "", false},
		{"#", "", "", false},
		{"\x7fELF", "", "", false},
	}
	for _, c := range cases {
		interp, arg, ok := ParseShebang([]byte(c.in))
		if interp != c.interp || arg != c.arg || ok != c.ok {
			t.Errorf("ParseShebang(%q) = %q, %q, %v; want %q, %q, %v", c.in, interp, arg, ok, c.interp, c.arg, c.ok)
		}
	}
}

func newAS(t testing.TB) *mmu.AddressSpace {
	t.Helper()
	var as *mmu.AddressSpace
	eng, err := cpu.New(cpu.IgnoreSyscalls, func(a uint64, _ int, _ cpu.Access) bool { return as.Grow(a) })
	if err != nil {
		t.Fatal(err)
	}
	as = mmu.New(eng)
	t.Cleanup(func() { as.Close(); eng.Close() })
	return as
}

func file(b []byte) File {
	return File{R: bytes.NewReader(b), Size: int64(len(b)), Path: "/test"}
}

// minimalELF is a static ET_EXEC with one PT_LOAD segment.
func minimalELF() []byte {
	b := make([]byte, 0x1000+16)
	copy(b, "\x7fELF\x02\x01\x01")
	le.PutUint16(b[16:], etExec)
	le.PutUint16(b[18:], emX86_64)
	le.PutUint32(b[20:], 1)
	le.PutUint64(b[24:], 0x401000)
	le.PutUint64(b[32:], 64)
	le.PutUint16(b[52:], 64)
	le.PutUint16(b[54:], phdrSize)
	le.PutUint16(b[56:], 1)
	p := b[64:]
	le.PutUint32(p[0:], ptLoad)
	le.PutUint32(p[4:], pfR|pfX)
	le.PutUint64(p[8:], 0)
	le.PutUint64(p[16:], 0x400000)
	le.PutUint64(p[32:], uint64(len(b)))
	le.PutUint64(p[40:], uint64(len(b))+0x2000)
	le.PutUint64(p[48:], 0x1000)
	copy(b[0x1000:], []byte{0xf4})
	return b
}

func TestLoadMinimal(t *testing.T) {
	as := newAS(t)
	img, err := Load(as, file(minimalELF()), nil)
	if err != nil {
		t.Fatal(err)
	}
	if img.Entry != 0x401000 || img.Phdr != 0x400040 || img.Brk != 0x401010+0x2000 {
		t.Errorf("image %+v", img)
	}
	lay, err := SetupStack(as, img, StackParams{Argv: []string{"prog", "a"}, Envp: []string{"K=V"}, ExecFn: "/prog"})
	if err != nil {
		t.Fatal(err)
	}
	if lay.SP%16 != 0 {
		t.Errorf("rsp %#x not 16-byte aligned", lay.SP)
	}
	argc, _ := as.ReadUint64(lay.SP)
	argv1, _ := as.ReadUint64(lay.SP + 16)
	s, _ := as.ReadCString(argv1, 10)
	if argc != 2 || s != "a" {
		t.Errorf("argc %d argv[1] %q", argc, s)
	}
}

func TestMalformed(t *testing.T) {
	good := minimalELF()
	mutate := func(f func(b []byte)) []byte {
		b := append([]byte(nil), good...)
		f(b)
		return b
	}
	cases := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"text", []byte("hello world, this is not an executable file at all, just text")},
		{"32-bit", mutate(func(b []byte) { b[4] = 1 })},
		{"big-endian", mutate(func(b []byte) { b[5] = 2 })},
		{"arm64", mutate(func(b []byte) { le.PutUint16(b[18:], 183) })},
		{"relocatable", mutate(func(b []byte) { le.PutUint16(b[16:], 1) })},
		{"no phdrs", mutate(func(b []byte) { le.PutUint16(b[56:], 0) })},
		{"phdrs past the end", mutate(func(b []byte) { le.PutUint64(b[32:], 1<<40) })},
		{"bad phentsize", mutate(func(b []byte) { le.PutUint16(b[54:], 32) })},
		{"segment past the end", mutate(func(b []byte) { le.PutUint64(b[64+32:], 1<<30) })},
		{"filesz above memsz", mutate(func(b []byte) { le.PutUint64(b[64+40:], 10) })},
		{"misaligned", mutate(func(b []byte) { le.PutUint64(b[64+16:], 0x400123) })},
		{"kernel address", mutate(func(b []byte) { le.PutUint64(b[64+16:], 0xffff800000000000) })},
		{"below mmap_min_addr", mutate(func(b []byte) { le.PutUint64(b[64+16:], 0x1000) })},
	}
	for _, c := range cases {
		_, err := Load(newAS(t), file(c.b), nil)
		if !errors.Is(err, abi.ENOEXEC) {
			t.Errorf("%s: %v, want ENOEXEC", c.name, err)
		}
	}
}

// FuzzLoad loads mutated executables (the seeds: a minimal ELF and, if
// built, a static and a dynamic musl program); every outcome must be a
// loaded image or an error.
func FuzzLoad(f *testing.F) {
	f.Add(minimalELF())
	for _, p := range []string{"../../build/guest/static/hello", "../../build/guest/dynamic/hello"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	interp := minimalELF()
	le.PutUint16(interp[16:], etDyn)
	f.Fuzz(func(t *testing.T, b []byte) {
		as := newAS(t)
		open := func(string) (File, error) { return file(interp), nil }
		img, err := Load(as, file(b), open)
		if err == nil {
			SetupStack(as, img, StackParams{Argv: []string{"x"}, ExecFn: "x"})
		}
	})
}
