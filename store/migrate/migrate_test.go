package migrate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"github.com/switchboardhq/switchboard/store"
	"github.com/switchboardhq/switchboard/store/sqlite"
	"github.com/switchboardhq/switchboard/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// target opens a fresh MongoDB store whose clock is clock.
func target(t *testing.T, clock *storetest.Clock) *store.DB {
	opt := storetest.Options(t)
	opt.Now = clock.Now
	return storetest.NewWith(t, opt)
}

// reader is what both stores answer, read back after a copy.
type reader interface {
	models.WorkspaceStore
	models.MemberStore
	models.SessionStore
	models.APIKeyStore
	models.ProcessedEventStore
	models.SettingStore
	models.BotStore
	models.SubscriberStore
	models.MessageStore
	models.NoteStore
	models.CRMStore
	models.FlowStore
	models.ConversationStore
	models.StatsStore
	models.DeviceStore
	models.PushStateStore
	models.SyncStore
	models.AlertStore
	models.FileStore
	models.UpdateStore
	models.JobStore
}

// jobKinds are the kinds of the durable jobs (models/job.go).
var jobKinds = []string{models.JobAlert, models.JobUpdate, models.JobSend, models.JobFetch, models.JobProfile}

// readAll reads every record fill wrote through the store interfaces,
// as text, one line per read: records or the error code.
func readAll(t *testing.T, s reader, f *filled) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	put := func(what string, v any, err error) {
		if err != nil {
			out = append(out, fmt.Sprintf("%s: error %s", what, models.ErrorCode(err)))
			return
		}
		out = append(out, fmt.Sprintf("%s: %s", what, dump(v)))
	}
	for _, ws := range f.workspaces {
		v, err := s.Workspace(ctx, ws)
		put("workspace "+ws, v, err)
		for _, id := range f.members[ws] {
			v, err := s.Member(ctx, ws, id)
			put("member "+id, v, err)
		}
		ms, next, err := s.Members(ctx, ws, models.MemberFilter{})
		put("members "+ws+" "+next, ms, err)
		inv, err := s.MemberByInvite(ctx, ws+"-invite")
		put("member by invite "+ws, inv, err)
		byEmail, err := s.MembersByEmail(ctx, ws+"-ann@example.com")
		put("members by email "+ws, byEmail, err)
		n, err := s.CountMembers(ctx, ws, models.RoleAdmin, models.MemberActive)
		put("active admins "+ws, n, err)
		pls, err := s.Pipelines(ctx, ws)
		put("pipelines "+ws, pls, err)
		deals, err := s.Deals(ctx, ws, models.DealFilter{})
		put("deals "+ws, deals, err)
		keys, err := s.APIKeys(ctx, ws)
		put("api keys "+ws, keys, err)
		bots, err := s.Bots(ctx, ws)
		put("bots "+ws, bots, err)
		for _, id := range f.bots[ws] {
			v, err := s.Bot(ctx, ws, id)
			put("bot "+id, v, err)
			flows, err := s.Flows(ctx, ws, id)
			put("flows "+id, flows, err)
			hw, err := s.SafeSeq(ctx, ws)
			put("safe seq "+ws, hw, err)
			cmds, err := s.BotCommands(ctx, ws, id, 0, hw, 100)
			put("commands "+id, cmds, err)
		}
		for _, id := range f.subscribers[ws] {
			v, err := s.Subscriber(ctx, ws, id)
			put("subscriber "+id, v, err)
			notes, err := s.Notes(ctx, ws, id)
			put("notes "+id, notes, err)
		}
		subs, next, err := s.Subscribers(ctx, ws, models.SubscriberFilter{NamePrefix: "carla"})
		put("subscribers carla "+next, subs, err)
		for _, id := range f.chats[ws] {
			v, err := s.Messages(ctx, ws, models.MessageFilter{ConversationID: id, Limit: 50})
			put("history "+id, v, err)
			c, err := s.Conversation(ctx, ws, id)
			put("chat "+id, c, err)
		}
		chats, next, err := s.Conversations(ctx, ws, models.ConversationFilter{FollowerID: ws + "-m1", Tag: "sale"})
		put("chats followed and tagged "+next, chats, err)
		tallies, err := s.ConversationTallies(ctx, ws, models.ConversationFilter{})
		put("tallies", perChat(tallies), err)
		totals, err := s.BotTotals(ctx, ws, ws+"-b1")
		put("bot totals", totals, err)
		days, err := s.BotDays(ctx, ws, ws+"-b1", "2000-01-01", "2999-01-01")
		put("bot days", days, err)
		for _, id := range f.messages[ws] {
			v, err := s.Message(ctx, ws, id)
			put("message "+id, v, err)
		}
		v2, err := s.MessageByExternalID(ctx, ws, ws+"-b1", "x1-1")
		put("message by external id", v2, err)
		for _, id := range f.notes[ws] {
			v, err := s.Note(ctx, ws, id)
			put("note "+id, v, err)
		}
		for _, id := range f.pipelines[ws] {
			v, err := s.Pipeline(ctx, ws, id)
			put("pipeline "+id, v, err)
		}
		for _, id := range f.deals[ws] {
			v, err := s.Deal(ctx, ws, id)
			put("deal "+id, v, err)
		}
		for _, id := range f.flows[ws] {
			v, err := s.Flow(ctx, ws, id)
			put("flow "+id, v, err)
		}
		got, err := s.EnsureSetting(ctx, ws+"-setting", "other")
		put("setting "+ws, got, err)
		devs, err := s.Devices(ctx, ws, nil)
		put("devices "+ws, devs, err)
		prefs, err := s.PushPrefs(ctx, ws, []string{ws + "-m1"})
		put("push prefs "+ws, prefs[ws+"-m1"], err)
		cur, err := s.PushCursor(ctx, ws)
		put("push cursor "+ws, cur, err)
		sc, err := s.SyncCursor(ctx, ws+"-cursor")
		put("sync cursor "+ws, sc, err)
		for _, id := range f.files[ws] {
			rec, err := s.FileRecord(ctx, ws, id)
			put("file "+id, rec, err)
			var b bytes.Buffer
			err = s.OpenFile(ctx, ws, id, &b)
			put(fmt.Sprintf("bytes of %s (%d)", id, b.Len()), sha256.Sum256(b.Bytes()), err)
		}
		for _, id := range f.alerts[ws] {
			a, err := s.Alert(ctx, ws, id)
			put("alert "+id, a, err)
		}
		alerts, err := s.Alerts(ctx, ws, models.AlertFilter{Limit: 10})
		put("alerts "+ws, alerts, err)
		byRef, err := s.AlertByTelegramRef(ctx, ws, ws+":42")
		put("alert by ref "+ws, byRef, err)
		for _, at := range []time.Duration{0, 11 * time.Minute} {
			due, err := s.DueAlerts(ctx, time.Now().Add(time.Hour+at), 10, nil)
			put(fmt.Sprint("due alerts at +", at), dueIn(due, f.alerts[ws]), err)
		}
		for _, bot := range f.bots[ws] {
			for _, st := range []models.UpdateState{"", models.UpdatePending, models.UpdateDone, models.UpdateFailed} {
				us, err := s.InboundUpdates(ctx, ws, models.UpdateFilter{BotID: bot, State: st})
				put(fmt.Sprintf("updates of %s (%q)", bot, st), us, err)
			}
			us, err := s.InboundUpdates(ctx, ws, models.UpdateFilter{BotID: bot, Limit: 2})
			put("two updates of "+bot, us, err)
		}
		for _, id := range f.updates[ws] {
			u, err := s.InboundUpdate(ctx, ws, id)
			put("update "+id, u, err)
			u, err = s.InboundUpdate(ctx, "other-ws", id)
			put("update of another workspace "+id, u, err)
		}
		for _, upTo := range []int64{4, 5, 9} {
			p, err := s.Pushed(ctx, ws, ws+"-m1", upTo)
			put(fmt.Sprint("pushed up to ", upTo), p, err)
		}
	}
	for i, ws := range f.workspaces {
		for _, id := range f.devices[ws] {
			v, err := s.Device(ctx, ws, id)
			put("device "+id, v, err)
		}
		v, err := s.DeviceByTelegramChat(ctx, int64(len(ws)*1000+i+1))
		put(fmt.Sprint("device by chat ", i), v, err)
	}
	for _, id := range f.sessions {
		v, err := s.Session(ctx, id)
		put("session "+id, v, err)
	}
	for _, id := range f.apiKeys {
		v, err := s.APIKey(ctx, id)
		put("api key "+id, v, err)
	}
	for _, id := range f.events {
		v, err := s.EventProcessed(ctx, id)
		put("event "+id, v, err)
	}
	ok, err := s.EventProcessed(ctx, "never")
	put("event never", ok, err)
	now := f.clock.Now()
	for _, kind := range jobKinds {
		for _, at := range []time.Duration{-time.Hour, 0, 5 * time.Minute, 2 * time.Hour} {
			due, err := s.DueJobs(ctx, kind, now.Add(at), 100)
			put(fmt.Sprintf("due %s jobs at %v", kind, at), due, err)
		}
		due, err := s.DueJobs(ctx, kind, now.Add(2*time.Hour), 1)
		put("first due "+kind+" job", due, err)
	}
	return out
}

