// Package dnsfake is a loopback DNS server for tests: it answers A and
// AAAA questions over UDP from a fixed table, so a test can make any name
// resolve to any address (a public-looking name that resolves to
// loopback, as a DNS rebinding attacker would) without touching the
// system's resolver.
package dnsfake

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// Server is a running DNS server, stopped when its test ends.
type Server struct {
	conn    net.PacketConn
	records map[string][]netip.Addr // by lower-case name without the final dot
	done    sync.WaitGroup

	mu      sync.Mutex
	queries int
}

// New starts a server on a loopback UDP port answering for records (name
// to addresses); other names are NXDOMAIN.
func New(t testing.TB, records map[string][]netip.Addr) *Server {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("dnsfake: %v", err)
	}
	s := &Server{conn: conn, records: map[string][]netip.Addr{}}
	for name, addrs := range records {
		s.records[strings.ToLower(strings.TrimSuffix(name, "."))] = addrs
	}
	s.done.Add(1)
	go s.serve()
	t.Cleanup(func() {
		conn.Close()
		s.done.Wait()
	})
	return s
}

// Resolver is a pure-Go resolver that sends every query to the server.
// Names in the system's hosts file are still answered from it.
func (s *Server) Resolver() *net.Resolver {
	addr := s.conn.LocalAddr().String()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", addr)
	}}
}

// Queries counts the questions answered.
func (s *Server) Queries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries
}

// serve answers until the connection is closed.
func (s *Server) serve() {
	defer s.done.Done()
	buf := make([]byte, 1500)
	for {
		n, from, err := s.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		if out, ok := s.answer(buf[:n]); ok {
			_, _ = s.conn.WriteTo(out, from)
		}
	}
}

// answer builds the reply to one query.
func (s *Server) answer(q []byte) ([]byte, bool) {
	var p dnsmessage.Parser
	h, err := p.Start(q)
	if err != nil {
		return nil, false
	}
	qs, err := p.AllQuestions()
	if err != nil || len(qs) != 1 {
		return nil, false
	}
	s.mu.Lock()
	s.queries++
	s.mu.Unlock()
	question := qs[0]
	name := strings.ToLower(strings.TrimSuffix(question.Name.String(), "."))
	addrs, known := s.records[name]
	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired, RecursionAvailable: true}
	if !known {
		rh.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, rh)
	b.EnableCompression()
	if b.StartQuestions() != nil || b.Question(question) != nil || b.StartAnswers() != nil {
		return nil, false
	}
	rr := dnsmessage.ResourceHeader{Name: question.Name, Class: dnsmessage.ClassINET, TTL: 1}
	for _, a := range addrs {
		switch {
		case question.Type == dnsmessage.TypeA && a.Is4():
			if b.AResource(rr, dnsmessage.AResource{A: a.As4()}) != nil {
				return nil, false
			}
		case question.Type == dnsmessage.TypeAAAA && a.Is6():
			if b.AAAAResource(rr, dnsmessage.AAAAResource{AAAA: a.As16()}) != nil {
				return nil, false
			}
		}
	}
	out, err := b.Finish()
	return out, err == nil
}
