package smtpfake

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// parse decodes a message's subject and its text/plain and text/html
// parts (the first of each, in nested multiparts too).
func parse(data []byte) (subject, text, html string, err error) {
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return "", "", "", err
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return "", "", "", fmt.Errorf("subject: %w", err)
	}
	parts := map[string]string{}
	if err := walk(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body, parts); err != nil {
		return subject, "", "", err
	}
	return subject, parts["text/plain"], parts["text/html"], nil
}

// walk decodes one MIME entity into parts, by media type.
func walk(contentType, encoding string, body io.Reader, parts map[string]string) error {
	if contentType == "" {
		contentType = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type: %w", err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextPart() // decodes quoted-printable itself
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, parts); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(encoding) {
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, &crlfStripper{r: body})
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("%s: %w", mt, err)
	}
	if _, seen := parts[mt]; !seen {
		parts[mt] = string(b)
	}
	return nil
}

// crlfStripper drops line breaks, which base64 bodies are wrapped with.
type crlfStripper struct{ r io.Reader }

func (c *crlfStripper) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	out := p[:0]
	for _, b := range p[:n] {
		if b != '\r' && b != '\n' {
			out = append(out, b)
		}
	}
	return len(out), err
}
