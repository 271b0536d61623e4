package viber

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"

	"github.com/switchboardhq/switchboard/channels"
	"github.com/switchboardhq/switchboard/models"
)

var errTooLarge = &channels.Error{Reason: "too_large", Permanent: true,
	Description: "the file is larger than " + strconv.Itoa(models.MaxFileSize>>20) + " MB"}

// Fetch downloads an inbound file by its media URL (the attachment's
// Ref). A file announced or found larger than models.MaxFileSize is a
// permanent too_large error (the body errors with it past the bound when
// no length was announced); a gone URL is a permanent not_found; a 5xx or
// a network failure is unavailable (retried). Name comes from
// Content-Disposition or the URL's path, MimeType from Content-Type.
func (a *Adapter) Fetch(ctx context.Context, _ map[string]string, ref string) (*channels.Download, error) {
	u, err := url.Parse(ref)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, &channels.Error{Reason: "bad_request", Description: "not a media URL", Permanent: true}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ref, nil)
	if err != nil {
		return nil, &channels.Error{Reason: "bad_request", Description: "not a media URL", Permanent: true}
	}
	hc := a.Files
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, err
		}
		return nil, &channels.Error{Reason: "unavailable", Description: "the media could not be fetched"}
	}
	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		resp.Body.Close()
		return nil, &channels.Error{Reason: "unavailable", Description: "media: " + http.StatusText(resp.StatusCode)}
	default:
		resp.Body.Close()
		return nil, &channels.Error{Reason: "not_found", Description: "media: " + http.StatusText(resp.StatusCode), Permanent: true}
	}
	if resp.ContentLength > models.MaxFileSize {
		resp.Body.Close()
		return nil, errTooLarge
	}
	d := &channels.Download{Body: &bounded{rc: resp.Body, left: models.MaxFileSize}, Size: resp.ContentLength,
		MimeType: resp.Header.Get("Content-Type"), Name: path.Base(u.Path)}
	if mt, _, err := mime.ParseMediaType(d.MimeType); err == nil {
		d.MimeType = mt
	}
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil && params["filename"] != "" {
		d.Name = path.Base(params["filename"])
	}
	if d.Name == "/" || d.Name == "." {
		d.Name = ""
	}
	return d, nil
}

// bounded reads at most left bytes; one more is errTooLarge.
type bounded struct {
	rc   io.ReadCloser
	left int64
}

func (b *bounded) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n - 1, errTooLarge
	}
	return n, err
}

func (b *bounded) Close() error { return b.rc.Close() }

// Profile returns what get_user_details says of a subscriber (name,
// language and country) and the avatar's URL as the reference to Fetch.
// Viber allows this call twice per user every 12 hours: call it when a
// subscriber is new, not on every message.
func (a *Adapter) Profile(ctx context.Context, creds map[string]string, chatID string) (models.SubscriberProfile, string, error) {
	t, err := token(creds)
	if err != nil {
		return models.SubscriberProfile{}, "", err
	}
	u, err := a.Client.UserDetails(ctx, t, chatID)
	if err != nil {
		return models.SubscriberProfile{}, "", classify(err)
	}
	s := subscriber(u)
	return s.SubscriberProfile, u.Avatar, nil
}
