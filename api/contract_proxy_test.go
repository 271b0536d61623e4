package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// contractProxy is a loopback proxy in front of a test server. Every
// request that passes is checked against openapi.yaml (an operation the
// spec has, parameters and body as it describes them) and so is every
// answer (a documented status and body); each operation called is
// recorded with its statuses. Generated clients talk to the proxy, so a
// client cannot send or accept anything the contract does not say.
type contractProxy struct {
	t     testing.TB
	URL   string
	mu    sync.Mutex
	calls map[string][]int // operationId -> statuses
}

func newContractProxy(t testing.TB, target string) *contractProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &contractProxy{t: t, calls: map[string][]int{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.Transport = p
	rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		t.Errorf("proxy: %s %s: %v", r.Method, r.URL.Path, err)
		w.WriteHeader(http.StatusBadGateway)
	}
	hs := httptest.NewServer(rp)
	t.Cleanup(hs.Close)
	p.URL = hs.URL
	return p
}

// RoundTrip checks the request, forwards it, checks the answer and records the call.
func (p *contractProxy) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
	}
	_, router := spec(p.t)
	asSpec := req.Clone(context.Background())
	u := *req.URL
	u.Scheme, u.Host = "http", "localhost:8080"
	asSpec.URL, asSpec.Host = &u, u.Host
	asSpec.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := router.FindRoute(asSpec)
	if err != nil {
		p.t.Errorf("%s %s: no operation in openapi.yaml: %v", req.Method, req.URL.Path, err)
	} else {
		in := &openapi3filter.RequestValidationInput{Request: asSpec, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			p.t.Errorf("%s %s: the client's request does not match openapi.yaml: %v\nbody: %.2000s", req.Method, req.URL.Path, err, body)
		}
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resBody, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(resBody))
	plain := resBody
	if res.Header.Get("Content-Encoding") == "gzip" {
		// The client asked for gzip and gets it; the check reads the JSON.
		zr, err := gzip.NewReader(bytes.NewReader(resBody))
		if err == nil {
			plain, err = io.ReadAll(zr)
		}
		if err != nil {
			p.t.Errorf("%s %s: bad gzip answer: %v", req.Method, req.URL.Path, err)
		}
	}
	checkAgainstSpec(p.t, req, res, plain)
	if route != nil {
		p.mu.Lock()
		p.calls[route.Operation.OperationID] = append(p.calls[route.Operation.OperationID], res.StatusCode)
		p.mu.Unlock()
	}
	return res, nil
}

// wantEveryOperation fails for each operation of openapi.yaml that no
// request reached.
func (p *contractProxy) wantEveryOperation(t testing.TB) {
	t.Helper()
	doc, _ := spec(t)
	p.mu.Lock()
	defer p.mu.Unlock()
	var missing []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if len(p.calls[op.OperationID]) == 0 {
				missing = append(missing, op.OperationID+" ("+method+" "+path+")")
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("operation never called: %s", m)
	}
	if len(p.calls) < 80 {
		t.Errorf("only %d operations called", len(p.calls))
	}
}
