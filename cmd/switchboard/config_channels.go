package main

import (
	"errors"
	"net"
	"net/url"
	"strings"
)

// ChannelsConfig is the settings of the native messenger connections.
type ChannelsConfig struct {
	// PublicURL is this server's public address: with it native bots use
	// webhooks under it; without it Telegram bots long-poll and Viber bots
	// cannot connect.
	PublicURL string
	// ViberAPIURL is the Viber REST Bot API (tests point it at a fake).
	ViberAPIURL string
}

var channelSettings = []setting{
	{"SWITCHBOARD_PUBLIC_URL", "", "this server's public https:// address, where Telegram and Viber deliver webhooks; empty: Telegram bots use long polling and Viber bots cannot connect", false, func(c *Config, v string) error {
		if v == "" {
			c.Channels.PublicURL = ""
			return nil
		}
		u, err := url.Parse(v)
		if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return errors.New("must be an absolute URL such as https://inbox.example.com")
		}
		if u.Scheme != "https" && !(u.Scheme == "http" && loopbackHost(u.Hostname())) {
			return errors.New("must use https:// (the messengers deliver webhooks only over HTTPS; http:// is accepted for loopback tests only)")
		}
		c.Channels.PublicURL = strings.TrimRight(v, "/")
		return nil
	}},
	{"SWITCHBOARD_VIBER_API_URL", "https://chatapi.viber.com/pa", "Viber REST Bot API base URL (tests)", false, urlSetting(func(c *Config) *string { return &c.Channels.ViberAPIURL }, "https", "http")},
}

func init() { settings = append(settings, channelSettings...) }

// loopbackHost reports whether host names this machine.
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
