package api_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/switchboardhq/switchboard/auth"
	"github.com/switchboardhq/switchboard/models"
)

// The benchmarks compare each endpoint served over a loopback listener
// (16 concurrent clients on 2 cores) with a baseline made in the same run:
// the same service and store calls made directly, without HTTP. They
// report requests per second and database commands per operation.
//
//	go test -run '^$' -bench . -benchtime 3s ./api/

func benchEnv(b *testing.B, params auth.PasswordParams) *env {
	return newEnv(b, func(c *authConfig, _ *apiOptions) {
		c.Password = params
		c.LoginAttempts = 1 << 30 // the limiter is not what is measured
	})
}

// benchHTTP sends the request newReq makes from many goroutines and checks
// every answer has status want.
func benchHTTP(b *testing.B, e *env, want int, newReq func() *http.Request) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256
	client := &http.Client{Transport: tr}
	parallel(b, e, func() error {
		res, err := client.Do(newReq())
		if err != nil {
			return err
		}
		res.Body.Close()
		if res.StatusCode != want {
			b.Errorf("status %d, want %d", res.StatusCode, want)
		}
		return nil
	})
}

// parallel runs op from 8 goroutines per CPU and reports req/s and db-cmds/op.
func parallel(b *testing.B, e *env, op func() error) {
	b.SetParallelism(8)
	start := e.db.Commands()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := op(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(float64(e.db.Commands()-start)/float64(b.N), "db-cmds/op")
}

func jsonRequest(method, url, token, body string) *http.Request {
	req, _ := http.NewRequest(method, url, bytes.NewReader([]byte(body)))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

func benchLogin(b *testing.B, email, password string, want int) {
	e := benchEnv(b, auth.DefaultPasswordParams)
	if _, _, err := e.auth.CreateAdmin(context.Background(), "bench@example.com", "bench-password", "Bench"); err != nil {
		b.Fatal(err)
	}
	body := `{"email":"` + email + `","password":"` + password + `"}`
	b.Run("http", func(b *testing.B) {
		benchHTTP(b, e, want, func() *http.Request { return jsonRequest("POST", e.http.URL+"/v1/auth/login", "", body) })
	})
	b.Run("direct", func(b *testing.B) {
		parallel(b, e, func() error {
			_, err := e.auth.Login(context.Background(), auth.LoginAttempt{Email: email, Password: password, ClientAddr: "127.0.0.1", UserAgent: "bench"})
			if want == http.StatusOK {
				return err
			}
			return nil
		})
	})
}

// BenchmarkLogin uses the production password cost (argon2id 19 MiB, 2 passes).
func BenchmarkLogin(b *testing.B) {
	benchLogin(b, "bench@example.com", "bench-password", http.StatusOK)
}

// BenchmarkLoginWrongPassword and BenchmarkLoginUnknownEmail show that an
// unknown email costs what a wrong password does: both answer 401 after one
// database read and one argon2id comparison.
func BenchmarkLoginWrongPassword(b *testing.B) {
	benchLogin(b, "bench@example.com", "wrong-password", http.StatusUnauthorized)
}

func BenchmarkLoginUnknownEmail(b *testing.B) {
	benchLogin(b, "nobody@example.com", "bench-password", http.StatusUnauthorized)
}

func BenchmarkMe(b *testing.B) {
	e := benchEnv(b, fastPasswords)
	tk := e.admin("bench@example.com")
	b.Run("http", func(b *testing.B) {
		benchHTTP(b, e, http.StatusOK, func() *http.Request { return jsonRequest("GET", e.http.URL+"/v1/me", tk.AccessToken, "") })
	})
	b.Run("direct", func(b *testing.B) {
		ctx := context.Background()
		parallel(b, e, func() error {
			p, _, err := e.auth.Authenticate(ctx, tk.AccessToken)
			if err != nil {
				return err
			}
			_, err = e.auth.Workspace(ctx, p)
			return err
		})
	})
}

// BenchmarkUpdateMember measures a change-feed write (PATCH /v1/members/{id})
// against the same store update made directly: the feed's reservation and
// completion are part of both.
func BenchmarkUpdateMember(b *testing.B) {
	e := benchEnv(b, fastPasswords)
	tk := e.admin("bench@example.com")
	emp := e.member(tk.AccessToken, "emp@example.com", models.RoleEmployee)
	url := e.http.URL + "/v1/members/" + emp.Member.ID
	b.Run("http", func(b *testing.B) {
		benchHTTP(b, e, http.StatusOK, func() *http.Request { return jsonRequest("PATCH", url, tk.AccessToken, `{"name":"Renamed"}`) })
	})
	b.Run("direct", func(b *testing.B) {
		name := "Renamed"
		parallel(b, e, func() error {
			_, err := e.db.UpdateMember(context.Background(), tk.Workspace.ID, emp.Member.ID, models.MemberUpdate{Name: &name})
			return err
		})
	})
}
