// SPDX-License-Identifier: LGPL-2.1-or-later
// rep_gonet, the report suite's Go program (Go 1.21 or later, for
// SetMultipathTCP), built static so that the seccomp front serves it:
//
//	rep_gonet listen-tfo
//		listen on 127.0.0.1 with ListenConfig.SetMultipathTCP(true),
//		as Go 1.24 does by default, then set TCP_FASTOPEN on the
//		listener; exits 1 when the option is refused
//	rep_gonet dial-mptcp ADDR
//		dial ADDR with Dialer.SetMultipathTCP(true) (Go falls back
//		to TCP by itself when the kernel refuses MPTCP); says whether
//		the connection is MPTCP
//	rep_gonet get URL
//		GET URL (net/http, its Happy Eyeballs dialer); prints the body
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Println("usage: rep_gonet listen-tfo | dial-mptcp ADDR | get URL")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "listen-tfo":
		var lc net.ListenConfig
		lc.SetMultipathTCP(true)
		l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Println("listen:", err)
			os.Exit(1)
		}
		rc, _ := l.(*net.TCPListener).SyscallConn()
		var serr error
		rc.Control(func(fd uintptr) {
			// TCP_FASTOPEN (23), a queue of 5.
			serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, 23, 5)
		})
		if serr != nil {
			fmt.Println("tfo:", serr)
			os.Exit(1)
		}
		fmt.Println("listening")
		l.Close()
	case "dial-mptcp":
		var d net.Dialer
		d.SetMultipathTCP(true)
		c, err := d.Dial("tcp", os.Args[2])
		if err != nil {
			fmt.Println("dial:", err)
			os.Exit(1)
		}
		m, _ := c.(*net.TCPConn).MultipathTCP()
		fmt.Println("connected, mptcp", m)
		c.Close()
	case "get":
		cl := http.Client{Timeout: 10 * time.Second}
		r, err := cl.Get(os.Args[2])
		if err != nil {
			fmt.Println("get:", err)
			os.Exit(1)
		}
		b, _ := io.ReadAll(r.Body)
		fmt.Print(string(b))
	}
}
