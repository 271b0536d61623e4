package channels

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/switchboardhq/switchboard/models"
)

// MediaURLTTL is how long a signed file URL given to a messenger works.
const MediaURLTTL = time.Hour

// MediaURL is a signed URL of file id of ws, valid until exp, under the
// public URL: the messengers that fetch files themselves (Viber) get it,
// and nothing else can read the file through it.
func (s *Service) MediaURL(ws, id string, exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	return s.hooks + "/v1/media/" + url.PathEscape(ws) + "/" + url.PathEscape(id) + "?exp=" + e + "&sig=" + s.mediaSig(ws, id, e)
}

func (s *Service) mediaSig(ws, id, exp string) string {
	mac := hmac.New(sha256.New, s.cfg.MediaKey)
	mac.Write([]byte(ws + "\x00" + id + "\x00" + exp))
	return hex.EncodeToString(mac.Sum(nil))
}

// Media streams the file a signed URL names into w (after calling head
// with its record); a bad or expired signature is not found, as is a
// file that is gone.
func (s *Service) Media(ctx context.Context, ws, id, exp, sig string, w func(*models.File) io.Writer) error {
	e, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || len(s.cfg.MediaKey) == 0 || !hmac.Equal([]byte(sig), []byte(s.mediaSig(ws, id, exp))) || s.now().Unix() > e {
		return models.NotFound("file")
	}
	f, err := s.st.Files.FileRecord(ctx, ws, id)
	if err != nil {
		return err
	}
	return s.st.Files.OpenFile(ctx, ws, id, w(f))
}
