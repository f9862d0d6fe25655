package sys

import (
	"paddock/abi"
	"paddock/kernel"
	"paddock/kernel/vfs"
)

// chunk bounds the kernel buffer one read or write step uses, so that a
// huge count does not allocate a huge buffer.
const chunk = 1 << 20

// readInto reads up to n bytes into guest memory at addr with rd (a read at
// the file position, or at an offset that advances). Regular files are read
// until n bytes or a short read; streams return what one read gives.
func readInto(t *kernel.Task, f *vfs.File, addr, n uint64, rd func(b []byte) (int, error)) (uint64, error) {
	if n > abi.MAX_RW_COUNT {
		n = abi.MAX_RW_COUNT
	}
	if !f.Readable() {
		return 0, abi.EBADF
	}
	buf, release := getScratch(min(n, chunk))
	defer release()
	var done uint64
	for done < n {
		want := min(n-done, uint64(len(buf)))
		k, err := rd(buf[:want])
		if k > 0 {
			if cerr := t.CopyOut(addr+done, buf[:k]); cerr != nil {
				if done == 0 {
					return 0, cerr
				}
				return done, nil
			}
			done += uint64(k)
		}
		if err != nil {
			if done > 0 {
				return done, nil
			}
			return 0, err
		}
		if uint64(k) < want || f.IsStream() {
			break
		}
	}
	return done, nil
}

// writeFrom writes n bytes from guest memory at addr with wr.
func writeFrom(t *kernel.Task, f *vfs.File, addr, n uint64, wr func(b []byte) (int, error)) (uint64, error) {
	if n > abi.MAX_RW_COUNT {
		n = abi.MAX_RW_COUNT
	}
	if !f.Writable() {
		return 0, abi.EBADF
	}
	buf, release := getScratch(min(n, chunk))
	defer release()
	var done uint64
	for done < n || n == 0 {
		want := min(n-done, uint64(len(buf)))
		if err := t.CopyIn(addr+done, buf[:want]); err != nil {
			if done == 0 {
				return 0, err
			}
			return done, nil
		}
		k, err := wr(buf[:want])
		done += uint64(k)
		if err != nil {
			if done > 0 {
				return done, nil
			}
			return 0, writeErr(t, err)
		}
		if uint64(k) < want || n == 0 {
			break
		}
	}
	return done, nil
}

// writeErr turns EPIPE into a SIGPIPE for the writer as well, as pipes and
// sockets do.
func writeErr(t *kernel.Task, err error) error {
	if err == abi.EPIPE {
		t.SendSignalSelf(abi.SIGPIPE)
	}
	return err
}

