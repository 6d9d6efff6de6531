// SPDX-License-Identifier: LGPL-2.1-or-later
// The static part's server: a Go net/http server on ADDR answering "hi"
// to every request, built static (CGO_ENABLED=0) by bench/run, so that
// only netshim run's trap or seccomp front reaches it. bench/run loads it
// with wrk -H 'Connection: close' (one accept per request) and stops it
// with SIGTERM.
//
//	gohttp ADDR
package main

import (
	"io"
	"net"
	"net/http"
	"os"
)

func main() {
	l, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hi\n")
	}))
}