// claimDue claims every job due now, of every kind, and lists the claims
// taken: a claim the stopped server held must not hold a job back.
func claimDue(t *testing.T, s models.JobStore, f *filled) []string {
	ctx := context.Background()
	now := f.clock.Now()
	var out []string
	for _, kind := range jobKinds {
		due, err := s.DueJobs(ctx, kind, now, 100)
		must(t, err)
		for _, j := range due {
			got, ok, err := s.ClaimJob(ctx, kind, j.ID, now, now.Add(time.Minute))
			out = append(out, fmt.Sprintf("claim %s/%s: %v %v %s", kind, j.ID, ok, models.ErrorCode(err), dump(got)))
		}
	}
	return out
}

// restart closes the source and opens it again at the clock's time, as
// the server's next start would: the claims the stopped server held end.
func restart(t *testing.T, s *sqlite.Store, clock *storetest.Clock) *sqlite.Store {
	t.Helper()
	dir := filepath.Dir(s.Path())
	must(t, s.Close())
	s, err := sqlite.Open(context.Background(), dir, sqlite.Options{Now: clock.Now, Synchronous: "NORMAL"})
	must(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// dump renders v with every field, secrets and server fields included,
// but the creation sequence, which the SQLite store's plain reads leave
// 0 and the MongoDB store keeps in the record (compared by creations).
func dump(v any) string {
	return cseqRE.ReplaceAllString(fmt.Sprintf("%+v", deref(reflect.ValueOf(v))), "CSeq:-")
}

var cseqRE = regexp.MustCompile(`CSeq:\d+`)

// creations lists, per synced table, each record's sequence and creation
// sequence as the sync reads them (models.SyncStore.Records, which fills
// the creation sequence on SQLite from the change log).
func creations(t *testing.T, s models.SyncStore, f *filled) []string {
	t.Helper()
	var out []string
	for _, ws := range f.workspaces {
		for table, ids := range map[string][]string{models.TableMembers: f.members[ws], models.TableBots: f.bots[ws],
			models.TableSubscribers: f.subscribers[ws], models.TableMessages: f.messages[ws], models.TableNotes: f.notes[ws],
			models.TablePipelines: f.pipelines[ws], models.TableDeals: f.deals[ws], models.TableConversations: f.chats[ws]} {
			recs, err := s.Records(context.Background(), ws, table, "_id", ids)
			must(t, err)
			var lines []string
			for _, r := range recs {
				st := r.(interface{ Stamps() models.Stamp }).Stamps()
				lines = append(lines, fmt.Sprintf("%s %s: seq %d cseq %d", ws, table, st.Seq, st.CSeq))
			}
			sort.Strings(lines)
			if len(lines) == 0 {
				t.Fatalf("no %s records of %s read", table, ws)
			}
			out = append(out, lines...)
		}
	}
	sort.Strings(out)
	return out
}

func deref(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return deref(v.Elem())
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = deref(v.Index(i))
		}
		return out
	}
	return v.Interface()
}

