// Package faultkit is the harness of the reliability suite (see
// RELIABILITY.md): a TCP proxy that makes the database go away and come
// back, a webhook receiver that misbehaves on purpose and deduplicates by
// idempotency key, a scenario whose outcomes are known in advance, checks of
// what the database holds against it, and helpers that run the duban binary
// and kill it.
package faultkit

import (
	"net"
	"sync"
	"testing"
	"time"
)

// Proxy forwards TCP connections to a server (the database) until it is cut.
type Proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	mode  CutMode
	conns map[net.Conn]bool
	held  []net.Conn // connections accepted while blackholed
	cuts  int
}

// CutMode is how a cut proxy behaves.
type CutMode int

const (
	// Up forwards everything.
	Up CutMode = iota
	// Reset closes every open connection and refuses new ones at once: the
	// database process died or restarted.
	Reset
	// Blackhole stops forwarding: open connections hang, new ones are
	// accepted and never answered — a network partition or a frozen server.
	// Only timeouts end what was in flight.
	Blackhole
)

func (m CutMode) String() string {
	return [...]string{"up", "reset", "blackhole"}[m]
}

// NewProxy listens on a free loopback port and forwards to target
// (host:port). It is closed when the test ends.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(p.Close)
	return p
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Cut makes the database go away, in the given way.
func (p *Proxy) Cut(mode CutMode) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = mode
	p.cuts++
	if mode == Reset {
		for c := range p.conns {
			closeHard(c)
		}
		p.conns = map[net.Conn]bool{}
	}
}

// Restore brings the database back. Connections that hung through a
// blackhole are dropped (their peer long gave up); new ones go through.
func (p *Proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode == Blackhole {
		for c := range p.conns {
			closeHard(c)
		}
		p.conns = map[net.Conn]bool{}
		for _, c := range p.held {
			closeHard(c)
		}
		p.held = nil
	}
	p.mode = Up
}

// Cuts counts the cuts so far.
func (p *Proxy) Cuts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cuts
}

// Close stops the proxy and drops every connection.
func (p *Proxy) Close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		closeHard(c)
	}
	for _, c := range p.held {
		closeHard(c)
	}
	p.conns, p.held = map[net.Conn]bool{}, nil
}

func (p *Proxy) serve() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		mode := p.mode
		switch mode {
		case Reset:
			closeHard(client)
		case Blackhole:
			p.held = append(p.held, client)
		}
		p.mu.Unlock()
		if mode == Up {
			go p.forward(client)
		}
	}
}

func (p *Proxy) forward(client net.Conn) {
	server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		closeHard(client)
		return
	}
	p.mu.Lock()
	if p.mode != Up {
		p.mu.Unlock()
		closeHard(client)
		closeHard(server)
		return
	}
	p.conns[client], p.conns[server] = true, true
	p.mu.Unlock()
	pipe := func(dst, src net.Conn) {
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				// While blackholed, what arrives is swallowed: nobody answers.
				if !p.blackholed() {
					if _, werr := dst.Write(buf[:n]); werr != nil {
						break
					}
				}
			}
			if err != nil {
				break
			}
		}
		if !p.blackholed() {
			closeHard(dst)
			closeHard(src)
		}
	}
	go pipe(server, client)
	go pipe(client, server)
}

func (p *Proxy) blackholed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode == Blackhole
}

// closeHard closes with a reset rather than a FIN where it can, as a dead
// peer does.
func closeHard(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}
