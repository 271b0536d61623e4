package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/switchboardhq/switchboard/inbox"
	"github.com/switchboardhq/switchboard/models"
)

// The inbox benchmarks send each operation over HTTP and, as the same-run
// baseline, through the inbox service directly; each at two workspace sizes
// to show how the cost grows. db-cmds/op counts driver commands.
//
//	go test -run '^$' -bench 'Inbox' -benchtime 200x ./api/

type inboxBench struct {
	e    *env
	tm   team
	bot  models.Bot
	key  models.Principal
	conv string
	// chats is how many open chats were seeded (subscribers seed-0 ...),
	// convs their ids.
	chats int
	convs []string
}

func newInboxBench(b *testing.B, chats int) *inboxBench {
	e := benchEnv(b, fastPasswords)
	tm := e.team()
	bot := e.bot(tm.admin.AccessToken, map[string]any{"channel": "telegram", "name": "TG", "queue": ids(tm.emp1, tm.emp2)})
	ib := &inboxBench{e: e, tm: tm, bot: bot, chats: chats}
	p, _, err := e.auth.Authenticate(context.Background(), tm.key)
	if err != nil {
		b.Fatal(err)
	}
	ib.key = p
	for i := 0; i < chats; i++ {
		res, err := ib.ingest(inbox.Event{ID: fmt.Sprintf("seed-open-%d", i), Type: inbox.EventOpenChat,
			Subscriber: inbox.SubscriberInfo{ExternalID: fmt.Sprintf("seed-%d", i), SubscriberProfile: models.SubscriberProfile{Name: fmt.Sprintf("Seed %d", i)}}})
		if err != nil {
			b.Fatal(err)
		}
		ib.conv = res.ConversationID
		ib.convs = append(ib.convs, res.ConversationID)
	}
	return ib
}

func (ib *inboxBench) ingest(ev inbox.Event) (*inbox.EventResult, error) {
	return ib.e.srv.Inbox().Ingest(context.Background(), ib.key, ib.bot.ID, ev)
}

var benchSeq atomic.Int64

func next() int64 { return benchSeq.Add(1) }

func sizes(b *testing.B, run func(b *testing.B, ib *inboxBench)) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("chats=%d", n), func(b *testing.B) {
			ib := newInboxBench(b, n)
			run(b, ib)
		})
	}
}

// BenchmarkInboxFirstMessage: a new subscriber's first message (subscriber,
// chat and message created, greeting none).
func BenchmarkInboxFirstMessage(b *testing.B) {
	sizes(b, func(b *testing.B, ib *inboxBench) {
		b.Run("http", func(b *testing.B) {
			benchHTTP(b, ib.e, http.StatusOK, func() *http.Request {
				n := next()
				return jsonRequest("POST", ib.e.http.URL+"/v1/bots/"+ib.bot.ID+"/events", ib.tm.key,
					fmt.Sprintf(`{"id":"f%d","type":"message","subscriber":{"id":"new-%d","name":"N"},"message":{"text":"hi"}}`, n, n))
			})
		})
		b.Run("direct", func(b *testing.B) {
			parallel(b, ib.e, func() error {
				n := next()
				_, err := ib.ingest(inbox.Event{ID: fmt.Sprintf("f%d", n), Type: inbox.EventMessage,
					Subscriber: inbox.SubscriberInfo{ExternalID: fmt.Sprintf("new-%d", n)}, Message: &inbox.InboundMessage{Text: "hi"}})
				return err
			})
		})
	})
}

// BenchmarkInboxOpenChat: "open chat" for a subscriber who wrote: the chat
// opens, goes to the next manager of the queue, timeline entries are written.
func BenchmarkInboxOpenChat(b *testing.B) {
	sizes(b, func(b *testing.B, ib *inboxBench) {
		prepare := func(b *testing.B) []string {
			subs := make([]string, b.N)
			for i := range subs {
				n := next()
				subs[i] = fmt.Sprintf("o-%d", n)
				if _, err := ib.ingest(inbox.Event{ID: fmt.Sprintf("pre%d", n), Type: inbox.EventMessage,
					Subscriber: inbox.SubscriberInfo{ExternalID: subs[i]}, Message: &inbox.InboundMessage{Text: "hi"}}); err != nil {
					b.Fatal(err)
				}
			}
			return subs
		}
		b.Run("http", func(b *testing.B) {
			subs, i := prepare(b), atomic.Int64{}
			benchHTTP(b, ib.e, http.StatusOK, func() *http.Request {
				s := subs[i.Add(1)-1]
				return jsonRequest("POST", ib.e.http.URL+"/v1/bots/"+ib.bot.ID+"/events", ib.tm.key,
					`{"id":"open-`+s+`","type":"open_chat","subscriber":{"id":"`+s+`"}}`)
			})
		})
		b.Run("direct", func(b *testing.B) {
			subs, i := prepare(b), atomic.Int64{}
			parallel(b, ib.e, func() error {
				s := subs[i.Add(1)-1]
				_, err := ib.ingest(inbox.Event{ID: "open-" + s, Type: inbox.EventOpenChat, Subscriber: inbox.SubscriberInfo{ExternalID: s}})
				return err
			})
		})
	})
}

