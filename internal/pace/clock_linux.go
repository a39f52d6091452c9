package pace

import (
	"syscall"
	"time"
	"unsafe"
)

// threadCPUTime is the calling thread's processor time
// (CLOCK_THREAD_CPUTIME_ID), or 0 if the clock cannot be read.
func threadCPUTime() time.Duration {
	const clockThreadCPUTimeID = 3
	var ts syscall.Timespec
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return 0
	}
	return time.Duration(ts.Nano())
}
