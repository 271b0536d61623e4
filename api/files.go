package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/switchboardhq/switchboard/models"
)

// uploadOverhead is what multipart framing may add to a file's bytes.
const uploadOverhead = 64 << 10

func (s *Server) uploadFile(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || mt != "multipart/form-data" {
		return models.Errorf(models.CodeUnsupported, "upload the file as multipart/form-data, in a part named file")
	}
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return models.Invalid("malformed multipart body", models.FieldError{Field: "file", Message: "is required"})
	}
	for {
		part, err := mr.NextPart()
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return tooLarge(mbe.Limit)
		case errors.Is(err, io.EOF):
			return models.Invalid("no file in the upload", models.FieldError{Field: "file", Message: "is required"})
		case err != nil:
			return models.Invalid("malformed multipart body", models.FieldError{Field: "file", Message: "could not be read"})
		}
		if part.FormName() != "file" {
			continue
		}
		if !utf8.ValidString(part.FileName()) {
			return models.Invalid("bad file name", models.FieldError{Field: "file", Message: "needs a file name in valid UTF-8"})
		}
		f, err := s.inbox.Upload(c.Request().Context(), principal(c), id, part.FileName(), part)
		if errors.As(err, &mbe) {
			return tooLarge(mbe.Limit)
		}
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, f)
	}
}

func (s *Server) downloadFile(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.inbox.Download(c.Request().Context(), principal(c), id, func(f *models.File) io.Writer {
		h := c.Response().Header()
		h.Set(echo.HeaderContentType, f.MimeType)
		h.Set(echo.HeaderContentDisposition, "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
		h.Set(echo.HeaderContentLength, strconv.FormatInt(f.Size, 10))
		c.Response().WriteHeader(http.StatusOK)
		return c.Response()
	})
}
