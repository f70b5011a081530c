package store

import "golang.org/x/sys/unix"

// releaseMapped drops the page-table entries of the mapping at data (size
// bytes); the pages stay in the page cache. madvise takes the address as a
// number, so no uintptr becomes a pointer here.
func releaseMapped(data uintptr, size int64) error {
	if data == 0 || size <= 0 {
		return nil
	}
	if _, _, errno := unix.Syscall(unix.SYS_MADVISE, data, uintptr(size), unix.MADV_DONTNEED); errno != 0 {
		return errno
	}
	return nil
}
