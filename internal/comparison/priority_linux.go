package comparison

import "syscall"

// lowerThreadPriority raises the calling thread's nice value by n (Linux
// keeps one per thread). It is best effort: a failure leaves the priority
// as it was.
func lowerThreadPriority(n int) {
	tid := syscall.Gettid()
	// The system call returns 20 − nice, so that it is never negative.
	prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
	if err != nil {
		return
	}
	nice := 20 - prio
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, tid, min(nice+n, 19))
}
