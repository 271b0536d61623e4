package viber_test

import (
	"context"
	"io"
	"testing"

	"github.com/switchboardhq/switchboard/internal/fakes/viberfake"
	"github.com/switchboardhq/switchboard/models"
)

func TestFetchBounds(t *testing.T) {
	t.Parallel()
	f, a := setup(t)
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		media    viberfake.Media
		tooLarge bool
	}{
		{"exactly 20 MB", viberfake.Media{Name: "a.pdf", MimeType: "application/pdf; q=1", Size: models.MaxFileSize}, false},
		{"exactly 20 MB, no length", viberfake.Media{Name: "a.pdf", Size: models.MaxFileSize, NoLength: true}, false},
		{"20 MB + 1, announced", viberfake.Media{Size: models.MaxFileSize + 1}, true},
		{"20 MB + 1, not announced", viberfake.Media{Size: models.MaxFileSize + 1, NoLength: true}, true},
	} {
		ref := f.AddMedia(c.media)
		d, err := a.Fetch(ctx, creds, ref)
		if c.tooLarge && err != nil {
			if ce := chErr(t, err); ce.Reason != "too_large" || !ce.Permanent {
				t.Errorf("%s: %+v", c.name, ce)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		n, err := io.Copy(io.Discard, d.Body)
		d.Body.Close()
		if c.tooLarge {
			if ce := chErr(t, err); ce.Reason != "too_large" || n > models.MaxFileSize {
				t.Errorf("%s: read %d, %v", c.name, n, err)
			}
			continue
		}
		if err != nil || n != models.MaxFileSize {
			t.Errorf("%s: read %d, %v", c.name, n, err)
		}
		if !c.media.NoLength && (d.Size != models.MaxFileSize || d.MimeType != "application/pdf") {
			t.Errorf("%s: %+v", c.name, d)
		}
	}
	small := f.AddMedia(viberfake.Media{MimeType: "image/jpeg", Size: 3})
	d, err := a.Fetch(ctx, creds, small)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(d.Body)
	d.Body.Close()
	if string(b) != "abc" || d.MimeType != "image/jpeg" || d.Size != 3 {
		t.Fatalf("small: %q %+v", b, d)
	}
	_, err = a.Fetch(ctx, creds, f.BaseURL()[:len(f.BaseURL())-3]+"/media/999")
	if ce := chErr(t, err); ce.Reason != "not_found" || !ce.Permanent {
		t.Fatalf("gone: %+v", ce)
	}
	_, err = a.Fetch(ctx, creds, "file:///etc/passwd")
	if ce := chErr(t, err); !ce.Permanent {
		t.Fatalf("not a URL: %+v", ce)
	}
}

func TestProfile(t *testing.T) {
	t.Parallel()
	_, a := setup(t)
	p, avatar, err := a.Profile(context.Background(), creds, "u1==")
	if err != nil || p.Name != "Olena" || p.Variables["language"] != "uk" || p.AvatarURL != "" || avatar != "http://127.0.0.1:1/avatar.jpg" {
		t.Fatalf("profile %+v %q %v", p, avatar, err)
	}
	_, _, err = a.Profile(context.Background(), creds, "nobody==")
	if ce := chErr(t, err); ce.Reason != "chat_not_found" {
		t.Fatalf("unknown: %+v", ce)
	}
}