// tokens uses every refresh token on both stores: the used one is a
// conflict on both, the others succeed on both (and are used after).
func tokens(t *testing.T, s models.SessionStore, f *filled) []string {
	var out []string
	for _, h := range f.tokens {
		tok, err := s.UseRefreshToken(context.Background(), h)
		out = append(out, fmt.Sprintf("token %s: %s %+v", h, models.ErrorCode(err), tok))
	}
	return out
}

// dueIn keeps the ids of the due alerts that are among ids, sorted.
func dueIn(due []*models.Alert, ids []string) []string {
	out := []string{}
	for _, a := range due {
		for _, id := range ids {
			if a.ID == id {
				out = append(out, id)
			}
		}
	}
	sort.Strings(out)
	return out
}

// countOnce repeats each workspace's counted once-key (which changes
// nothing) and counts a new one, and reads the bot's counters.
func countOnce(t *testing.T, s models.StatsStore, f *filled) []string {
	ctx := context.Background()
	var out []string
	for _, ws := range f.workspaces {
		bot := ws + "-b1"
		d := models.StatsDelta{Received: 1, NewSubscribers: 1, Subscribers: 1}
		must(t, s.AddBotStatsOnce(ctx, ws, bot, f.onceAt, d, ws+"-once"))
		must(t, s.AddBotStatsOnce(ctx, ws, bot, f.onceAt, d, ws+"-twice"))
		totals, err := s.BotTotals(ctx, ws, bot)
		must(t, err)
		days, err := s.BotDays(ctx, ws, bot, "2000-01-01", "2999-01-01")
		must(t, err)
		out = append(out, dump(totals), dump(days))
	}
	return out
}

