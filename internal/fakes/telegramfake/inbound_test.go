package telegramfake

import (
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSimulatedUpdatesFollowTheSpec makes one update of every kind and
// reads them back by getUpdates, whose answer the fake checks against the
// spec (an off-spec update fails the test when it ends).
func TestSimulatedUpdatesFollowTheSpec(t *testing.T) {
	s := New(t, token)
	ann := User{ID: 42, FirstName: "Ann", LastName: "Lee", Username: "ann"}
	s.Group(-100123, "Shop fans", true, 17, "https://t.me/+abc")
	s.Group(-555, "Old group", false, 3, "")
	first := s.UserSends(42, ann, "hi")
	s.UserSendsMessage(42, ann, Inbound{Photo: &FileSpec{Size: 4000}, Caption: "look"})
	s.UserSendsMessage(42, ann, Inbound{Document: &FileSpec{Name: "a.pdf", MimeType: "application/pdf", Data: []byte("%PDF")}})
	s.UserSendsMessage(42, ann, Inbound{Audio: &FileSpec{Name: "a.mp3", MimeType: "audio/mpeg", Size: 10}})
	s.UserSendsMessage(42, ann, Inbound{Voice: &FileSpec{MimeType: "audio/ogg", Size: 10}})
	s.UserSendsMessage(42, ann, Inbound{Video: &FileSpec{Name: "v.mp4", MimeType: "video/mp4", Size: 10, HideSize: true}})
	s.UserSendsMessage(42, ann, Inbound{Sticker: &FileSpec{Size: 10}, StickerEmoji: "😀"})
	s.UserSendsMessage(42, ann, Inbound{Location: &Location{Latitude: 52.5, Longitude: 13.4}})
	s.UserSendsMessage(42, ann, Inbound{Venue: &Venue{Location: Location{Latitude: 1, Longitude: 2}, Title: "Cafe", Address: "Main St 1"}})
	s.UserSendsMessage(42, ann, Inbound{Contact: &Contact{PhoneNumber: "+4912345", FirstName: "Bob"}})
	g := s.UserSendsMessage(-100123, ann, Inbound{Text: "in the group"})
	s.UserSendsMessage(-100123, User{ID: 43, FirstName: "Bob"}, Inbound{Text: "reply", ReplyTo: g.Message.MessageID})
	s.UserStarts(42, ann, "spring_sale")
	s.UserEdits(42, ann, first.Message.MessageID, "hi there")
	s.UserReacts(42, ann, first.Message.MessageID, "👍")
	s.UserBlocks(42, ann)
	s.UserUnblocks(42, ann)
	s.BotAddedToGroup(-555, ann)
	s.BotRemovedFromGroup(-555, ann)
	s.ChannelPosts(-100999, "News", "post")
	ups := updatesOf(t, callJSON(t, s, "getUpdates", `{}`))
	kinds := map[string]int{}
	for _, u := range ups {
		kinds[u.kind()]++
	}
	// message_reaction is opt-in: not delivered without allowed_updates.
	if kinds["message"] != 13 || kinds["edited_message"] != 1 || kinds["my_chat_member"] != 4 || kinds["channel_post"] != 1 || kinds["message_reaction"] != 0 {
		t.Fatalf("kinds %v", kinds)
	}
	if a := callJSON(t, s, "sendMessage", `{"chat_id":-555,"text":"x"}`); a.status != 403 || a.Description != "Forbidden: bot was kicked from the group chat" {
		t.Fatalf("after removal from the group: %+v", a)
	}
	if a := callJSON(t, s, "sendMessage", `{"chat_id":42,"text":"x"}`); a.status != 200 {
		t.Fatalf("after block and unblock: %+v", a)
	}
	s.UserBlocks(42, ann)
	if a := callJSON(t, s, "sendMessage", `{"chat_id":42,"text":"x"}`); a.status != 403 || a.Description != "Forbidden: bot was blocked by the user" {
		t.Fatalf("blocked: %+v", a)
	}
}

// TestReactionsAreOptIn: message_reaction comes only when allowed_updates
// names it.
func TestReactionsAreOptIn(t *testing.T) {
	s := New(t, token)
	ann := User{ID: 42, FirstName: "Ann"}
	m := s.UserSends(42, ann, "hi")
	callJSON(t, s, "getUpdates", `{"offset":`+strconv.FormatInt(m.UpdateID+1, 10)+`,"allowed_updates":["message","message_reaction"]}`)
	s.UserReacts(42, ann, m.Message.MessageID, "👍")
	s.UserReacts(42, ann, m.Message.MessageID, "")
	ups := updatesOf(t, callJSON(t, s, "getUpdates", `{}`))
	if len(ups) != 2 || ups[0].MessageReaction.NewReaction[0].Emoji != "👍" || len(ups[1].MessageReaction.NewReaction) != 0 ||
		ups[1].MessageReaction.OldReaction[0].Emoji != "👍" {
		t.Fatalf("updates %+v", ups)
	}
}

// TestSeveralBotsAndRevocation: bots share the URL, each by its token;
// an unknown or revoked token is refused with 401.
func TestSeveralBotsAndRevocation(t *testing.T) {
	s := New(t, token)
	other := s.AddBot("999:OTHER", User{ID: 999, IsBot: true, FirstName: "Shop", Username: "shop_bot"})
	call := func(tok, method string) answer {
		return post(t, s.URL()+"/bot"+tok+"/"+method, "application/json", `{}`)
	}
	var me User
	if a := call("999:OTHER", "getMe"); a.status != 200 || json.Unmarshal(a.Result, &me) != nil || me.Username != "shop_bot" {
		t.Fatalf("second bot: %+v", a)
	}
	other.UserSends(5, User{ID: 5, FirstName: "Bo"}, "hi")
	if ups := updatesOf(t, call(token, "getUpdates")); len(ups) != 0 {
		t.Fatalf("the first bot got the second's updates: %+v", ups)
	}
	if a := call("1:UNKNOWN", "getMe"); a.status != 401 || a.Description != "Unauthorized" {
		t.Fatalf("unknown token: %+v", a)
	}
	s.Revoke("999:OTHER")
	if a := call("999:OTHER", "getMe"); a.status != 401 {
		t.Fatalf("revoked token: %+v", a)
	}
	if a := call(token, "getMe"); a.status != 200 {
		t.Fatalf("the other bot after a revocation: %+v", a)
	}
}

// TestDeleteMessageWindow: a bot may delete its message for 48 hours.
func TestDeleteMessageWindow(t *testing.T) {
	s := New(t, token)
	now := time.Now()
	s.SetClock(func() time.Time { return now })
	for range 2 {
		if a := callJSON(t, s, "sendMessage", `{"chat_id":42,"text":"x"}`); a.status != 200 {
			t.Fatal(a)
		}
	}
	now = now.Add(48 * time.Hour)
	if a := callJSON(t, s, "deleteMessage", `{"chat_id":42,"message_id":1}`); a.status != 200 {
		t.Fatalf("at 48 h: %+v", a)
	}
	if a := callJSON(t, s, "deleteMessage", `{"chat_id":42,"message_id":1}`); a.status != 400 || a.Description != "Bad Request: message to delete not found" {
		t.Fatalf("deleted twice: %+v", a)
	}
	now = now.Add(time.Second)
	if a := callJSON(t, s, "deleteMessage", `{"chat_id":42,"message_id":2}`); a.status != 400 || a.Description != "Bad Request: message can't be deleted for everyone" {
		t.Fatalf("after 48 h: %+v", a)
	}
	if sent := s.Sent(42); !sent[0].Deleted || sent[1].Deleted {
		t.Fatalf("sent %+v", sent)
	}
}

// TestGetFileAndDownload: a file is downloadable by its path up to 20 MB;
// getFile refuses a bigger one.
func TestGetFileAndDownload(t *testing.T) {
	s := New(t, token)
	small := s.AddFile("documents", FileSpec{Name: "a.txt", Data: []byte("hello")})
	big := s.AddFile("documents", FileSpec{Name: "b.bin", Size: maxDownload + 1})
	var f File
	if a := callJSON(t, s, "getFile", `{"file_id":"`+small.FileID+`"}`); a.status != 200 || json.Unmarshal(a.Result, &f) != nil || f.FileSize != 5 || f.FilePath != small.FilePath {
		t.Fatalf("getFile: %+v", a)
	}
	resp, err := http.Get(s.URL() + "/file/bot" + token + "/" + f.FilePath)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(data) != "hello" {
		t.Fatalf("download %d %q", resp.StatusCode, data)
	}
	if a := callJSON(t, s, "getFile", `{"file_id":"`+big.FileID+`"}`); a.status != 400 || a.Description != "Bad Request: file is too big" {
		t.Fatalf("getFile of a big file: %+v", a)
	}
	if a := post(t, s.URL()+"/file/bot"+token+"/"+big.FilePath, "", ""); a.status != 404 {
		t.Fatalf("download of a big file: %+v", a)
	}
	if a := post(t, s.URL()+"/file/bot1:WRONG/"+small.FilePath, "", ""); a.status != 401 {
		t.Fatalf("download with another token: %+v", a)
	}
}

// TestUploadLimit: a multipart body over the limit is answered 413.
func TestUploadLimit(t *testing.T) {
	s := New(t, token)
	s.SetUploadLimit(1000)
	body := func(n int) (string, string) {
		var b strings.Builder
		w := multipart.NewWriter(&b)
		_ = w.WriteField("chat_id", "42")
		fw, _ := w.CreateFormFile("document", "a.bin")
		_, _ = fw.Write([]byte(strings.Repeat("x", n)))
		_ = w.Close()
		return w.FormDataContentType(), b.String()
	}
	ct, small := body(100)
	if a := post(t, s.URL()+"/bot"+token+"/sendDocument", ct, small); a.status != 200 {
		t.Fatalf("small upload: %+v", a)
	}
	ct, big := body(1000)
	if a := post(t, s.URL()+"/bot"+token+"/sendDocument", ct, big); a.status != 413 || a.Description != "Request Entity Too Large" {
		t.Fatalf("big upload: %+v", a)
	}
	if sent := s.Sent(42); len(sent) != 1 || string(sent[0].File.Data) != strings.Repeat("x", 100) || sent[0].File.Name != "a.bin" {
		t.Fatalf("sent %+v", sent)
	}
}
