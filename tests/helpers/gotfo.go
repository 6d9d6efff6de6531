// SPDX-License-Identifier: LGPL-2.1-or-later
// gotfo, Go's own net code the way Go 1.24 listens by default
// (ListenConfig.SetMultipathTCP(true), built with Go 1.23 where that is
// still asked for), then TCP_FASTOPEN set on the listener after Listen, as
// golang/go#72879's programs do:
//
//	gotfo fresh	set it at once, then serve one connection
//	gotfo served	accept one connection first, then set it and serve one
//
// It prints the listener's protocol before and after, what setting the
// option gave, and what its own client got back through the listener.
package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
)

func protocol(l net.Listener) int {
	raw, err := l.(*net.TCPListener).SyscallConn()
	if err != nil {
		return -1
	}
	p := -1
	raw.Control(func(fd uintptr) {
		p, _ = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_PROTOCOL)
	})
	return p
}

// echo dials the listener, sends a line and prints what came back.
func echo(addr, line string, done chan<- bool) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		fmt.Println("dial:", err)
		done <- false
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintln(c, line)
	got, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		fmt.Println("read:", err)
		done <- false
		return
	}
	fmt.Print("echo ", got)
	done <- true
}

// serve accepts one connection and echoes a line, 10 s at most.
func serve(l net.Listener) {
	l.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
	c, err := l.Accept()
	if err != nil {
		fmt.Println("accept:", err)
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err == nil {
		fmt.Fprint(c, line)
	}
}

func main() {
	var lc net.ListenConfig
	lc.SetMultipathTCP(true)
	l, err := lc.Listen(context.Background(), "tcp4", "127.0.0.1:0")
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(1)
	}
	defer l.Close()
	addr := l.Addr().String()
	fmt.Println("listen protocol", protocol(l))
	done := make(chan bool, 1)
	if len(os.Args) > 1 && os.Args[1] == "served" {
		go echo(addr, "first", done)
		serve(l)
		<-done
	}
	raw, _ := l.(*net.TCPListener).SyscallConn()
	raw.Control(func(fd uintptr) {
		// TCP_FASTOPEN (23), a queue of 5.
		err = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, 23, 5)
	})
	if err != nil {
		fmt.Println("tfo:", err)
	} else {
		fmt.Println("tfo ok")
	}
	fmt.Println("protocol", protocol(l))
	go echo(addr, "hello", done)
	serve(l)
	<-done
}