// linkCodes takes each workspace's link code (once: the second take fails
// on both stores).
func linkCodes(s models.PushStateStore, f *filled) []string {
	var out []string
	for _, ws := range f.workspaces {
		for range 2 {
			w, m, err := s.TakeLinkCode(context.Background(), ws+"-code", start)
			out = append(out, fmt.Sprintf("%s: %s %s %s", ws, w, m, models.ErrorCode(err)))
		}
	}
	return out
}

func compareLines(t *testing.T, what string, want, got []string) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%s: %d reads from SQLite, %d from MongoDB", what, len(want), len(got))
	}
	for i := range want {
		if want[i] != got[i] {
			t.Errorf("%s differs:\nSQLite:  %s\nMongoDB: %s", what, want[i], got[i])
		}
	}
}

// compareChanges checks that MongoDB's change log of ws after after is
// SQLite's: same sequences, tables, ids, creations, tombstones, records.
func compareChanges(t *testing.T, src *sqlite.Store, dst *store.DB, ws string, after, upTo int64) {
	t.Helper()
	ctx := context.Background()
	want, err := src.LogEntries(ctx, ws, after, upTo, 10000)
	must(t, err)
	got, err := dst.Changes(ctx, ws, after, upTo, 10000)
	must(t, err)
	if len(want) != len(got) || len(want) == 0 {
		t.Fatalf("%s changes after %d: %d in SQLite, %d in MongoDB", ws, after, len(want), len(got))
	}
	for i, w := range want {
		g := got[i]
		if g.Seq != w.Seq || g.Table != w.Table || g.ID != w.ID || g.Created != w.Created {
			t.Errorf("%s change %d: SQLite %d %s %s created=%v, MongoDB %d %s %s created=%v", ws, i, w.Seq, w.Table, w.ID, w.Created, g.Seq, g.Table, g.ID, g.Created)
			continue
		}
		if !synced[w.Table] || w.Record == nil {
			if g.Record != nil {
				t.Errorf("%s change %d (%s): MongoDB has a record, SQLite none", ws, w.Seq, w.Table)
			}
			continue
		}
		if ts, ok := g.Record.(interface{ Tombstone() bool }); !ok || ts.Tombstone() != w.Deleted {
			t.Errorf("%s change %d (%s %s): tombstone %v in SQLite, not in MongoDB", ws, w.Seq, w.Table, w.ID, w.Deleted)
		}
		rec, err := sqlite.DecodeLogRecord(w.Table, w.Record)
		must(t, err)
		want, got := logDump(rec), logDump(g.Record)
		if want != got {
			t.Errorf("%s change %d (%s %s) record differs:\nSQLite:  %s\nMongoDB: %s", ws, w.Seq, w.Table, w.ID, want, got)
		}
	}
}

// logDump renders a change's record with every field (the server's
// included) but the workspace and tombstone flag, compared apart.
func logDump(rec any) string {
	return regexp.MustCompile(`WS:\S* |Deleted:(true|false) `).ReplaceAllString(fmt.Sprintf("%+v", deref(reflect.ValueOf(rec))), "")
}

