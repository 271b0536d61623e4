package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// MaxDownload is the largest file the Bot API lets a bot download: 20 MB.
const MaxDownload = 20 << 20

// GetFile prepares file fileID for download: its answer's FilePath names
// it for Download. Telegram refuses files over 20 MB (400 "file is too big").
func (c *Client) GetFile(ctx context.Context, fileID string) (*File, error) {
	var f File
	if err := c.call(ctx, "getFile", getFileParams{FileID: fileID}, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// TooLargeError is a download that held more than its bound.
type TooLargeError struct {
	// Max is the bound.
	Max int64
}

// Error says the file is over the bound.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("telegram: the file is larger than %d bytes", e.Max)
}

// Download opens the file at filePath (from GetFile) under the base URL's
// /file/bot<token>/. The body reads at most max+1 bytes from the network:
// reading past max bytes fails with a *TooLargeError. Closing the body
// ends the download; ctx bounds it all along.
func (c *Client) Download(ctx context.Context, filePath string, max int64) (io.ReadCloser, error) {
	if filePath == "" || strings.Contains(filePath, "..") {
		return nil, errors.New("telegram: invalid file path")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/file/bot"+c.token+"/"+strings.TrimLeft(filePath, "/"), nil)
	if err != nil {
		return nil, &NetworkError{Method: "download", err: errors.New(c.scrub(err.Error())), msg: c.scrub(err.Error())}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.networkError("download", err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if err != nil {
			return nil, c.networkError("download", err)
		}
		_, apiErr := c.decode(resp, data)
		if apiErr == nil { // a 200 envelope on a non-200 status
			apiErr = &APIError{Code: resp.StatusCode, Description: "HTTP " + resp.Status}
		}
		return nil, apiErr
	}
	if resp.ContentLength > max {
		resp.Body.Close()
		return nil, &TooLargeError{Max: max}
	}
	return &boundedBody{c: c, body: resp.Body, left: max, max: max}, nil
}

// boundedBody fails a read past its bound, having read one byte more at
// most; network errors come without the token.
type boundedBody struct {
	c    *Client
	body io.ReadCloser
	left int64
	max  int64
	over bool // a byte past the bound was read
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.over {
		return 0, &TooLargeError{Max: b.max}
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.body.Read(p)
	if int64(n) > b.left {
		n, b.left, b.over = int(b.left), 0, true
		return n, nil
	}
	b.left -= int64(n)
	if err != nil && err != io.EOF {
		err = b.c.networkError("download", err)
	}
	return n, err
}

func (b *boundedBody) Close() error { return b.body.Close() }

// getFileParams are getFile's parameters.
type getFileParams struct {
	FileID string `json:"file_id"`
}
