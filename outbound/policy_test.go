package outbound

import (
	"errors"
	"net/netip"
	"testing"
)

// TestCheckAddr is the address classifier: what the default policy and
// AllowPrivate let through. No address here is ever connected to.
func TestCheckAddr(t *testing.T) {
	cases := []struct {
		addr            string
		public, private bool // allowed by the default policy, with AllowPrivate
		class           string
	}{
		{"93.184.215.14", true, true, ""},
		{"142.250.74.110", true, true, ""},
		{"2a00:1450:4001:82b::200a", true, true, ""},
		{"8.8.8.8", true, true, ""},
		{"127.0.0.1", false, true, "loopback"},
		{"127.255.255.254", false, true, "loopback"},
		{"::1", false, true, "loopback"},
		{"10.0.0.1", false, true, "private"},
		{"172.16.0.1", false, true, "private"},
		{"172.31.255.255", false, true, "private"},
		{"172.32.0.1", true, true, ""},
		{"192.168.1.1", false, true, "private"},
		{"fd00::1", false, true, "private"},
		{"fc00::1", false, true, "private"},
		{"100.64.0.1", false, true, "shared (carrier-grade NAT)"},
		{"100.127.255.255", false, true, "shared (carrier-grade NAT)"},
		{"100.128.0.1", true, true, ""},
		{"169.254.169.254", false, false, "link-local"},
		{"169.254.0.1", false, false, "link-local"},
		{"fe80::1", false, false, "link-local"},
		{"fe80::1%eth0", false, false, "link-local"},
		{"0.0.0.0", false, false, "unspecified"},
		{"0.1.2.3", false, false, "unspecified"},
		{"::", false, false, "unspecified"},
		{"224.0.0.1", false, false, "multicast"},
		{"239.255.255.250", false, false, "multicast"},
		{"ff02::1", false, false, "multicast"},
		{"255.255.255.255", false, false, "special-purpose"},
		{"240.0.0.1", false, false, "special-purpose"},
		{"192.0.2.1", false, false, "special-purpose"},
		{"198.18.0.1", false, false, "special-purpose"},
		{"2001:db8::1", false, false, "special-purpose"},
		{"::ffff:127.0.0.1", false, true, "loopback"},
		{"::ffff:169.254.169.254", false, false, "link-local"},
		{"::ffff:10.1.2.3", false, true, "private"},
		{"::ffff:8.8.8.8", true, true, ""},
		{"::127.0.0.1", false, false, "special-purpose"}, // IPv4-compatible, deprecated
		{"64:ff9b::8.8.8.8", true, true, ""},
		{"64:ff9b::127.0.0.1", false, true, "NAT64 form of a loopback"},
		{"64:ff9b::169.254.169.254", false, false, "NAT64 form of a link-local"},
		{"64:ff9b:1::a00:1", false, false, "special-purpose"},                     // local-use NAT64
		{"2002:7f00:1::", false, false, "special-purpose"},                        // 6to4 of 127.0.0.1
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", false, false, "special-purpose"}, // Teredo
	}
	for _, c := range cases {
		ip := netip.MustParseAddr(c.addr)
		for _, p := range []struct {
			policy Policy
			want   bool
		}{{Policy{}, c.public}, {Policy{AllowPrivate: true}, c.private}} {
			err := p.policy.CheckAddr(ip)
			if (err == nil) != p.want {
				t.Errorf("%+v.CheckAddr(%s) = %v, want allowed %v", p.policy, c.addr, err, p.want)
				continue
			}
			var be *BlockedError
			if err != nil && (!errors.Is(err, ErrBlocked) || !errors.As(err, &be) || be.Class != c.class) {
				t.Errorf("%+v.CheckAddr(%s) = %v, want a BlockedError of class %q", p.policy, c.addr, err, c.class)
			}
		}
	}
}

func TestCheckHost(t *testing.T) {
	cases := []struct {
		host            string
		public, private bool
	}{
		{"fcm.googleapis.com", true, true},
		{"updates.push.services.mozilla.com", true, true},
		{"web.push.apple.com.", true, true},
		{"cafe.example", true, true},
		{"93.184.215.14", true, true},
		{"localhost", false, true},
		{"LOCALHOST.", false, true},
		{"push.localhost", false, true},
		{"127.0.0.1", false, true},
		{"::1", false, true},
		{"::ffff:127.0.0.1", false, true},
		{"169.254.169.254", false, false},
		{"10.0.0.1", false, true},
		{"2130706433", false, false}, // 127.0.0.1 in decimal
		{"127.1", false, false},
		{"0x7f.0.0.1", false, false},
		{"0x7f000001", false, false},
		{"0177.0.0.1", false, false},
		{"1.2.3.4.5", false, false},
		{"", false, false},
	}
	for _, c := range cases {
		if err := (Policy{}).CheckHost(c.host); (err == nil) != c.public || err != nil && !errors.Is(err, ErrBlocked) {
			t.Errorf("CheckHost(%q) = %v, want allowed %v", c.host, err, c.public)
		}
		if err := (Policy{AllowPrivate: true}).CheckHost(c.host); (err == nil) != c.private {
			t.Errorf("AllowPrivate: CheckHost(%q) = %v, want allowed %v", c.host, err, c.private)
		}
	}
}

func TestControlRefusesOtherNetworks(t *testing.T) {
	p := Policy{AllowPrivate: true}
	if err := p.Control("tcp4", "127.0.0.1:443", nil); err != nil {
		t.Errorf("tcp4 loopback with AllowPrivate: %v", err)
	}
	for _, c := range [][2]string{{"udp4", "127.0.0.1:53"}, {"tcp4", "not-an-address"}, {"tcp6", "[::1]"}} {
		if err := p.Control(c[0], c[1], nil); !errors.Is(err, ErrBlocked) {
			t.Errorf("Control(%s, %s) = %v, want blocked", c[0], c[1], err)
		}
	}
}
