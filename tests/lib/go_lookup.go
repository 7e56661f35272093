// go_lookup.go - Go's own resolver, as cert-manager's controller runs it
// (built CGO_ENABLED=0, so the pure-Go resolver): dials ADDR (host:port)
// with a net.Dialer of 30 s, like cert-manager's transport, and prints the
// milliseconds it took and Go's error. diagnose-dns-slow.sh compares these
// with what acmectl's model of that resolver predicts.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	start := time.Now()
	d := &net.Dialer{Timeout: 30 * time.Second}
	c, err := d.DialContext(context.Background(), "tcp", os.Args[1])
	if c != nil {
		c.Close()
	}
	fmt.Printf("%d %v\n", time.Since(start).Milliseconds(), err)
}
