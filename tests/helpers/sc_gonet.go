// SPDX-License-Identifier: LGPL-2.1-or-later
// gonet, the seccomp suite's Go program, built static (CGO_ENABLED=0), so
// that LD_PRELOAD cannot reach it:
//
//	gonet serve ADDR N [mptcp|mptcp-tfo]
//		accept N connections at once, echo a line each; "mptcp" opens
//		the listener with syscall.Socket(IPPROTO_MPTCP), as Go 1.24 does
//		by default, and prints its protocol; "mptcp-tfo" also sets
//		TCP_FASTOPEN on it
//	gonet dial ADDR N [signals]
//		N connections at once, each sends its own line and checks the
//		echo; "signals" sends the process SIGURG (Go's preemption
//		signal) every 100us meanwhile
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

func die(what string, err error) {
	fmt.Println(what+":", err)
	os.Exit(1)
}

func mptcpListener(tfo bool) net.Listener {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 262)
	if err != nil {
		die("socket", err)
	}
	p, _ := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_PROTOCOL)
	fmt.Println("protocol", p)
	syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	if tfo {
		// TCP_FASTOPEN (23), a queue of 5.
		if err = syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, 23, 5); err != nil {
			die("tfo", err)
		}
		p, _ = syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_PROTOCOL)
		fmt.Println("tfo ok, protocol", p)
	}
	sa := &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}
	if err = syscall.Bind(fd, sa); err != nil {
		die("bind", err)
	}
	if err = syscall.Listen(fd, 64); err != nil {
		die("listen", err)
	}
	f := os.NewFile(uintptr(fd), "mptcp")
	l, err := net.FileListener(f)
	if err != nil {
		die("listener", err)
	}
	f.Close()
	return l
}

func serve(addr string, n int, mode string) {
	var l net.Listener
	var err error
	if mode == "mptcp" || mode == "mptcp-tfo" {
		l = mptcpListener(mode == "mptcp-tfo")
	} else if l, err = net.Listen("tcp", addr); err != nil {
		die("listen", err)
	}
	fmt.Println("port", l.Addr().(*net.TCPAddr).Port)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := 0; i < n; i++ {
		c, err := l.Accept()
		if err != nil {
			die("accept", err)
		}
		wg.Add(1)
		go func(c net.Conn) {
			defer wg.Done()
			defer c.Close()
			line, err := bufio.NewReader(c).ReadString('\n')
			if err != nil {
				return
			}
			c.Write([]byte(line))
			mu.Lock()
			fmt.Printf("served %s", line)
			mu.Unlock()
		}(c)
	}
	wg.Wait()
}

func dial(addr string, n int, signals bool) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := make(chan bool)
	if signals {
		go func() {
			for {
				select {
				case <-done:
					return
				default:
					syscall.Kill(os.Getpid(), syscall.SIGURG)
					time.Sleep(100 * time.Microsecond)
				}
			}
		}()
		defer close(done)
	}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				die("dial", err)
			}
			defer c.Close()
			msg := fmt.Sprintf("msg-%d\n", i)
			c.Write([]byte(msg))
			got, _ := bufio.NewReader(c).ReadString('\n')
			mu.Lock()
			defer mu.Unlock()
			if got != msg {
				fmt.Printf("bad %d %q\n", i, got)
				return
			}
			fmt.Printf("ok msg-%d local %s\n", i, c.LocalAddr())
		}(i)
	}
	wg.Wait()
}

func main() {
	n, _ := strconv.Atoi(os.Args[3])
	switch os.Args[1] {
	case "serve":
		mode := ""
		if len(os.Args) > 4 {
			mode = os.Args[4]
		}
		serve(os.Args[2], n, mode)
	case "dial":
		dial(os.Args[2], n, len(os.Args) > 4 && os.Args[4] == "signals")
	}
}
