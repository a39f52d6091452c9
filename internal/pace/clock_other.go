//go:build !linux

package pace

import "time"

// threadCPUTime is 0 where the thread's processor time is not read: a
// clock that does not advance never reaches a slice, so the work is not
// paced there.
func threadCPUTime() time.Duration { return 0 }