// Read implements read(2).
func Read(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, err := file(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if a[2] == 0 {
		if !f.Readable() {
			return 0, abi.EBADF
		}
		return 0, nil
	}
	return readInto(t, f, a[1], a[2], func(b []byte) (int, error) { return f.Read(t, b) })
}

// Write implements write(2).
func Write(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, err := file(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	return writeFrom(t, f, a[1], a[2], func(b []byte) (int, error) { return f.Write(t, b) })
}

// Pread64 implements pread64(2).
func Pread64(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, err := file(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	off := int64(a[3])
	if off < 0 {
		return 0, abi.EINVAL
	}
	if f.IsStream() {
		return 0, abi.ESPIPE
	}
	return readInto(t, f, a[1], a[2], func(b []byte) (int, error) {
		n, err := f.Pread(t, b, off)
		off += int64(n)
		return n, err
	})
}

// Pwrite64 implements pwrite64(2).
func Pwrite64(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, err := file(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	off := int64(a[3])
	if off < 0 {
		return 0, abi.EINVAL
	}
	if f.IsStream() {
		return 0, abi.ESPIPE
	}
	return writeFrom(t, f, a[1], a[2], func(b []byte) (int, error) {
		n, err := f.Pwrite(t, b, off)
		off += int64(n)
		return n, err
	})
}

// iovecs reads an iovec array: EINVAL for more than IOV_MAX entries or a
// total beyond SSIZE_MAX.
func iovecs(t *kernel.Task, addr uint64, cnt int32) ([]abi.Iovec, error) {
	if cnt < 0 || cnt > abi.IOV_MAX {
		return nil, abi.EINVAL
	}
	b := make([]byte, int(cnt)*abi.SizeofIovec)
	if err := t.CopyIn(addr, b); err != nil {
		return nil, err
	}
	v := make([]abi.Iovec, cnt)
	var total uint64
	for i := range v {
		v[i] = abi.DecodeIovec(b[i*abi.SizeofIovec:])
		total += v[i].Len
		if v[i].Len > 1<<63-1 || total > 1<<63-1 {
			return nil, abi.EINVAL
		}
	}
	return v, nil
}

// vectored runs one step per iovec, stopping at a short transfer.
func vectored(iov []abi.Iovec, step func(base, n uint64) (uint64, error)) (uint64, error) {
	var done uint64
	for _, v := range iov {
		if v.Len == 0 {
			continue
		}
		n, err := step(v.Base, v.Len)
		done += n
		if err != nil {
			if done > 0 {
				return done, nil
			}
			return 0, err
		}
		if n < v.Len {
			break
		}
	}
	return done, nil
}

func readv(t *kernel.Task, a kernel.Args, positioned bool) (uint64, error) {
	f, err := file(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	iov, err := iovecs(t, a[1], a.Int(2))
	if err != nil {
		return 0, err
	}
	if !f.Readable() {
		return 0, abi.EBADF
	}
	off := int64(a[3])
	if positioned && f.IsStream() {
		return 0, abi.ESPIPE
	}
	if positioned && off < 0 {
		return 0, abi.EINVAL
	}
	return vectored(iov, func(base, n uint64) (uint64, error) {
		return readInto(t, f, base, n, func(b []byte) (int, error) {
			if positioned {
				k, err := f.Pread(t, b, off)
				off += int64(k)
				return k, err
			}
			return f.Read(t, b)
		})
	})
}

func writev(t *kernel.Task, a kernel.Args, positioned bool) (uint64, error) {
	f, err := file(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	iov, err := iovecs(t, a[1], a.Int(2))
	if err != nil {
		return 0, err
	}
	if !f.Writable() {
		return 0, abi.EBADF
	}
	off := int64(a[3])
	if positioned && f.IsStream() {
		return 0, abi.ESPIPE
	}
	if positioned && off < 0 {
		return 0, abi.EINVAL
	}
	// Gather the whole write first so that a pipe sees one write (and
	// PIPE_BUF atomicity holds for the total, as with Linux's writev).
	var total uint64
	for _, v := range iov {
		total += v.Len
	}
	if total <= chunk {
		buf := make([]byte, 0, total)
		for _, v := range iov {
			b := make([]byte, v.Len)
			if err := t.CopyIn(v.Base, b); err != nil {
				return 0, err
			}
			buf = append(buf, b...)
		}
		if len(buf) == 0 {
			return 0, nil
		}
		var n int
		if positioned {
			n, err = f.Pwrite(t, buf, off)
		} else {
			n, err = f.Write(t, buf)
		}
		if err != nil && n == 0 {
			return 0, writeErr(t, err)
		}
		return uint64(n), nil
	}
	return vectored(iov, func(base, n uint64) (uint64, error) {
		return writeFrom(t, f, base, n, func(b []byte) (int, error) {
			if positioned {
				k, err := f.Pwrite(t, b, off)
				off += int64(k)
				return k, err
			}
			return f.Write(t, b)
		})
	})
}

// Readv implements readv(2).
func Readv(t *kernel.Task, a kernel.Args) (uint64, error) { return readv(t, a, false) }

// Writev implements writev(2).
func Writev(t *kernel.Task, a kernel.Args) (uint64, error) { return writev(t, a, false) }

// Preadv implements preadv(2).
func Preadv(t *kernel.Task, a kernel.Args) (uint64, error) { return readv(t, a, true) }

// Pwritev implements pwritev(2).
func Pwritev(t *kernel.Task, a kernel.Args) (uint64, error) { return writev(t, a, true) }

// Preadv2 implements preadv2(2): an offset of -1 means the file position;
// no RWF_* flag is supported.
func Preadv2(t *kernel.Task, a kernel.Args) (uint64, error) {
	if a[5] != 0 {
		return 0, abi.EOPNOTSUPP
	}
	return readv(t, a, int64(a[3]) != -1)
}

// Pwritev2 implements pwritev2(2) like Preadv2.
func Pwritev2(t *kernel.Task, a kernel.Args) (uint64, error) {
	if a[5] != 0 {
		return 0, abi.EOPNOTSUPP
	}
	return writev(t, a, int64(a[3]) != -1)
}

// Lseek implements lseek(2).
func Lseek(t *kernel.Task, a kernel.Args) (uint64, error) {
	f, err := file(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	n, err := f.Seek(int64(a[1]), int(a.Int(2)))
	return uint64(n), err
}

// transfer copies up to n bytes from in to out through a kernel buffer,
// reading with rd and writing with wr; it stops at the end of the input or
// a short write.
func transfer(n uint64, rd func([]byte) (int, error), wr func([]byte) (int, error)) (uint64, error) {
	buf := make([]byte, min(n, 1<<16))
	var done uint64
	for done < n {
		k, err := rd(buf[:min(n-done, uint64(len(buf)))])
		if k == 0 {
			if done == 0 && err != nil {
				return 0, err
			}
			break
		}
		w, err := wr(buf[:k])
		done += uint64(w)
		if err != nil {
			if done == 0 {
				return 0, err
			}
			break
		}
		if w < k {
			break
		}
	}
	return done, nil
}

// Sendfile implements sendfile(2): from a file (at *offset, or at its
// position) to any writable file.
func Sendfile(t *kernel.Task, a kernel.Args) (uint64, error) {
	out, err := file(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer out.DecRef()
	in, err := file(t, a.Int(1))
	if err != nil {
		return 0, err
	}
	defer in.DecRef()
	if !in.Readable() || !out.Writable() {
		return 0, abi.EBADF
	}
	if out.Flags()&abi.O_APPEND != 0 {
		return 0, abi.EINVAL
	}
	n := min(a[3], abi.MAX_RW_COUNT)
	wr := func(b []byte) (int, error) {
		k, err := out.Write(t, b)
		if err != nil {
			err = writeErr(t, err)
		}
		return k, err
	}
	if a[2] == 0 {
		return transfer(n, func(b []byte) (int, error) { return in.Read(t, b) }, wr)
	}
	if in.IsStream() {
		return 0, abi.ESPIPE
	}
	off, err := getU64(t, a[2])
	if err != nil {
		return 0, err
	}
	if int64(off) < 0 {
		return 0, abi.EINVAL
	}
	pos := int64(off)
	done, err := transfer(n, func(b []byte) (int, error) {
		k, err := in.Pread(t, b, pos)
		pos += int64(k)
		return k, err
	}, wr)
	if perr := putU64(t, a[2], off+done); perr != nil {
		return 0, perr
	}
	return done, err
}

// CopyFileRange implements copy_file_range(2) between regular files.
func CopyFileRange(t *kernel.Task, a kernel.Args) (uint64, error) {
	if a[5] != 0 {
		return 0, abi.EINVAL
	}
	in, err := file(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer in.DecRef()
	out, err := file(t, a.Int(2))
	if err != nil {
		return 0, err
	}
	defer out.DecRef()
	if !in.Readable() || !out.Writable() || out.Flags()&abi.O_APPEND != 0 {
		return 0, abi.EBADF
	}
	ia, oa := in.Inode.Attr(), out.Inode.Attr()
	if ia.IsDir() || oa.IsDir() {
		return 0, abi.EISDIR
	}
	if !ia.IsRegular() || !oa.IsRegular() {
		return 0, abi.EINVAL
	}
	n := min(a[4], abi.MAX_RW_COUNT)
	var inOff, outOff int64
	if a[1] != 0 {
		v, err := getU64(t, a[1])
		if err != nil {
			return 0, err
		}
		inOff = int64(v)
	} else {
		inOff = in.Offset()
	}
	if a[3] != 0 {
		v, err := getU64(t, a[3])
		if err != nil {
			return 0, err
		}
		outOff = int64(v)
	} else {
		outOff = out.Offset()
	}
	if inOff < 0 || outOff < 0 {
		return 0, abi.EINVAL
	}
	if in.Inode == out.Inode && inOff < outOff+int64(n) && outOff < inOff+int64(n) {
		return 0, abi.EINVAL
	}
	ri, wo := inOff, outOff
	done, err := transfer(n, func(b []byte) (int, error) {
		k, err := in.Pread(t, b, ri)
		ri += int64(k)
		return k, err
	}, func(b []byte) (int, error) {
		k, err := out.Pwrite(t, b, wo)
		wo += int64(k)
		return k, err
	})
	if a[1] != 0 {
		if err := putU64(t, a[1], uint64(ri)); err != nil {
			return 0, err
		}
	} else {
		in.Seek(ri, abi.SEEK_SET)
	}
	if a[3] != 0 {
		if err := putU64(t, a[3], uint64(wo)); err != nil {
			return 0, err
		}
	} else {
		out.Seek(wo, abi.SEEK_SET)
	}
	return done, err
}
