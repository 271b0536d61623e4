package inbox

import (
	"bufio"
	"context"
	"io"
	"path/filepath"
	"strings"

	"github.com/gabriel-vasile/mimetype"
	"github.com/switchboardhq/switchboard/models"
)

// executableExts are refused whatever the content: files the receiving
// device could run.
var executableExts = map[string]bool{
	".exe": true, ".dll": true, ".com": true, ".bat": true, ".cmd": true, ".msi": true, ".msp": true,
	".scr": true, ".pif": true, ".cpl": true, ".vbs": true, ".vbe": true, ".js": true, ".jse": true,
	".wsf": true, ".wsh": true, ".ps1": true, ".psm1": true, ".sh": true, ".bash": true, ".run": true,
	".bin": true, ".elf": true, ".app": true, ".command": true, ".jar": true, ".apk": true, ".ipa": true,
	".dmg": true, ".pkg": true, ".deb": true, ".rpm": true, ".appimage": true, ".hta": true, ".reg": true,
	".lnk": true, ".gadget": true, ".msix": true, ".appx": true, ".xbap": true,
}

// executableTypes are refused by content, whatever the file is called.
var executableTypes = []string{
	"application/vnd.microsoft.portable-executable", "application/x-msdownload", "application/x-dosexec",
	"application/x-elf", "application/x-executable", "application/x-sharedlib", "application/x-mach-binary",
	"application/java-archive", "application/jar", "application/vnd.android.package-archive",
	"application/x-msi", "application/x-ms-installer", "text/x-shellscript", "application/x-sh",
	"application/x-apple-diskimage",
}

// Screen reads the start of a file and returns its media type, refusing
// executables by extension and by content.
func Screen(name string, head []byte) (string, error) {
	field := models.FieldError{Field: "file", Message: "executables are not allowed"}
	if executableExts[strings.ToLower(filepath.Ext(name))] {
		return "", models.Invalid("executable files cannot be sent", field)
	}
	mt := mimetype.Detect(head)
	for m := mt; m != nil; m = m.Parent() {
		for _, bad := range executableTypes {
			if m.Is(bad) {
				return "", models.Invalid("executable files cannot be sent (found "+mt.String()+" inside)", field)
			}
		}
	}
	if len(head) >= 2 && head[0] == '#' && head[1] == '!' {
		return "", models.Invalid("executable files cannot be sent (a script)", field)
	}
	return mt.String(), nil
}

// maxFileNameBytes bounds a stored file name (in bytes of UTF-8).
const maxFileNameBytes = 255

// Upload stores an attachment for a chat (admins and employees), up to
// 20 MB; executables are refused before anything is stored. The name is
// stored as CleanFileName makes it, and must then be at most 255 bytes.
func (s *Service) Upload(ctx context.Context, p models.Principal, convID, name string, r io.Reader) (*models.File, error) {
	if err := requireAgent(p, "send files"); err != nil {
		return nil, err
	}
	if _, err := s.conversation(ctx, p, convID); err != nil {
		return nil, err
	}
	name = CleanFileName(name)
	if len(name) > maxFileNameBytes {
		return nil, models.Invalid("file name too long", models.FieldError{Field: "file", Message: "needs a file name of at most 255 bytes"})
	}
	br := bufio.NewReaderSize(r, 3072)
	head, err := br.Peek(3072)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, models.Invalid("the upload could not be read", models.FieldError{Field: "file", Message: err.Error()})
	}
	if len(head) == 0 {
		return nil, models.Invalid("empty file", models.FieldError{Field: "file", Message: "is empty"})
	}
	mt, err := Screen(name, head)
	if err != nil {
		return nil, err
	}
	f := &models.File{ID: models.NewID(), WS: p.WS, Name: name, MimeType: mt, UploadedBy: p.MemberID, ConversationID: convID}
	if err := s.st.Files.SaveFile(ctx, f, br, models.MaxFileSize); err != nil {
		return nil, err
	}
	return f, nil
}

// Download streams a file of a chat the caller may see.
func (s *Service) Download(ctx context.Context, p models.Principal, id string, w func(*models.File) io.Writer) error {
	f, err := s.st.Files.FileRecord(ctx, p.WS, id)
	if err != nil {
		return err
	}
	if _, err := s.conversation(ctx, p, f.ConversationID); err != nil {
		return models.NotFound("file")
	}
	return s.st.Files.OpenFile(ctx, p.WS, id, w(f))
}
