// SPDX-License-Identifier: LGPL-2.1-or-later
// Workload 6: workload 1 (socket + setsockopt(TCP_NODELAY) + close) from
// a Go program built with cgo, so dynamically linked: Go's syscall package
// makes the calls as raw system calls, which only a trap (trap/, the
// library's default for Go) or the seccomp front sees. bench/run builds it
// with the local go, and skips the row without one.
//
//	goloop ITERS
//
// Prints: goloop iters=I ns_op=X calls_op=3
package main

// int goloop_cgo(void) { return 0; }
import "C"

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

func op() {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "socket:", err)
		os.Exit(1)
	}
	syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
	syscall.Close(fd)
}

func main() {
	n, err := strconv.Atoi(os.Args[1])
	if err != nil || n < 1 {
		fmt.Fprintln(os.Stderr, "usage: goloop ITERS")
		os.Exit(2)
	}
	C.goloop_cgo()
	for i := 0; i < n/10+1; i++ {
		op()
	}
	t0 := time.Now()
	for i := 0; i < n; i++ {
		op()
	}
	ns := float64(time.Since(t0).Nanoseconds()) / float64(n)
	fmt.Printf("goloop iters=%d ns_op=%.1f calls_op=3\n", n, ns)
}