// TestCopyReadsBackTheSame copies a filled SQLite store into MongoDB and
// reads everything back through the store interfaces of both: records,
// tombstones, secrets, the change log from the start and from a mid
// point, each workspace's SafeSeq equal to its HighWater, and a write
// after the copy taking the next sequence.
func TestCopyReadsBackTheSame(t *testing.T) {
	t.Parallel()
	src, clock, f := source(t)
	dst := target(t, clock)
	ctx := context.Background()
	var progress bytes.Buffer
	rep, err := Copy(ctx, src, dst, Options{Progress: &progress, Batch: 7, Now: clock.Now})
	if err != nil {
		t.Fatalf("copy: %v\n%s", err, progress.String())
	}
	if rep.Resumed || rep.AlreadyDone || rep.Counts["messages"] != 24 || rep.Counts["seq_done"] == 0 ||
		rep.Counts["updates"] != 6 || rep.Counts["jobs"] != 12 {
		t.Errorf("report %+v", rep)
	}
	for _, line := range []string{"messages: 21 rows copied (24 in the table)", "messages: done", "verify seq_done:",
		"verify refresh_token_uses: 2 documents, source 2: ok", "verify updates: 6 documents, source 6: ok", "verify jobs: 12 documents, source 12: ok"} {
		if !strings.Contains(progress.String(), line) {
			t.Errorf("progress lacks %q:\n%s", line, progress.String())
		}
	}
	// The source as its next start reads it: the claim the stopped server
	// held on a fetch job ended, that job due at once.
	src = restart(t, src, clock)
	compareLines(t, "reads", readAll(t, src, f), readAll(t, dst, f))
	for id, raw := range f.raw {
		ws := strings.SplitN(id, "-", 2)[0]
		u, err := dst.InboundUpdate(ctx, ws, id)
		must(t, err)
		if !bytes.Equal(u.Raw, raw) {
			t.Errorf("update %s: raw %q on MongoDB, %q received", id, u.Raw, raw)
		}
	}
	compareLines(t, "claims of the due jobs", claimDue(t, src, f), claimDue(t, dst, f))
	compareLines(t, "creation sequences", creations(t, src, f), creations(t, dst, f))
	for _, ws := range f.workspaces {
		hw, err := src.HighWater(ctx, ws)
		must(t, err)
		safe, err := dst.SafeSeq(ctx, ws)
		must(t, err)
		if hw == 0 || safe != hw {
			t.Errorf("%s: SafeSeq %d on MongoDB, HighWater %d on SQLite", ws, safe, hw)
		}
		compareChanges(t, src, dst, ws, 0, hw)
		compareChanges(t, src, dst, ws, hw/2, hw)
		// The next write on MongoDB continues the sequence. Its lease is
		// timed by the store's clock and bounds the write on the real one:
		// the clock catches up with the real time the test has taken.
		if behind := time.Since(clock.Now()); behind > 0 {
			clock.Advance(behind)
		}
		n := &models.Note{ID: ws + "-after", SubscriberID: f.subscribers[ws][0], AuthorID: "m", Text: "after the move", Stamp: models.Stamp{WS: ws}}
		must(t, dst.CreateNote(ctx, ws, n))
		if n.Seq != hw+1 {
			t.Errorf("%s: the first write after the copy took sequence %d, want %d", ws, n.Seq, hw+1)
		}
		safe, err = dst.SafeSeq(ctx, ws)
		must(t, err)
		next, err := dst.Changes(ctx, ws, hw, safe, 10)
		must(t, err)
		if safe != hw+1 || len(next) != 1 || next[0].ID != n.ID || !next[0].Created {
			t.Errorf("%s: after one write SafeSeq is %d (want %d) and the changes after %d are %+v", ws, safe, hw+1, hw, next)
		}
	}
	compareLines(t, "refresh tokens", tokens(t, src, f), tokens(t, dst, f))
	compareLines(t, "link codes", linkCodes(src, f), linkCodes(dst, f))
	compareLines(t, "statistics counted once", countOnce(t, src, f), countOnce(t, dst, f))
}