// BenchmarkInboxMessageInOpenChat: a subscriber message landing in an open chat.
func BenchmarkInboxMessageInOpenChat(b *testing.B) {
	sizes(b, func(b *testing.B, ib *inboxBench) {
		b.Run("http", func(b *testing.B) {
			benchHTTP(b, ib.e, http.StatusOK, func() *http.Request {
				return jsonRequest("POST", ib.e.http.URL+"/v1/bots/"+ib.bot.ID+"/events", ib.tm.key,
					fmt.Sprintf(`{"id":"o%d","type":"message","subscriber":{"id":"seed-0"},"message":{"text":"more"}}`, next()))
			})
		})
		b.Run("direct", func(b *testing.B) {
			parallel(b, ib.e, func() error {
				_, err := ib.ingest(inbox.Event{ID: fmt.Sprintf("o%d", next()), Type: inbox.EventMessage,
					Subscriber: inbox.SubscriberInfo{ExternalID: "seed-0"}, Message: &inbox.InboundMessage{Text: "more"}})
				return err
			})
		})
	})
}

// BenchmarkInboxMessageInOpenChats: subscriber messages spread over the
// seeded open chats in turn, so that concurrent messages seldom share a
// chat (BenchmarkInboxMessageInOpenChat sends all 16 clients' messages to
// one chat).
func BenchmarkInboxMessageInOpenChats(b *testing.B) {
	sizes(b, func(b *testing.B, ib *inboxBench) {
		b.Run("http", func(b *testing.B) {
			benchHTTP(b, ib.e, http.StatusOK, func() *http.Request {
				n := next()
				return jsonRequest("POST", ib.e.http.URL+"/v1/bots/"+ib.bot.ID+"/events", ib.tm.key,
					fmt.Sprintf(`{"id":"s%d","type":"message","subscriber":{"id":"seed-%d"},"message":{"text":"more"}}`, n, n%int64(ib.chats)))
			})
		})
		b.Run("direct", func(b *testing.B) {
			parallel(b, ib.e, func() error {
				n := next()
				_, err := ib.ingest(inbox.Event{ID: fmt.Sprintf("s%d", n), Type: inbox.EventMessage,
					Subscriber: inbox.SubscriberInfo{ExternalID: fmt.Sprintf("seed-%d", n%int64(ib.chats))}, Message: &inbox.InboundMessage{Text: "more"}})
				return err
			})
		})
	})
}

// agentPair benchmarks an agent's request over HTTP against the same
// inbox call made directly with emp1's principal.
func agentPair(b *testing.B, want int, method, path, body string, direct func(ib *inboxBench, p models.Principal) error) {
	sizes(b, func(b *testing.B, ib *inboxBench) {
		b.Run("http", func(b *testing.B) {
			url := ib.e.http.URL + strings.ReplaceAll(path, "{conv}", ib.conv)
			benchHTTP(b, ib.e, want, func() *http.Request { return jsonRequest(method, url, ib.tm.emp1.AccessToken, body) })
		})
		b.Run("direct", func(b *testing.B) {
			p, _, err := ib.e.auth.Authenticate(context.Background(), ib.tm.emp1.AccessToken)
			if err != nil {
				b.Fatal(err)
			}
			parallel(b, ib.e, func() error { return direct(ib, p) })
		})
	})
}

// BenchmarkInboxAgentReply: an agent's text reply.
func BenchmarkInboxAgentReply(b *testing.B) {
	agentPair(b, http.StatusCreated, "POST", "/v1/conversations/{conv}/messages", `{"text":"On it!"}`, func(ib *inboxBench, p models.Principal) error {
		_, _, err := ib.e.srv.Inbox().Send(context.Background(), p, ib.conv, inbox.SendInput{Text: "On it!"})
		return err
	})
}

// BenchmarkInboxAgentReplies: an admin's text replies spread over the
// seeded chats in turn, so that concurrent replies seldom share a chat
// (BenchmarkInboxAgentReply sends every reply to one chat).
func BenchmarkInboxAgentReplies(b *testing.B) {
	sizes(b, func(b *testing.B, ib *inboxBench) {
		b.Run("http", func(b *testing.B) {
			benchHTTP(b, ib.e, http.StatusCreated, func() *http.Request {
				conv := ib.convs[next()%int64(len(ib.convs))]
				return jsonRequest("POST", ib.e.http.URL+"/v1/conversations/"+conv+"/messages", ib.tm.admin.AccessToken, `{"text":"On it!"}`)
			})
		})
		b.Run("direct", func(b *testing.B) {
			p, _, err := ib.e.auth.Authenticate(context.Background(), ib.tm.admin.AccessToken)
			if err != nil {
				b.Fatal(err)
			}
			parallel(b, ib.e, func() error {
				conv := ib.convs[next()%int64(len(ib.convs))]
				_, _, err := ib.e.srv.Inbox().Send(context.Background(), p, conv, inbox.SendInput{Text: "On it!"})
				return err
			})
		})
	})
}

// BenchmarkInboxChatList: the first page (50) of the open tab.
func BenchmarkInboxChatList(b *testing.B) {
	agentPair(b, http.StatusOK, "GET", "/v1/conversations?tab=open&limit=50", "", func(ib *inboxBench, p models.Principal) error {
		_, _, err := ib.e.srv.Inbox().Conversations(context.Background(), p, inbox.ListInput{Tab: "open", Page: models.Page{Limit: 50}})
		return err
	})
}

// BenchmarkInboxCounts: the counts call (tab and group sizes, badge).
func BenchmarkInboxCounts(b *testing.B) {
	agentPair(b, http.StatusOK, "GET", "/v1/conversations/counts", "", func(ib *inboxBench, p models.Principal) error {
		_, err := ib.e.srv.Inbox().Counts(context.Background(), p)
		return err
	})
}
