package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/switchboardhq/switchboard/clients/goclient"
	"github.com/switchboardhq/switchboard/internal/fakes/telegramfake"
	"github.com/switchboardhq/switchboard/push"
	"github.com/switchboardhq/switchboard/push/telegram"
	"github.com/switchboardhq/switchboard/push/tgbot"
	tg "github.com/switchboardhq/switchboard/telegram"
)

// contractVAPIDKey is the Web Push key the contract servers hand out.
const contractVAPIDKey = "BContractTestPublicKey"

// newContractEnv is a server on which every operation can succeed: push
// on, the Telegram notifications bot on a loopback Bot API with its
// webhook, a Web Push key to hand out, and native messenger connections
// on the Telegram and Viber fakes (by webhooks).
func newContractEnv(t *testing.T) *contractEnv {
	t.Helper()
	m := newMessengers(t, true)
	fake := telegramfake.New(t, tgToken)
	client := tg.New(tg.Config{Token: tgToken, BaseURL: fake.URL(), GlobalRate: 1000, PerChatRate: 1000})
	pe := newPushEnv(t, push.Config{TelegramBot: fake.Bot().Username},
		map[push.Provider]push.Sender{push.ProviderTelegram: telegram.NewSender(client)},
		func(g *push.Gateway, o *apiOptions) {
			o.TelegramSecret = "webhook-secret"
			o.TelegramWebhook = tgbot.New(g, client).HandleJSON
			o.VAPIDPublicKey = contractVAPIDKey
			m.wire(o)
		})
	m.serve(t, pe.srv.Handler())
	return &contractEnv{tgEnv: &tgEnv{pushEnv: pe, fake: fake}, me: &msgEnv{env: pe.env, messengers: m}}
}

type generatedResponse interface {
	StatusCode() int
	GetBody() []byte
}

// ok fails the test unless the call was answered with status.
func ok[R generatedResponse](t *testing.T, op string, status int) func(R, error) R {
	return func(r R, err error) R {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		if r.StatusCode() != status {
			t.Fatalf("%s: status %d, want %d; body %s", op, r.StatusCode(), status, r.GetBody())
		}
		return r
	}
}

func bearer(token string) goclient.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+token)
		return nil
	}
}

func ptr[T any](v T) *T { return &v }