// TestCopyResumesAfterAnInterruption interrupts a copy after a number of
// documents, at several points, and runs it again: it resumes, writes no
// duplicate, verifies, and the copy reads back as the source.
func TestCopyResumesAfterAnInterruption(t *testing.T) {
	t.Parallel()
	src, clock, f := source(t)
	src = restart(t, src, clock) // its reads end the claim in flight, compared with the copy's
	ctx := context.Background()
	for _, n := range []int{1, 30, 131} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dst := target(t, clock)
			_, err := Copy(ctx, src, dst, Options{Batch: 10, FailAfter: n, Now: clock.Now})
			if !errors.Is(err, ErrInjected) {
				t.Fatalf("the interrupted copy returned %v", err)
			}
			var progress bytes.Buffer
			rep, err := Copy(ctx, src, dst, Options{Batch: 10, Now: clock.Now, Progress: &progress})
			if err != nil {
				t.Fatalf("resumed copy: %v\n%s", err, progress.String())
			}
			if !rep.Resumed {
				t.Errorf("the second run did not report a resumption")
			}
			if n > 10 && !strings.Contains(progress.String(), "resuming after") {
				t.Errorf("the second run started over:\n%s", progress.String())
			}
			compareLines(t, "reads", readAll(t, src, f), readAll(t, dst, f))
			hw, err := src.HighWater(ctx, "ws1")
			must(t, err)
			compareChanges(t, src, dst, "ws1", 0, hw)
			// A third run finds the copy finished and only verifies.
			rep, err = Copy(ctx, src, dst, Options{Now: clock.Now})
			if err != nil || !rep.AlreadyDone {
				t.Errorf("third run: %+v, %v", rep, err)
			}
		})
	}
}

// TestCopyRefusesATargetWithOtherData: a database holding other data,
// or the copy of another installation, is refused before anything is
// written, with a message saying what to do.
func TestCopyRefusesATargetWithOtherData(t *testing.T) {
	t.Parallel()
	src, clock, _ := source(t)
	ctx := context.Background()

	used := target(t, clock)
	must(t, used.CreateWorkspace(ctx, &models.Workspace{ID: "their-ws", Name: "Theirs"}))
	_, err := Copy(ctx, src, used, Options{Now: clock.Now})
	if !errors.Is(err, ErrForeignTarget) || !strings.Contains(err.Error(), "workspaces (1)") || !strings.Contains(err.Error(), "empty database") {
		t.Fatalf("copy into a used database: %v", err)
	}
	if _, err := used.Member(ctx, "ws1", "ws1-m1"); models.ErrorCode(err) != models.CodeNotFound {
		t.Errorf("the refused copy wrote a member: %v", err)
	}

	copied := target(t, clock)
	if _, err := Copy(ctx, src, copied, Options{Now: clock.Now}); err != nil {
		t.Fatal(err)
	}
	other, _, _ := source(t)
	_, err = Copy(ctx, other, copied, Options{Now: clock.Now})
	if !errors.Is(err, ErrForeignTarget) || !strings.Contains(err.Error(), "holds a copy of installation") {
		t.Fatalf("copy of another installation into a copied database: %v", err)
	}
}

// TestCopyRefusesTablesItCannotCopy: rows in a table the copy has no
// entry for (here, tables a newer version would have added) stop it
// before anything is written, naming the table; an empty one does not.
func TestCopyRefusesTablesItCannotCopy(t *testing.T) {
	t.Parallel()
	src, clock, _ := source(t)
	ctx := context.Background()
	must(t, src.WithTx(ctx, func(tx *sqlite.Tx) error {
		for _, q := range []string{`CREATE TABLE later_things (id TEXT PRIMARY KEY)`, `CREATE TABLE later_empty (id TEXT PRIMARY KEY)`,
			`INSERT INTO later_things (id) VALUES ('t1')`} {
			if _, err := tx.Exec(q); err != nil {
				return err
			}
		}
		return nil
	}))
	dst := target(t, clock)
	_, err := Copy(ctx, src, dst, Options{Now: clock.Now})
	if !errors.Is(err, ErrUnsupported) || !strings.HasSuffix(err.Error(), ": later_things (1)") {
		t.Fatalf("copy of a source with a table it has no entry for: %v", err)
	}
	if _, err := dst.Workspace(ctx, "ws1"); models.ErrorCode(err) != models.CodeNotFound {
		t.Errorf("the refused copy wrote a workspace: %v", err)
	}
}

