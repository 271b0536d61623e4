package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/internal/fakes/viberfake"
)

// tsClientDir holds the TypeScript client: package.json pins
// openapi-typescript, openapi-fetch and typescript, package-lock.json
// their whole tree.
var tsClientDir = filepath.Join("..", "clients", "ts")

// needTool finds a program the TypeScript contract test needs. Without it
// the test is skipped on a developer's machine, but fails in CI (CI=true),
// where a missing Node must not pass unnoticed.
func needTool(t *testing.T, name, hint string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found; the TypeScript contract test needs it (%s)", name, hint)
	}
	t.Skipf("%s not found (%s); CI=true makes this a failure", name, hint)
	return ""
}

// TestContractTypeScriptClient generates the TypeScript client from
// openapi.yaml (openapi-typescript), compiles clients/ts/src/contract.ts
// against it with tsc, and runs it on Node: it calls every operation
// through openapi-fetch against a real server behind the proxy that checks
// each request and answer against the spec. Once the script has created
// its native bots, the test prepares on the fakes what the messenger
// operations need (a webhook secret, a failed update, a failed reply, a
// signed media URL) and hands it over on the script's stdin.
func TestContractTypeScriptClient(t *testing.T) {
	node := needTool(t, "node", "Node 20 or later")
	npm := needTool(t, "npm", "comes with Node")
	if _, err := os.Stat(filepath.Join(tsClientDir, "node_modules", ".package-lock.json")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("clients/ts has no node_modules: run `npm ci --prefix clients/ts` first (%v)", err)
		}
		t.Skip("clients/ts has no node_modules: run `npm ci --prefix clients/ts`")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, npm, "run", "--silent", "build")
	build.Dir = tsClientDir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("generating and compiling the TypeScript client failed: %v\n%s", err, out)
	}

	te := newContractEnv(t)
	proxy := newContractProxy(t, te.http.URL)
	// The workspace's owner, with one alert already made: a chat opened
	// while their Telegram chat was linked.
	owner := te.admin("ts-owner@example.com")
	te.link(owner.AccessToken, 777, telegramfake.User{ID: 777, FirstName: "Owner"})
	bot := te.bot(owner.AccessToken, map[string]any{"channel": "telegram", "name": "Seed"})
	r := te.call("POST", "/v1/api-keys", owner.AccessToken, map[string]string{"name": "seed"})
	var key struct{ Secret string }
	r.JSON(t, &key)
	te.event(key.Secret, bot.ID, openChat("seed-1", "seed-sub"))
	te.step()
	if len(te.alerts(owner.AccessToken, "")) == 0 {
		t.Fatal("no alert seeded")
	}

	run := exec.CommandContext(ctx, node, filepath.Join("dist", "src", "contract.js"))
	run.Dir = tsClientDir
	run.Env = append(os.Environ(),
		"SB_BASE_URL="+proxy.URL,
		"SB_ADMIN_EMAIL=ts-owner@example.com",
		"SB_ADMIN_PASSWORD=admin-password",
		"SB_TELEGRAM_SECRET=webhook-secret",
		"SB_VAPID_KEY="+contractVAPIDKey,
		"SB_TELEGRAM_TOKEN="+nativeToken,
		"SB_VIBER_TOKEN="+viberfake.Token,
	)
	out := runContractScript(t, run, func(native nativeBots) any {
		return te.me.tsFixtures(t, owner.AccessToken, native)
	})
	t.Logf("%s", out)
	proxy.wantEveryOperation(t)
}

// nativeBots are the native bots the TypeScript script created.
type nativeBots struct {
	Telegram, Viber string
}

// runContractScript runs the script, answers its {"native": ...} line
// with the JSON of prepare's fixtures on its stdin, and returns its whole
// output; it fails the test when the script fails.
func runContractScript(t *testing.T, run *exec.Cmd, prepare func(nativeBots) any) []byte {
	t.Helper()
	var out, errOut bytes.Buffer // stdout's lines; stderr (written by exec's copier until Wait)
	run.Stderr = &errOut
	stdin, err := run.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := run.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		out.Write(append(lines.Bytes(), '\n'))
		var line struct{ Native *nativeBots }
		if json.Unmarshal(lines.Bytes(), &line) != nil || line.Native == nil {
			continue
		}
		fx, err := json.Marshal(prepare(*line.Native))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := stdin.Write(append(fx, '\n')); err != nil {
			t.Fatalf("writing the fixtures: %v\n%s", err, out.Bytes())
		}
	}
	stdin.Close()
	if err := run.Wait(); err != nil {
		t.Fatalf("the TypeScript client failed: %v\n%s%s", err, out.Bytes(), errOut.Bytes())
	}
	return append(out.Bytes(), errOut.Bytes()...)
}