// TestContractGoClient calls every operation of openapi.yaml through the
// Go client oapi-codegen generates from it (clients/goclient), against a
// real server behind a proxy that checks each request and answer against
// the spec. Each call must get its documented success status.
func TestContractGoClient(t *testing.T) {
	te := newContractEnv(t)
	proxy := newContractProxy(t, te.http.URL)
	c, err := goclient.NewClientWithResponses(proxy.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, _, err := te.auth.CreateAdmin(ctx, "owner@example.com", "admin-password", "Contract"); err != nil {
		t.Fatal(err)
	}

	// Operations.
	ok[*goclient.HealthzResponse](t, "healthz", 200)(c.HealthzWithResponse(ctx))
	ok[*goclient.ReadyzResponse](t, "readyz", 200)(c.ReadyzWithResponse(ctx))
	ok[*goclient.MetricsResponse](t, "metrics", 200)(c.MetricsWithResponse(ctx))
	ok[*goclient.OpenapiResponse](t, "openapi", 200)(c.OpenapiWithResponse(ctx))
	if k := ok[*goclient.GetVAPIDPublicKeyResponse](t, "getVAPIDPublicKey", 200)(c.GetVAPIDPublicKeyWithResponse(ctx)); k.JSON200.PublicKey != contractVAPIDKey {
		t.Fatalf("VAPID key %q", k.JSON200.PublicKey)
	}

	// Auth and the team.
	login := ok[*goclient.LoginResponse](t, "login", 200)(c.LoginWithResponse(ctx, goclient.LoginRequest{Email: "owner@example.com", Password: "admin-password"}))
	fresh := ok[*goclient.RefreshResponse](t, "refresh", 200)(c.RefreshWithResponse(ctx, goclient.RefreshRequest{RefreshToken: login.JSON200.RefreshToken}))
	admin := bearer(fresh.JSON200.AccessToken)
	ok[*goclient.MeResponse](t, "me", 200)(c.MeWithResponse(ctx, admin))
	ok[*goclient.GetWorkspaceResponse](t, "getWorkspace", 200)(c.GetWorkspaceWithResponse(ctx, admin))
	ok[*goclient.UpdateWorkspaceResponse](t, "updateWorkspace", 200)(c.UpdateWorkspaceWithResponse(ctx, goclient.UpdateWorkspaceRequest{Name: ptr("Contract Inc")}, admin))
	invited := ok[*goclient.CreateMemberResponse](t, "createMember", 201)(c.CreateMemberWithResponse(ctx,
		goclient.CreateMemberRequest{Email: "agent@example.com", Name: "Agent", Role: goclient.Employee}, admin))
	accepted := ok[*goclient.AcceptInviteResponse](t, "acceptInvite", 200)(c.AcceptInviteWithResponse(ctx,
		goclient.AcceptInviteRequest{Token: *invited.JSON201.InviteToken, Password: "agent-password"}))
	ok[*goclient.ChangePasswordResponse](t, "changePassword", 204)(c.ChangePasswordWithResponse(ctx,
		goclient.ChangePasswordRequest{CurrentPassword: "agent-password", NewPassword: "agent-password-2"}, bearer(accepted.JSON200.AccessToken)))
	agentID := invited.JSON201.Id
	follower := ok[*goclient.CreateMemberResponse](t, "createMember", 201)(c.CreateMemberWithResponse(ctx,
		goclient.CreateMemberRequest{Email: "watcher@example.com", Name: "Watcher", Role: goclient.Follower, Password: ptr("watcher-password")}, admin))
	ok[*goclient.ListMembersResponse](t, "listMembers", 200)(c.ListMembersWithResponse(ctx, &goclient.ListMembersParams{Role: ptr(goclient.Employee)}, admin))
	ok[*goclient.GetMemberResponse](t, "getMember", 200)(c.GetMemberWithResponse(ctx, agentID, admin))
	ok[*goclient.UpdateMemberResponse](t, "updateMember", 200)(c.UpdateMemberWithResponse(ctx, agentID, goclient.UpdateMemberRequest{Name: ptr("Agent One")}, admin))

	// API keys.
	key := ok[*goclient.CreateAPIKeyResponse](t, "createAPIKey", 201)(c.CreateAPIKeyWithResponse(ctx, goclient.CreateAPIKeyRequest{Name: "engine"}, admin))
	engine := bearer(key.JSON201.Secret)
	ok[*goclient.ListAPIKeysResponse](t, "listAPIKeys", 200)(c.ListAPIKeysWithResponse(ctx, admin))
	ok[*goclient.GetAPIKeyResponse](t, "getAPIKey", 200)(c.GetAPIKeyWithResponse(ctx, key.JSON201.Id, admin))
	spare := ok[*goclient.CreateAPIKeyResponse](t, "createAPIKey", 201)(c.CreateAPIKeyWithResponse(ctx, goclient.CreateAPIKeyRequest{Name: "spare"}, admin))
	ok[*goclient.RevokeAPIKeyResponse](t, "revokeAPIKey", 204)(c.RevokeAPIKeyWithResponse(ctx, spare.JSON201.Id, admin))

	// CRM pipelines, then bots that create deals in one.
	stages := []struct {
		Id   *string `json:"id,omitempty"`
		Name string  `json:"name"`
	}{{Name: "New"}, {Name: "Won"}}
	pipe := ok[*goclient.CreatePipelineResponse](t, "createPipeline", 201)(c.CreatePipelineWithResponse(ctx, goclient.PipelineCreate{Name: "Sales", Stages: stages}, admin))
	ok[*goclient.ListPipelinesResponse](t, "listPipelines", 200)(c.ListPipelinesWithResponse(ctx, admin))
	ok[*goclient.GetPipelineResponse](t, "getPipeline", 200)(c.GetPipelineWithResponse(ctx, pipe.JSON201.Id, admin))
	ok[*goclient.UpdatePipelineResponse](t, "updatePipeline", 200)(c.UpdatePipelineWithResponse(ctx, pipe.JSON201.Id, goclient.PipelineUpdate{Name: ptr("Sales 2")}, admin))
	other := ok[*goclient.CreatePipelineResponse](t, "createPipeline", 201)(c.CreatePipelineWithResponse(ctx, goclient.PipelineCreate{Name: "Other", Stages: stages}, admin))
	ok[*goclient.DeletePipelineResponse](t, "deletePipeline", 204)(c.DeletePipelineWithResponse(ctx, other.JSON201.Id, admin))

	bot := ok[*goclient.CreateBotResponse](t, "createBot", 201)(c.CreateBotWithResponse(ctx, goclient.BotCreate{Channel: goclient.ChannelTelegram, Name: "Shop",
		Delivery: ptr(goclient.BotCreateDeliveryEngine), Credentials: &map[string]string{"token": "123:abc"}, PipelineId: &pipe.JSON201.Id, Greeting: ptr("Hello")}, admin))
	botID := bot.JSON201.Id
	ok[*goclient.ListBotsResponse](t, "listBots", 200)(c.ListBotsWithResponse(ctx, admin))
	ok[*goclient.GetBotResponse](t, "getBot", 200)(c.GetBotWithResponse(ctx, botID, admin))
	ok[*goclient.UpdateBotResponse](t, "updateBot", 200)(c.UpdateBotWithResponse(ctx, botID, goclient.BotUpdate{AutoReply: ptr("We are on it")}, admin))
	spareBot := ok[*goclient.CreateBotResponse](t, "createBot", 201)(c.CreateBotWithResponse(ctx, goclient.BotCreate{Channel: goclient.ChannelViber, Name: "Spare"}, admin))
	ok[*goclient.DeleteBotResponse](t, "deleteBot", 204)(c.DeleteBotWithResponse(ctx, spareBot.JSON201.Id, admin))
	contractMessengersGo(t, c, te.me, fresh.JSON200.AccessToken)

	// The bot engine reports a subscriber who writes and asks for a human.
	event := func(id, sub string, typ goclient.EventType) *goclient.EventResult {
		ev := goclient.Event{Id: id, Type: typ}
		ev.Subscriber.Id, ev.Subscriber.Name = sub, ptr("Sub "+sub)
		if typ == goclient.EventTypeMessage {
			ev.Message = &struct {
				Contact  *goclient.ContactInput     `json:"contact,omitempty"`
				File     *goclient.AttachmentInput  `json:"file,omitempty"`
				Id       *string                    `json:"id,omitempty"`
				Kind     *goclient.EventMessageKind `json:"kind,omitempty"`
				Location *goclient.LocationInput    `json:"location,omitempty"`
				Referral *goclient.ReferralInput    `json:"referral,omitempty"`
				ReplyTo  *string                    `json:"reply_to,omitempty"`
				Text     *string                    `json:"text,omitempty"`
			}{Id: ptr("m-" + id), Text: ptr("hello")}
		}
		return ok[*goclient.IngestEventResponse](t, "ingestEvent", 200)(c.IngestEventWithResponse(ctx, botID, ev, engine)).JSON200
	}
	first := event("e1", "s1", goclient.EventTypeMessage)
	event("e2", "s1", goclient.EventTypeOpenChat)
	second := event("e3", "s2", goclient.EventTypeMessage)
	convID, subID := *first.ConversationId, *first.SubscriberId

	// Chats.
	ok[*goclient.ListConversationsResponse](t, "listConversations", 200)(c.ListConversationsWithResponse(ctx, &goclient.ListConversationsParams{Tab: ptr(goclient.ListConversationsParamsTabAll)}, admin))
	ok[*goclient.ConversationCountsResponse](t, "conversationCounts", 200)(c.ConversationCountsWithResponse(ctx, admin))
	ok[*goclient.GetConversationResponse](t, "getConversation", 200)(c.GetConversationWithResponse(ctx, convID, admin))
	ok[*goclient.OpenConversationResponse](t, "openConversation", 200)(c.OpenConversationWithResponse(ctx, goclient.OpenRequest{SubscriberId: *second.SubscriberId}, admin))
	ok[*goclient.AssignConversationResponse](t, "assignConversation", 200)(c.AssignConversationWithResponse(ctx, convID, goclient.AssignRequest{MemberId: &agentID}, admin))
	ok[*goclient.AddFollowerResponse](t, "addFollower", 200)(c.AddFollowerWithResponse(ctx, convID, follower.JSON201.Id, admin))
	ok[*goclient.RemoveFollowerResponse](t, "removeFollower", 200)(c.RemoveFollowerWithResponse(ctx, convID, follower.JSON201.Id, admin))
	ok[*goclient.SetConversationTagsResponse](t, "setConversationTags", 200)(c.SetConversationTagsWithResponse(ctx, convID, goclient.TagsRequest{Tags: []string{"vip"}}, admin))
	ok[*goclient.MuteConversationResponse](t, "muteConversation", 200)(c.MuteConversationWithResponse(ctx, convID, admin))
	ok[*goclient.UnmuteConversationResponse](t, "unmuteConversation", 200)(c.UnmuteConversationWithResponse(ctx, convID, admin))
	links := goclient.LinksRequest{}
	links.Links = append(links.Links, struct {
		Kind  goclient.LinksRequestLinksKind `json:"kind"`
		Ref   string                         `json:"ref"`
		Title *string                        `json:"title,omitempty"`
	}{Kind: goclient.Task, Ref: "T-1"})
	ok[*goclient.SetConversationLinksResponse](t, "setConversationLinks", 200)(c.SetConversationLinksWithResponse(ctx, convID, links, admin))
	sent := ok[*goclient.SendMessageResponse](t, "sendMessage", 201)(c.SendMessageWithResponse(ctx, convID,
		&goclient.SendMessageParams{IdempotencyKey: ptr("k1")}, goclient.SendRequest{Text: ptr("On it")}, admin))
	ok[*goclient.ListMessagesResponse](t, "listMessages", 200)(c.ListMessagesWithResponse(ctx, convID, &goclient.ListMessagesParams{Limit: ptr(10)}, admin))
	ok[*goclient.DeleteMessageResponse](t, "deleteMessage", 204)(c.DeleteMessageWithResponse(ctx, convID, sent.JSON201.Id, admin))
	ok[*goclient.MarkConversationReadResponse](t, "markConversationRead", 200)(c.MarkConversationReadWithResponse(ctx, convID, admin))
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	part, _ := mw.CreateFormFile("file", "notes.txt")
	part.Write([]byte("plain text attachment"))
	mw.Close()
	file := ok[*goclient.UploadFileResponse](t, "uploadFile", 201)(c.UploadFileWithBodyWithResponse(ctx, convID, mw.FormDataContentType(), &form, admin))
	ok[*goclient.DownloadFileResponse](t, "downloadFile", 200)(c.DownloadFileWithResponse(ctx, file.JSON201.Id, admin))
	ok[*goclient.CloseConversationResponse](t, "closeConversation", 200)(c.CloseConversationWithResponse(ctx, convID, admin))
	ok[*goclient.ReopenConversationResponse](t, "reopenConversation", 200)(c.ReopenConversationWithResponse(ctx, convID, admin))

	// Subscribers and notes.
	ok[*goclient.ListSubscribersResponse](t, "listSubscribers", 200)(c.ListSubscribersWithResponse(ctx, &goclient.ListSubscribersParams{Q: ptr("Sub")}, admin))
	ok[*goclient.GetSubscriberResponse](t, "getSubscriber", 200)(c.GetSubscriberWithResponse(ctx, subID, admin))
	ok[*goclient.EditSubscriberResponse](t, "editSubscriber", 200)(c.EditSubscriberWithResponse(ctx, subID, goclient.SubscriberEdit{Phone: ptr("+100"), Variables: &map[string]string{"plan": "gold"}}, admin))
	ok[*goclient.SubscriberAutomationResponse](t, "subscriberAutomation", 200)(c.SubscriberAutomationWithResponse(ctx, subID, goclient.AutomationRequest{Action: goclient.Extend}, admin))
	ok[*goclient.DisableSubscriberResponse](t, "disableSubscriber", 200)(c.DisableSubscriberWithResponse(ctx, subID, admin))
	ok[*goclient.EnableSubscriberResponse](t, "enableSubscriber", 200)(c.EnableSubscriberWithResponse(ctx, subID, admin))
	note := ok[*goclient.AddNoteResponse](t, "addNote", 201)(c.AddNoteWithResponse(ctx, subID, goclient.NoteRequest{Text: "Prefers email"}, admin))
	ok[*goclient.ListNotesResponse](t, "listNotes", 200)(c.ListNotesWithResponse(ctx, subID, admin))
	ok[*goclient.EditNoteResponse](t, "editNote", 200)(c.EditNoteWithResponse(ctx, note.JSON201.Id, goclient.NoteRequest{Text: "Prefers phone"}, admin))
	ok[*goclient.DeleteNoteResponse](t, "deleteNote", 204)(c.DeleteNoteWithResponse(ctx, note.JSON201.Id, admin))

	// Deals.
	ok[*goclient.ListDealsResponse](t, "listDeals", 200)(c.ListDealsWithResponse(ctx, &goclient.ListDealsParams{SubscriberId: &subID}, admin))
	deal := ok[*goclient.CreateDealResponse](t, "createDeal", 201)(c.CreateDealWithResponse(ctx,
		goclient.DealCreate{PipelineId: pipe.JSON201.Id, Name: "Order", Amount: ptr(float32(10)), Currency: ptr("EUR"), SubscriberId: &subID}, admin))
	ok[*goclient.GetDealResponse](t, "getDeal", 200)(c.GetDealWithResponse(ctx, deal.JSON201.Id, admin))
	ok[*goclient.UpdateDealResponse](t, "updateDeal", 200)(c.UpdateDealWithResponse(ctx, deal.JSON201.Id, goclient.DealUpdate{Amount: ptr(float32(12.5))}, admin))
	ok[*goclient.DeleteDealResponse](t, "deleteDeal", 204)(c.DeleteDealWithResponse(ctx, deal.JSON201.Id, admin))

	// Flows and the bot engine's feed.
	steps := []goclient.FlowStepInput{{Text: "Step one"}}
	flow := ok[*goclient.CreateFlowResponse](t, "createFlow", 201)(c.CreateFlowWithResponse(ctx, botID, goclient.FlowCreate{Name: "Welcome", Steps: steps}, admin))
	ok[*goclient.ListFlowsResponse](t, "listFlows", 200)(c.ListFlowsWithResponse(ctx, botID, admin))
	ok[*goclient.UpdateFlowResponse](t, "updateFlow", 200)(c.UpdateFlowWithResponse(ctx, flow.JSON201.Id, goclient.FlowUpdate{Name: ptr("Welcome 2")}, admin))
	ok[*goclient.StartFlowResponse](t, "startFlow", 200)(c.StartFlowWithResponse(ctx, subID, goclient.StartFlowRequest{FlowId: flow.JSON201.Id}, admin))
	ok[*goclient.StopFlowResponse](t, "stopFlow", 200)(c.StopFlowWithResponse(ctx, subID, admin))
	spareFlow := ok[*goclient.CreateFlowResponse](t, "createFlow", 201)(c.CreateFlowWithResponse(ctx, botID, goclient.FlowCreate{Name: "Spare", Steps: steps}, admin))
	ok[*goclient.DeleteFlowResponse](t, "deleteFlow", 204)(c.DeleteFlowWithResponse(ctx, spareFlow.JSON201.Id, admin))
	ok[*goclient.ListCommandsResponse](t, "listCommands", 200)(c.ListCommandsWithResponse(ctx, botID, &goclient.ListCommandsParams{Limit: ptr(100)}, engine))
	ok[*goclient.BotStatsResponse](t, "botStats", 200)(c.BotStatsWithResponse(ctx, botID, nil, admin))
	ok[*goclient.DeleteSubscriberResponse](t, "deleteSubscriber", 204)(c.DeleteSubscriberWithResponse(ctx, *second.SubscriberId, admin))

	// Delta-sync: pull, then push what an app changed offline, in both body forms.
	pulled := ok[*goclient.SyncPullResponse](t, "syncPull", 200)(c.SyncPullWithResponse(ctx, &goclient.SyncPullParams{Limit: ptr(500)}, admin))
	if head := ok[*goclient.SyncHeadResponse](t, "syncHead", 200)(c.SyncHeadWithResponse(ctx, admin)); head.JSON200.Timestamp < 1 {
		t.Fatalf("sync head timestamp %d", head.JSON200.Timestamp)
	}
	if len(pulled.JSON200.Changes.Conversations.Created) == 0 {
		t.Fatal("the first sync has no chats")
	}
	changes := goclient.SyncPushChanges{
		Messages: &goclient.SyncPushMessages{Created: &[]goclient.SyncPushMessage{{Id: "app-msg-1", ConversationId: convID, Text: "Written offline",
			AdditionalProperties: map[string]any{"_status": "created", "_changed": ""}}}},
		Notes:         &goclient.SyncPushNotes{Created: &[]goclient.SyncPushNoteCreated{{Id: "app-note-1", SubscriberId: subID, Text: "Offline note"}}},
		Conversations: &goclient.SyncPushConversations{Updated: &[]goclient.SyncPushConversation{{Id: convID, Unread: ptr(false), Tags: ptr(`["vip","offline"]`)}}},
		Subscribers:   &goclient.SyncPushSubscribers{Updated: &[]goclient.SyncPushSubscriber{{Id: subID, Variables: ptr(`{"source":"app"}`)}}},
		Bots:          &goclient.SyncPushReadOnly{Created: &[]goclient.SyncPushRecord{}, Updated: &[]goclient.SyncPushRecord{}, Deleted: &[]string{}},
	}
	var envelope goclient.SyncPush
	if err := envelope.FromSyncPushEnvelope(goclient.SyncPushEnvelope{Changes: changes}); err != nil {
		t.Fatal(err)
	}
	last := pulled.JSON200.Timestamp
	pushed := ok[*goclient.SyncPushResponse](t, "syncPush", 200)(c.SyncPushWithResponse(ctx, &goclient.SyncPushParams{LastPulledAt: last}, envelope, admin))
	if pushed.JSON200.Applied == 0 {
		t.Fatalf("the push applied nothing: %s", pushed.Body)
	}
	var bare goclient.SyncPush
	if err := bare.FromSyncPushChanges(goclient.SyncPushChanges{Notes: &goclient.SyncPushNotes{Created: &[]goclient.SyncPushNoteCreated{{Id: "app-note-2", SubscriberId: subID, Text: "Second"}}}}); err != nil {
		t.Fatal(err)
	}
	ok[*goclient.SyncPushResponse](t, "syncPush", 200)(c.SyncPushWithResponse(ctx, &goclient.SyncPushParams{LastPulledAt: last}, bare, admin))

	// Alerts: a device, the Telegram bot linked through its webhook, a test push, a new chat's alert.
	device := ok[*goclient.RegisterDeviceResponse](t, "registerDevice", 201)(c.RegisterDeviceWithResponse(ctx,
		goclient.DeviceRequest{Kind: goclient.DeviceRequestKindFcm, Name: ptr("Pixel"), Token: ptr("fcm-registration-token-1")}, admin))
	ok[*goclient.GetPushPreferencesResponse](t, "getPushPreferences", 200)(c.GetPushPreferencesWithResponse(ctx, admin))
	ok[*goclient.SetPushPreferencesResponse](t, "setPushPreferences", 200)(c.SetPushPreferencesWithResponse(ctx,
		goclient.PushPreferencesUpdate{Events: map[string]map[string]bool{"message": {"email": false}}}, admin))
	link := ok[*goclient.LinkTelegramResponse](t, "linkTelegram", 201)(c.LinkTelegramWithResponse(ctx, admin))
	var update map[string]any
	raw, _ := json.Marshal(te.fake.UserSends(4242, telegramfake.User{ID: 4242, FirstName: "Owner"}, "/start "+link.JSON201.Code))
	if err := json.Unmarshal(raw, &update); err != nil {
		t.Fatal(err)
	}
	ok[*goclient.TelegramWebhookResponse](t, "telegramWebhook", 200)(c.TelegramWebhookWithResponse(ctx,
		&goclient.TelegramWebhookParams{XTelegramBotApiSecretToken: "webhook-secret"}, update))
	devices := ok[*goclient.ListDevicesResponse](t, "listDevices", 200)(c.ListDevicesWithResponse(ctx, admin))
	tgDevice := ""
	for _, d := range devices.JSON200.Items {
		if d.Kind == goclient.DeviceKindTelegram {
			tgDevice = d.Id
		}
	}
	if tgDevice == "" {
		t.Fatalf("no Telegram device after linking: %s", devices.Body)
	}
	ok[*goclient.TestPushResponse](t, "testPush", 200)(c.TestPushWithResponse(ctx, tgDevice, admin))
	ok[*goclient.RemoveDeviceResponse](t, "removeDevice", 204)(c.RemoveDeviceWithResponse(ctx, device.JSON201.Id, admin))
	event("e4", "s3", goclient.EventTypeOpenChat)
	te.step()
	alerts := ok[*goclient.ListAlertsResponse](t, "listAlerts", 200)(c.ListAlertsWithResponse(ctx, &goclient.ListAlertsParams{Limit: ptr(50)}, admin))
	if len(alerts.JSON200.Items) == 0 {
		t.Fatal("no alert for the new chat")
	}
	ok[*goclient.GetAlertResponse](t, "getAlert", 200)(c.GetAlertWithResponse(ctx, alerts.JSON200.Items[0].Id, admin))
	ok[*goclient.UnlinkTelegramResponse](t, "unlinkTelegram", 204)(c.UnlinkTelegramWithResponse(ctx, admin))
	ok[*goclient.LogoutResponse](t, "logout", 204)(c.LogoutWithResponse(ctx, goclient.RefreshRequest{RefreshToken: fresh.JSON200.RefreshToken}))

	proxy.wantEveryOperation(t)
}