// TestVerifyFindsAMissingOrExtraDocument: a document lost from the
// target, or one the source does not give, fails the verification of a
// finished copy run again, naming the collection.
func TestVerifyFindsAMissingOrExtraDocument(t *testing.T) {
	t.Parallel()
	src, clock, _ := source(t)
	ctx := context.Background()
	dst := target(t, clock)
	if _, err := Copy(ctx, src, dst, Options{Now: clock.Now}); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.Database().Collection("notes").DeleteOne(ctx, map[string]string{"_id": "ws1-n0"}); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.Database().Collection("updates").DeleteOne(ctx, map[string]string{"_id": "ws2-b1:3"}); err != nil {
		t.Fatal(err)
	}
	_, err := Copy(ctx, src, dst, Options{Now: clock.Now})
	if err == nil || !strings.Contains(err.Error(), "notes: 6 in the source, 5 in the target") ||
		!strings.Contains(err.Error(), "updates: 6 in the source, 5 in the target") {
		t.Errorf("a note and an update missing: %v", err)
	}
	for coll, id := range map[string]string{"notes": "ws1-n0", "updates": "ws2-b1:3"} {
		if _, err := dst.Database().Collection(coll).InsertOne(ctx, map[string]string{"_id": id}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := dst.Database().Collection("push_claims").InsertOne(ctx, map[string]string{"_id": "stray"}); err != nil {
		t.Fatal(err)
	}
	if _, err := Copy(ctx, src, dst, Options{Now: clock.Now}); err == nil || !strings.Contains(err.Error(), "push_claims: 0 in the source, 1 in the target") {
		t.Errorf("a stray document: %v", err)
	}
}

// perChat is tallies with one entry per chat (a tally may stand for
// several, N), sorted, so that engines that group them and engines that
// do not compare equal.
func perChat(tallies []models.ConversationTally) []string {
	var out []string
	for _, t := range tallies {
		for range t.Chats() {
			out = append(out, fmt.Sprintf("%s/%s/%v/%v", t.Status, t.AssigneeID, t.Unread, t.Followers))
		}
	}
	slices.Sort(out)
	return out
}

// TestCopyQueuesHeldAndLostAlerts: an alert whose job a claim of the
// stopped server held is due at once in the copy, and a pending alert
// whose job was lost is queued at its own due time: the copy lists the
// due alerts and alert jobs the source lists once restarted and
// recovered (RequeuePending).
func TestCopyQueuesHeldAndLostAlerts(t *testing.T) {
	t.Parallel()
	src, clock, f := source(t)
	ctx := context.Background()
	now := clock.Now()
	// ws1's unclaimed alert is claimed (the server stops while sending
	// it); ws2's loses its job.
	a, err := src.Alert(ctx, "ws1", f.alerts["ws1"][2])
	must(t, err)
	held, err := src.ClaimAlerts(ctx, []*models.Alert{a}, now, time.Hour)
	must(t, err)
	if len(held) != 1 {
		t.Fatalf("claimed %d alerts", len(held))
	}
	must(t, src.WithTx(ctx, func(tx *sqlite.Tx) error {
		_, err := tx.Exec(`DELETE FROM jobs WHERE kind = ? AND id = ?`, models.JobAlert, f.alerts["ws2"][2])
		return err
	}))
	dst := target(t, clock)
	if _, err := Copy(ctx, src, dst, Options{Now: clock.Now}); err != nil {
		t.Fatal(err)
	}
	src = restart(t, src, clock)
	if n, err := src.RequeuePending(ctx); err != nil || n != 1 {
		t.Fatalf("the source requeued %d lost alerts: %v", n, err)
	}
	all := append(append([]string{}, f.alerts["ws1"]...), f.alerts["ws2"]...)
	read := func(s reader) []string {
		var out []string
		for _, at := range []time.Duration{0, 2 * time.Hour} {
			due, err := s.DueAlerts(ctx, now.Add(at), 10, nil)
			must(t, err)
			jobs, err := s.DueJobs(ctx, models.JobAlert, now.Add(at), 10)
			must(t, err)
			out = append(out, fmt.Sprintf("due alerts at +%v: %v", at, dueIn(due, all)), fmt.Sprintf("alert jobs at +%v: %s", at, dump(jobs)))
		}
		return out
	}
	want := read(src)
	if !strings.Contains(want[0], f.alerts["ws1"][2]) || !strings.Contains(want[0], f.alerts["ws2"][2]) {
		t.Fatalf("the restarted source does not list the held and the lost alert as due: %s", want[0])
	}
	compareLines(t, "due alerts", want, read(dst))
}
