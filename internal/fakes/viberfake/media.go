package viberfake

import (
	"io"
	"net/http"
	"strconv"
)

type media struct {
	name, mime string
	size       int64
	// noLength serves the bytes without a Content-Length (chunked).
	noLength bool
}

// Media describes a file the fake serves for a media callback.
type Media struct {
	Name     string
	MimeType string
	Size     int64
	// NoLength serves it without Content-Length, as a stream.
	NoLength bool
}

// AddMedia serves a file of m.Size bytes and returns its URL (the media
// URL a callback carries).
func (f *Fake) AddMedia(m Media) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := strconv.Itoa(len(f.media) + 1)
	f.media[id] = &media{name: m.Name, mime: m.MimeType, size: m.Size, noLength: m.NoLength}
	return f.srv.URL + "/media/" + id
}

// MediaByte is the byte at offset i of every served file.
func MediaByte(i int64) byte { return byte('a' + i%26) }

// block holds the pattern, long enough to fill a read from any phase.
var block = func() []byte {
	b := make([]byte, 26+32<<10)
	for i := range b {
		b[i] = MediaByte(int64(i))
	}
	return b
}()

type pattern struct{ off, n int64 }

func (p *pattern) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	k := int64(len(b))
	if rest := p.n - p.off; k > rest {
		k = rest
	}
	for i := int64(0); i < k; {
		i += int64(copy(b[i:k], block[(p.off+i)%26:]))
	}
	p.off += k
	return int(k), nil
}

func (f *Fake) serveMedia(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	m := f.media[r.PathValue("id")]
	f.mu.Unlock()
	if m == nil {
		http.NotFound(w, r)
		return
	}
	if m.mime != "" {
		w.Header().Set("Content-Type", m.mime)
	}
	if !m.noLength {
		w.Header().Set("Content-Length", strconv.FormatInt(m.size, 10))
	}
	w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w, &pattern{n: m.size})
}
