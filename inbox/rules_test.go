package inbox

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

func TestCheckWindow(t *testing.T) {
	last := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	day, week := 24*time.Hour, 7*24*time.Hour
	cases := []struct {
		ch            models.Channel
		after         time.Duration
		template, tag string
		ok            bool
	}{
		{models.ChannelWhatsApp, day - time.Nanosecond, "", "", true},
		{models.ChannelWhatsApp, day, "", "", false},
		{models.ChannelWhatsApp, 30 * day, "order_update", "", true},
		{models.ChannelWhatsApp, day, "", HumanAgentTag, false},
		{models.ChannelMessenger, day, "", "", false},
		{models.ChannelMessenger, week - time.Nanosecond, "", HumanAgentTag, true},
		{models.ChannelMessenger, week, "", HumanAgentTag, false},
		{models.ChannelMessenger, day, "tmpl", "", false},
		{models.ChannelInstagram, week - time.Nanosecond, "", "", true},
		{models.ChannelInstagram, week, "", "", false},
		{models.ChannelViber, day, "", "", true}, // chatbot-initiated, counted
		{models.ChannelTelegram, 365 * day, "", "", true},
		{models.ChannelLiveChat, 365 * day, "", "", true},
	}
	for _, c := range cases {
		err := CheckWindow(c.ch, &last, last.Add(c.after), c.template, c.tag)
		if (err == nil) != c.ok {
			t.Errorf("%s after %v (template %q tag %q): %v, want ok=%v", c.ch, c.after, c.template, c.tag, err, c.ok)
		}
	}
	if CheckWindow(models.ChannelWhatsApp, nil, last, "", "") == nil {
		t.Error("a subscriber who never wrote has an open WhatsApp window")
	}
	if CheckWindow(models.ChannelTelegram, nil, last, "", "") != nil {
		t.Error("Telegram has no window")
	}
}

func TestCheckTextCountsCharacters(t *testing.T) {
	for _, c := range []struct {
		text string
		ok   bool
	}{
		{"", false},
		{"a", true},
		{strings.Repeat("a", 512), true},
		{strings.Repeat("a", 513), false},
		{strings.Repeat("👍", 512), true}, // 2048 bytes, 512 characters
		{strings.Repeat("👍", 513), false},
	} {
		if err := CheckText("text", c.text, MaxTextLen); (err == nil) != c.ok {
			t.Errorf("%d runes: %v, want ok=%v", len([]rune(c.text)), err, c.ok)
		}
	}
}

func TestPauses(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	later := now.Add(3 * time.Hour)
	earlier := now.Add(-time.Hour)
	for _, c := range []struct {
		name      string
		got, want time.Time
	}{
		{"manual message, no pause", PausedUntil(nil, now), now.Add(time.Hour)},
		{"manual message, shorter pause", PausedUntil(&earlier, now), now.Add(time.Hour)},
		{"manual message keeps a longer pause", PausedUntil(&later, now), later},
		{"+60 min from no pause", ExtendPause(nil, now), now.Add(time.Hour)},
		{"+60 min from an ended pause", ExtendPause(&earlier, now), now.Add(time.Hour)},
		{"+60 min on a running pause", ExtendPause(&later, now), later.Add(time.Hour)},
	} {
		if !c.got.Equal(c.want) {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestScreenRefusesExecutables(t *testing.T) {
	pe := make([]byte, 256)
	copy(pe, "MZ")
	copy(pe[0x3c:], []byte{0x80})
	copy(pe[0x80:], "PE\x00\x00")
	for _, c := range []struct {
		name string
		head []byte
		ok   bool
	}{
		{"photo.png", []byte("\x89PNG\r\n\x1a\n"), true},
		{"doc.pdf", []byte("%PDF-1.7\n"), true},
		{"notes.txt", []byte("hello"), true},
		{"holiday.png", pe, false},
		{"x.pdf", []byte("\x7fELF\x02\x01\x01"), false},
		{"run.txt", []byte("#!/usr/bin/env python\n"), false},
		{"Setup.EXE", []byte("text"), false},
		{"tool.sh", []byte("echo hi"), false},
		{"game.apk", []byte("PK\x03\x04"), false},
	} {
		_, err := Screen(c.name, c.head)
		if (err == nil) != c.ok {
			t.Errorf("%s: %v, want ok=%v", c.name, err, c.ok)
		}
	}
}
