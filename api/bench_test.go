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
// (many concurrent clients) with a baseline made in the same run: the same
// service and store calls made directly, without HTTP. They report
// requests per second and database commands per operation.
//
//	go test -run '^$' -bench . -benchtime 3s ./api/

func benchEnv(b *testing.B, params auth.PasswordParams) *env {
	return newEnv(b, func(c *authConfig, _ *apiOptions) {
		c.Password = params
		c.LoginAttempts = 1 << 30 // the limiter is not what is measured
	})
}

func report(b *testing.B, e *env, start int64) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(float64(e.db.Commands()-start)/float64(b.N), "db-cmds/op")
}

func httpClient(e *env) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256
	return &http.Client{Transport: tr}
}

func benchLogin(b *testing.B, params auth.PasswordParams, email, password string, want int) {
	e := benchEnv(b, params)
	if _, _, err := e.auth.CreateAdmin(context.Background(), "bench@example.com", "bench-password", "Bench"); err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"email":"` + email + `","password":"` + password + `"}`)
	b.Run("http", func(b *testing.B) {
		client := httpClient(e)
		b.SetParallelism(8)
		start := e.db.Commands()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				res, err := client.Post(e.http.URL+"/v1/auth/login", "application/json", bytes.NewReader(body))
				if err != nil {
					b.Error(err)
					return
				}
				res.Body.Close()
				if res.StatusCode != want {
					b.Errorf("status %d", res.StatusCode)
					return
				}
			}
		})
		report(b, e, start)
	})
	b.Run("direct", func(b *testing.B) {
		b.SetParallelism(8)
		start := e.db.Commands()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_, _ = e.auth.Login(context.Background(), email, password, "127.0.0.1", "bench")
			}
		})
		report(b, e, start)
	})
}

// BenchmarkLogin uses the production password cost (argon2id 19 MiB, 2 passes).
func BenchmarkLogin(b *testing.B) {
	benchLogin(b, auth.DefaultPasswordParams, "bench@example.com", "bench-password", http.StatusOK)
}

// BenchmarkLoginWrongPassword and BenchmarkLoginUnknownEmail show that an
// unknown email costs what a wrong password does: both answer 401 after one
// database read and one argon2id comparison.
func BenchmarkLoginWrongPassword(b *testing.B) {
	benchLogin(b, auth.DefaultPasswordParams, "bench@example.com", "wrong-password", http.StatusUnauthorized)
}

func BenchmarkLoginUnknownEmail(b *testing.B) {
	benchLogin(b, auth.DefaultPasswordParams, "nobody@example.com", "bench-password", http.StatusUnauthorized)
}

func BenchmarkMe(b *testing.B) {
	e := benchEnv(b, fastPasswords)
	tk := e.admin("bench@example.com")
	b.Run("http", func(b *testing.B) {
		client := httpClient(e)
		b.SetParallelism(8)
		start := e.db.Commands()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			req, _ := http.NewRequest("GET", e.http.URL+"/v1/me", nil)
			req.Header.Set("Authorization", "Bearer "+tk.AccessToken)
			for pb.Next() {
				res, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				res.Body.Close()
				if res.StatusCode != 200 {
					b.Errorf("status %d", res.StatusCode)
					return
				}
			}
		})
		report(b, e, start)
	})
	b.Run("direct", func(b *testing.B) {
		b.SetParallelism(8)
		start := e.db.Commands()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			for pb.Next() {
				p, _, err := e.auth.Authenticate(ctx, tk.AccessToken)
				if err != nil {
					b.Error(err)
					return
				}
				if _, err := e.auth.Workspace(ctx, p); err != nil {
					b.Error(err)
					return
				}
			}
		})
		report(b, e, start)
	})
}

// BenchmarkUpdateMember measures a change-feed write (PATCH /v1/members/{id})
// against the same store update made directly: the feed's reservation and
// release are part of both.
func BenchmarkUpdateMember(b *testing.B) {
	e := benchEnv(b, fastPasswords)
	tk := e.admin("bench@example.com")
	emp := e.member(tk.AccessToken, "emp@example.com", "employee")
	b.Run("http", func(b *testing.B) {
		client := httpClient(e)
		b.SetParallelism(8)
		start := e.db.Commands()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				req, _ := http.NewRequest("PATCH", e.http.URL+"/v1/members/"+emp.Member.ID, bytes.NewReader([]byte(`{"name":"Renamed"}`)))
				req.Header.Set("Authorization", "Bearer "+tk.AccessToken)
				req.Header.Set("Content-Type", "application/json")
				res, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				res.Body.Close()
				if res.StatusCode != 200 {
					b.Errorf("status %d", res.StatusCode)
					return
				}
			}
		})
		report(b, e, start)
	})
	b.Run("direct", func(b *testing.B) {
		b.SetParallelism(8)
		start := e.db.Commands()
		name := "Renamed"
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := e.db.UpdateMember(context.Background(), tk.Workspace.ID, emp.Member.ID, models.MemberUpdate{Name: &name}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		report(b, e, start)
	})
}
