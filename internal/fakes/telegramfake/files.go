package telegramfake

import (
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxDownload is the largest file getFile lets a bot download (20 MB).
const maxDownload = 20 << 20

// FileSpec describes a file the fake serves: Data, or else Size bytes of
// a fixed pattern (see Pattern) so that big files cost no memory.
type FileSpec struct {
	Name     string
	MimeType string
	Data     []byte
	Size     int64
	// HideSize leaves file_size out of messages and getFile, as Telegram
	// may.
	HideSize bool
	// Chunked serves the download without a Content-Length.
	Chunked bool
}

// StoredFile is a file the fake serves: getFile answers FilePath for
// FileID, downloadable at /file/bot<token>/<FilePath>.
type StoredFile struct {
	FileID       string
	FileUniqueID string
	FilePath     string
	Size         int64
}

type storedFile struct {
	StoredFile
	spec FileSpec
}

// size is the file's length.
func (f FileSpec) size() int64 {
	if f.Data != nil {
		return int64(len(f.Data))
	}
	return f.Size
}

// announced is the file_size to show (0: left out).
func (f FileSpec) announced() int64 {
	if f.HideSize {
		return 0
	}
	return f.size()
}

// AddFile stores a file as if a user had sent it, under folder (such as
// "photos" or "documents"), and returns its ids.
func (s *Server) AddFile(folder string, f FileSpec) StoredFile {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addFile(folder, f)
}

// addFile stores f; s.mu is held.
func (s *Server) addFile(folder string, f FileSpec) StoredFile {
	s.nextFile++
	n := strconv.FormatInt(s.nextFile, 10)
	ext := ""
	if i := strings.LastIndexByte(f.Name, '.'); i >= 0 {
		ext = f.Name[i:]
	}
	sf := StoredFile{FileID: "BQACAgIAAxkBAAI" + strconv.FormatInt(s.bot.ID, 36) + "x" + n, FileUniqueID: "AgAD" + n,
		FilePath: folder + "/file_" + n + ext, Size: f.size()}
	s.files[sf.FileID] = &storedFile{StoredFile: sf, spec: f}
	return sf
}

// Pattern is the content of a FileSpec with Size and no Data: byte i is
// byte(i % 251).
func Pattern(size int64) io.Reader { return io.LimitReader(&patternReader{}, size) }

type patternReader struct{ off int64 }

// patternBlock holds the pattern from any offset for 32 KB.
var patternBlock = func() []byte {
	b := make([]byte, 251+32<<10)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}()

func (p *patternReader) Read(b []byte) (int, error) {
	start := int(p.off % 251)
	n := copy(b, patternBlock[start:])
	p.off += int64(n)
	return n, nil
}

func getFile(s *Server, _ *http.Request, p params) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[p.str("file_id")]
	switch {
	case f == nil:
		return nil, badRequest("invalid file_id")
	case f.Size > maxDownload:
		return nil, badRequest("file is too big")
	}
	return File{FileID: f.FileID, FileUniqueID: f.FileUniqueID, FileSize: f.spec.announced(), FilePath: f.FilePath}, nil
}

// download serves a file by its path.
func (s *Server) download(w http.ResponseWriter, r *http.Request, path string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeError(w, &apiError{status: http.StatusMethodNotAllowed, description: "Method Not Allowed"})
		return
	}
	s.mu.Lock()
	var f *storedFile
	for _, x := range s.files {
		if x.FilePath == path && x.Size <= maxDownload {
			f = x
		}
	}
	s.mu.Unlock()
	if f == nil {
		writeError(w, &apiError{status: http.StatusNotFound, description: "Not Found"})
		return
	}
	body := io.Reader(Pattern(f.Size))
	if f.spec.Data != nil {
		body = strings.NewReader(string(f.spec.Data))
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	if !f.spec.Chunked {
		w.Header().Set("Content-Length", strconv.FormatInt(f.Size, 10))
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = io.Copy(w, body) // a client that stops reading ends the copy
	}
}
