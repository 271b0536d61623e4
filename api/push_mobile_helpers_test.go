package api_test

import (
	"context"
	"testing"

	"github.com/switchboardhq/switchboard/push"
	"github.com/switchboardhq/switchboard/push/apns"
	"github.com/switchboardhq/switchboard/push/apns/apnsfake"
	"github.com/switchboardhq/switchboard/push/fcm"
	"github.com/switchboardhq/switchboard/push/fcm/fcmfake"
)

// mobile is a push env whose FCM and APNs senders talk to loopback fakes.
type mobile struct {
	*pushEnv
	fcm  *fcmfake.Server
	apns *apnsfake.Server
	// fcmSender speaks to fcm, for other instances of the gateway.
	fcmSender push.Sender
}

// mobileSenders starts the fakes and returns senders speaking to them.
func mobileSenders(t testing.TB) (map[push.Provider]push.Sender, *fcmfake.Server, *apnsfake.Server) {
	t.Helper()
	ff := fcmfake.New(t)
	fs, err := fcm.New(context.Background(), fcm.Config{CredentialsJSON: ff.ServiceAccountJSON("switchboard-test"), Endpoint: ff.URL()})
	if err != nil {
		t.Fatal(err)
	}
	key, pub := apnsfake.GenerateP8(t)
	af := apnsfake.NewToken(t, pub, "KEY1234567", "TEAM123456")
	as, err := apns.New(apns.Config{KeyP8: key, KeyID: "KEY1234567", TeamID: "TEAM123456", Host: af.URL(), RootCAs: af.CertPool()})
	if err != nil {
		t.Fatal(err)
	}
	return map[push.Provider]push.Sender{push.ProviderFCM: fs, push.ProviderAPNs: as}, ff, af
}

func newMobileEnv(t testing.TB, cfg push.Config) *mobile {
	senders, ff, af := mobileSenders(t)
	return &mobile{pushEnv: newPushEnv(t, cfg, senders), fcm: ff, apns: af, fcmSender: senders[push.ProviderFCM]}
}

// fcmTo lists what the FCM fake received for token.
func (m *mobile) fcmTo(token string) []fcmfake.Received {
	var out []fcmfake.Received
	for _, r := range m.fcm.Messages() {
		if r.Token == token {
			out = append(out, r)
		}
	}
	return out
}

// apnsTo lists what the APNs fake accepted for token.
func (m *mobile) apnsTo(token string) []apnsfake.Received {
	var out []apnsfake.Received
	for _, r := range m.apns.Notifications() {
		if r.Token == token {
			out = append(out, r)
		}
	}
	return out
}
