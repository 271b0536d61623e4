// Package outbound is the one way Switchboard makes HTTP requests to
// addresses that members or outside parties choose (Web Push endpoints
// today; messenger media and avatars later). Its client checks the
// address of every connection it opens against a Policy, from inside the
// dialer, so neither a DNS name that resolves to an internal address nor
// a redirect can reach loopback, private, link-local or cloud metadata
// addresses; it follows no redirect and bounds every answer.
//
// The address rules come from code.dny.dev/ssrf, which follows the IANA
// special-purpose address registries: every IPv4 special-purpose range
// and every IPv6 address outside global unicast (2000::/3), or inside a
// special-purpose range of it, is refused.
package outbound

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"syscall"

	"code.dny.dev/ssrf"
)

// ErrBlocked is what every refusal of an address wraps: errors.Is(err,
// ErrBlocked) tells a refused address from a network failure.
var ErrBlocked = errors.New("outbound: address not allowed")

// BlockedError is the refusal of one address or host.
type BlockedError struct {
	// Addr is the refused address; invalid for a refused host name.
	Addr netip.Addr
	// Class names what the address is: "loopback", "private",
	// "link-local", "shared (carrier-grade NAT)", "unspecified",
	// "multicast", "special-purpose", or "IPv4 in another notation".
	Class string
}

// Error says what was refused and why, for logs.
func (e *BlockedError) Error() string {
	if !e.Addr.IsValid() {
		return "outbound: host not allowed: " + e.Class
	}
	return fmt.Sprintf("outbound: %s is a %s address, not allowed", e.Addr, e.Class)
}

// Is makes errors.Is(err, ErrBlocked) true.
func (e *BlockedError) Is(target error) bool { return target == ErrBlocked }

// Policy says which addresses outbound requests may reach. The zero
// Policy allows only public addresses.
type Policy struct {
	// AllowPrivate also allows loopback (127.0.0.0/8, ::1), private
	// (RFC 1918, IPv6 ULA fc00::/7) and shared (100.64.0.0/10) addresses,
	// and plain-http URLs on loopback hosts: for tests and private
	// deployments only. Link-local addresses (among them the cloud
	// metadata service 169.254.169.254), unspecified, multicast,
	// broadcast, reserved and documentation addresses stay refused.
	AllowPrivate bool
}

// guardian holds the special-purpose ranges; any port is allowed (a
// public host is public on every port) and only TCP is dialled.
var guardian = ssrf.New(ssrf.WithAnyPort())

// privateRanges are what AllowPrivate opens.
var privateRanges = []netip.Prefix{
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("::1/128"),
	netip.MustParsePrefix("fc00::/7"),
}

// nat64 is the well-known NAT64 prefix (RFC 6052): an address in it is
// the IPv4 address in its last four bytes, judged as that address, so
// IPv6-only hosts behind DNS64 reach public IPv4 hosts and nothing else.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// classes name the ranges in errors; the first match names the address.
var classes = []struct {
	p    netip.Prefix
	name string
}{
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("fc00::/7"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared (carrier-grade NAT)"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

// classOf names ip's range for an error.
func classOf(ip netip.Addr) string {
	for _, c := range classes {
		if c.p.Contains(ip) {
			return c.name
		}
	}
	return "special-purpose"
}

// CheckAddr reports whether ip may be connected to: nil, or a
// *BlockedError. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) and NAT64
// addresses (64:ff9b::a.b.c.d) are judged as the IPv4 address they carry.
func (p Policy) CheckAddr(ip netip.Addr) error {
	ip = ip.WithZone("").Unmap()
	if !ip.IsValid() {
		return &BlockedError{Class: "not an IP address"}
	}
	if ip.Is6() && nat64.Contains(ip) {
		b := ip.As16()
		if err := p.CheckAddr(netip.AddrFrom4([4]byte(b[12:]))); err != nil {
			return &BlockedError{Addr: ip, Class: "NAT64 form of a " + err.(*BlockedError).Class}
		}
		return nil
	}
	if p.AllowPrivate {
		for _, r := range privateRanges {
			if r.Contains(ip) {
				return nil
			}
		}
	}
	if guardian.SafeAddr(ip) != nil {
		return &BlockedError{Addr: ip, Class: classOf(ip)}
	}
	return nil
}

// Control is a net.Dialer Control function: it refuses, before the
// connection is made, any network but TCP and any address CheckAddr
// refuses. It sees the address actually dialled, after name resolution.
func (p Policy) Control(network, address string, _ syscall.RawConn) error {
	if network != "tcp4" && network != "tcp6" {
		return &BlockedError{Class: "network " + network + " is not TCP"}
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &BlockedError{Class: "not an IP address"}
	}
	return p.CheckAddr(ap.Addr())
}

// CheckHost checks a URL's host (as url.URL.Hostname gives it) before any
// request is made: an IP literal must pass CheckAddr; "localhost" and
// names under ".localhost" are loopback (RFC 6761), allowed only with
// AllowPrivate; a name whose last label is numeric (127.1, 2130706433,
// 0x7f.1) is an IPv4 address in a notation resolvers disagree on, and is
// always refused. Where any other name resolves is checked when it is
// connected to.
func (p Policy) CheckHost(host string) error {
	if ip, err := netip.ParseAddr(host); err == nil {
		return p.CheckAddr(ip)
	}
	name := strings.ToLower(strings.TrimSuffix(host, "."))
	if name == "" {
		return &BlockedError{Class: "empty host"}
	}
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		if p.AllowPrivate {
			return nil
		}
		return &BlockedError{Class: "loopback"}
	}
	last := name[strings.LastIndexByte(name, '.')+1:]
	if numericLabel(last) {
		return &BlockedError{Class: "IPv4 in another notation"}
	}
	return nil
}

// IsLoopbackHost reports whether host is a loopback IP literal or
// "localhost": where plain http may be allowed for tests.
func IsLoopbackHost(host string) bool {
	name := strings.ToLower(strings.TrimSuffix(host, "."))
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// numericLabel reports whether a DNS label (lower case) reads as a
// number, decimal or 0x-hex: no top-level domain does.
func numericLabel(s string) bool {
	if h, ok := strings.CutPrefix(s, "0x"); ok {
		return strings.Trim(h, "0123456789abcdef") == ""
	}
	return s != "" && strings.Trim(s, "0123456789") == ""
}
