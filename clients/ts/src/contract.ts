// Calls every operation of openapi.yaml through the client openapi-typescript
// and openapi-fetch make of it, and checks each answer's status. Run by
// api/contract_ts_test.go against a real server (behind a proxy that checks
// every request and answer against the spec); it reads:
//   SB_BASE_URL        the server
//   SB_ADMIN_EMAIL     an admin of a fresh workspace, and
//   SB_ADMIN_PASSWORD  their password
//   SB_TELEGRAM_SECRET the notifications bot's webhook secret
//   SB_VAPID_KEY       the Web Push key the server hands out
//   SB_TELEGRAM_TOKEN  the token of a bot of the Telegram fake, and
//   SB_VIBER_TOKEN     the auth token of an account of the Viber fake
// The workspace already holds one alert. After creating its native bots the
// script prints {"native": {"telegram": id, "viber": id}} on a line, then
// reads one JSON line (Fixtures) from stdin: what the test prepared on
// those bots. Exits non-zero on the first wrong status.
import { createInterface } from "node:readline";
import createClient from "openapi-fetch";
import type { components, paths } from "../generated/schema.js";

type Schemas = components["schemas"];

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

const api = createClient<paths>({ baseUrl: env("SB_BASE_URL") });
const called = new Set<string>();

// want checks an answer's status and returns its data.
function want<T>(op: string, res: { data?: T; error?: unknown; response: Response }, status: number): T {
  called.add(op);
  if (res.response.status !== status) {
    throw new Error(`${op}: ${res.response.url}: status ${res.response.status}, want ${status}: ${JSON.stringify(res.error)}`);
  }
  return res.data as T;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

// Fixtures is what the test prepares on the native bots, sent on stdin.
interface Fixtures {
  workspace: string;
  // telegram_secret is the Telegram bot's webhook secret (the API never shows it).
  telegram_secret: string;
  // telegram_update is an update of a user writing to the Telegram bot.
  telegram_update: Record<string, unknown>;
  // failed_update is an update of the Telegram bot that could not be applied.
  failed_update: string;
  // conversation and failed_message: an agent's reply Telegram refused.
  conversation: string;
  failed_message: string;
  // media_url is the signed URL Viber was given for an agent's file.
  media_url: string;
}

// readFixtures reads the first line of stdin as Fixtures.
async function readFixtures(): Promise<Fixtures> {
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    lines.close();
    return JSON.parse(line) as Fixtures;
  }
  throw new Error("stdin ended before the fixtures");
}

async function main(): Promise<void> {
  // Operations.
  want("healthz", await api.GET("/healthz"), 200);
  want("readyz", await api.GET("/readyz"), 200);
  want("metrics", await api.GET("/metrics", { parseAs: "text" }), 200);
  want("openapi", await api.GET("/openapi.yaml", { parseAs: "text" }), 200);
  const vapid = want("getVAPIDPublicKey", await api.GET("/v1/push/vapid-public-key"), 200);
  if (vapid.public_key !== env("SB_VAPID_KEY")) throw new Error(`VAPID key ${vapid.public_key}`);

  // Auth and the team.
  const login = want("login", await api.POST("/v1/auth/login", { body: { email: env("SB_ADMIN_EMAIL"), password: env("SB_ADMIN_PASSWORD") } }), 200);
  const fresh = want("refresh", await api.POST("/v1/auth/refresh", { body: { refresh_token: login.refresh_token } }), 200);
  const admin = bearer(fresh.access_token);
  const me = want("me", await api.GET("/v1/me", { headers: admin }), 200);
  if (me.kind !== "member") throw new Error(`me.kind ${me.kind}`);
  want("getWorkspace", await api.GET("/v1/workspace", { headers: admin }), 200);
  want("updateWorkspace", await api.PATCH("/v1/workspace", { headers: admin, body: { name: "Contract TS" } }), 200);
  const invited = want("createMember", await api.POST("/v1/members", { headers: admin, body: { email: "ts-agent@example.com", name: "Agent", role: "employee" } }), 201);
  if (!invited.invite_token) throw new Error("no invite token");
  const accepted = want("acceptInvite", await api.POST("/v1/auth/accept-invite", { body: { token: invited.invite_token, password: "agent-password" } }), 200);
  const agent = bearer(accepted.access_token);
  want("changePassword", await api.POST("/v1/me/password", { headers: agent, body: { current_password: "agent-password", new_password: "agent-password-2" } }), 204);
  const follower = want("createMember", await api.POST("/v1/members", {
    headers: admin, body: { email: "ts-watcher@example.com", name: "Watcher", role: "follower", password: "watcher-password" },
  }), 201);
  want("listMembers", await api.GET("/v1/members", { headers: admin, params: { query: { role: "employee", limit: 10 } } }), 200);
  want("getMember", await api.GET("/v1/members/{id}", { headers: admin, params: { path: { id: invited.id } } }), 200);
  want("updateMember", await api.PATCH("/v1/members/{id}", { headers: admin, params: { path: { id: invited.id } }, body: { name: "Agent One" } }), 200);

  // API keys.
  const key = want("createAPIKey", await api.POST("/v1/api-keys", { headers: admin, body: { name: "engine" } }), 201);
  const engine = bearer(key.secret);
  want("listAPIKeys", await api.GET("/v1/api-keys", { headers: admin }), 200);
  want("getAPIKey", await api.GET("/v1/api-keys/{id}", { headers: admin, params: { path: { id: key.id } } }), 200);
  const spare = want("createAPIKey", await api.POST("/v1/api-keys", { headers: admin, body: { name: "spare" } }), 201);
  want("revokeAPIKey", await api.DELETE("/v1/api-keys/{id}", { headers: admin, params: { path: { id: spare.id } } }), 204);

  // CRM pipelines, then bots.
  const stages = [{ name: "New" }, { name: "Won" }];
  const pipe = want("createPipeline", await api.POST("/v1/pipelines", { headers: admin, body: { name: "Sales", stages } }), 201);
  want("listPipelines", await api.GET("/v1/pipelines", { headers: admin }), 200);
  want("getPipeline", await api.GET("/v1/pipelines/{id}", { headers: admin, params: { path: { id: pipe.id } } }), 200);
  want("updatePipeline", await api.PATCH("/v1/pipelines/{id}", { headers: admin, params: { path: { id: pipe.id } }, body: { name: "Sales 2" } }), 200);
  const other = want("createPipeline", await api.POST("/v1/pipelines", { headers: admin, body: { name: "Other", stages } }), 201);
  want("deletePipeline", await api.DELETE("/v1/pipelines/{id}", { headers: admin, params: { path: { id: other.id } } }), 204);
  const bot = want("createBot", await api.POST("/v1/bots", {
    headers: admin, body: { channel: "telegram", name: "Shop", delivery: "engine", credentials: { token: "123:abc" }, pipeline_id: pipe.id, greeting: "Hello" },
  }), 201);
  want("listBots", await api.GET("/v1/bots", { headers: admin }), 200);
  want("getBot", await api.GET("/v1/bots/{id}", { headers: admin, params: { path: { id: bot.id } } }), 200);
  want("updateBot", await api.PATCH("/v1/bots/{id}", { headers: admin, params: { path: { id: bot.id } }, body: { auto_reply: "We are on it" } }), 200);
  const spareBot = want("createBot", await api.POST("/v1/bots", { headers: admin, body: { channel: "viber", name: "Spare" } }), 201);
  want("deleteBot", await api.DELETE("/v1/bots/{id}", { headers: admin, params: { path: { id: spareBot.id } } }), 204);

  // The bot engine reports subscribers.
  const event = async (ev: Schemas["Event"]) =>
    want("ingestEvent", await api.POST("/v1/bots/{id}/events", { headers: engine, params: { path: { id: bot.id } }, body: ev }), 200);
  const first = await event({ id: "e1", type: "message", subscriber: { id: "s1", name: "Sub s1" }, message: { id: "m-e1", text: "hello" } });
  await event({ id: "e2", type: "open_chat", subscriber: { id: "s1" } });
  const second = await event({ id: "e3", type: "message", subscriber: { id: "s2", name: "Sub s2" }, message: { id: "m-e3", text: "hi" } });
  const convID = first.conversation_id!;
  const subID = first.subscriber_id!;

  // Chats.
  const conv = { headers: admin, params: { path: { id: convID } } };
  want("listConversations", await api.GET("/v1/conversations", { headers: admin, params: { query: { tab: "all" } } }), 200);
  want("conversationCounts", await api.GET("/v1/conversations/counts", { headers: admin }), 200);
  want("getConversation", await api.GET("/v1/conversations/{id}", conv), 200);
  want("openConversation", await api.POST("/v1/conversations", { headers: admin, body: { subscriber_id: second.subscriber_id! } }), 200);
  want("assignConversation", await api.PUT("/v1/conversations/{id}/assignee", { ...conv, body: { member_id: invited.id } }), 200);
  const fol = { headers: admin, params: { path: { id: convID, member_id: follower.id } } };
  want("addFollower", await api.PUT("/v1/conversations/{id}/followers/{member_id}", fol), 200);
  want("removeFollower", await api.DELETE("/v1/conversations/{id}/followers/{member_id}", fol), 200);
  want("setConversationTags", await api.PUT("/v1/conversations/{id}/tags", { ...conv, body: { tags: ["vip"] } }), 200);
  want("muteConversation", await api.PUT("/v1/conversations/{id}/mute", conv), 200);
  want("unmuteConversation", await api.DELETE("/v1/conversations/{id}/mute", conv), 200);
  want("setConversationLinks", await api.PUT("/v1/conversations/{id}/links", { ...conv, body: { links: [{ kind: "task", ref: "T-1" }] } }), 200);
  const sent = want("sendMessage", await api.POST("/v1/conversations/{id}/messages", {
    headers: admin, params: { path: { id: convID }, header: { "Idempotency-Key": "k1" } }, body: { text: "On it" },
  }), 201);
  want("listMessages", await api.GET("/v1/conversations/{id}/messages", { headers: admin, params: { path: { id: convID }, query: { limit: 10 } } }), 200);
  want("deleteMessage", await api.DELETE("/v1/conversations/{id}/messages/{message_id}", {
    headers: admin, params: { path: { id: convID, message_id: sent.id } },
  }), 204);
  want("markConversationRead", await api.POST("/v1/conversations/{id}/read", conv), 200);
  const form = new FormData();
  form.append("file", new Blob(["plain text attachment"], { type: "text/plain" }), "notes.txt");
  const file = want("uploadFile", await api.POST("/v1/conversations/{id}/files", {
    ...conv,
    // The spec's binary string is a Blob in a multipart form; openapi-fetch sends FormData as it is.
    body: form as unknown as { file: string },
  }), 201);
  const bytes = want("downloadFile", await api.GET("/v1/files/{id}", { headers: admin, params: { path: { id: file.id } }, parseAs: "text" }), 200);
  if (bytes !== "plain text attachment") throw new Error(`downloaded ${bytes}`);
  want("closeConversation", await api.POST("/v1/conversations/{id}/close", conv), 200);
  want("reopenConversation", await api.POST("/v1/conversations/{id}/reopen", conv), 200);

  // Subscribers and notes.
  const sub = { headers: admin, params: { path: { id: subID } } };
  want("listSubscribers", await api.GET("/v1/subscribers", { headers: admin, params: { query: { q: "Sub" } } }), 200);
  want("getSubscriber", await api.GET("/v1/subscribers/{id}", sub), 200);
  want("editSubscriber", await api.PATCH("/v1/subscribers/{id}", { ...sub, body: { phone: "+100", variables: { plan: "gold" } } }), 200);
  want("subscriberAutomation", await api.POST("/v1/subscribers/{id}/automation", { ...sub, body: { action: "extend" } }), 200);
  want("disableSubscriber", await api.PUT("/v1/subscribers/{id}/disabled", sub), 200);
  want("enableSubscriber", await api.DELETE("/v1/subscribers/{id}/disabled", sub), 200);
  const note = want("addNote", await api.POST("/v1/subscribers/{id}/notes", { ...sub, body: { text: "Prefers email" } }), 201);
  want("listNotes", await api.GET("/v1/subscribers/{id}/notes", sub), 200);
  const noteRef = { headers: admin, params: { path: { id: note.id } } };
  want("editNote", await api.PATCH("/v1/notes/{id}", { ...noteRef, body: { text: "Prefers phone" } }), 200);
  want("deleteNote", await api.DELETE("/v1/notes/{id}", noteRef), 204);

  // Deals.
  want("listDeals", await api.GET("/v1/deals", { headers: admin, params: { query: { subscriber_id: subID } } }), 200);
  const deal = want("createDeal", await api.POST("/v1/deals", {
    headers: admin, body: { pipeline_id: pipe.id, name: "Order", amount: 10, currency: "EUR", subscriber_id: subID },
  }), 201);
  const dealRef = { headers: admin, params: { path: { id: deal.id } } };
  want("getDeal", await api.GET("/v1/deals/{id}", dealRef), 200);
  want("updateDeal", await api.PATCH("/v1/deals/{id}", { ...dealRef, body: { amount: 12.5 } }), 200);
  want("deleteDeal", await api.DELETE("/v1/deals/{id}", dealRef), 204);

  // Flows and the bot engine's feed.
  const botRef = { headers: admin, params: { path: { id: bot.id } } };
  const flow = want("createFlow", await api.POST("/v1/bots/{id}/flows", { ...botRef, body: { name: "Welcome", steps: [{ text: "Step one" }] } }), 201);
  want("listFlows", await api.GET("/v1/bots/{id}/flows", botRef), 200);
  want("updateFlow", await api.PATCH("/v1/flows/{id}", { headers: admin, params: { path: { id: flow.id } }, body: { name: "Welcome 2" } }), 200);
  want("startFlow", await api.PUT("/v1/subscribers/{id}/flow", { ...sub, body: { flow_id: flow.id } }), 200);
  want("stopFlow", await api.DELETE("/v1/subscribers/{id}/flow", sub), 200);
  const spareFlow = want("createFlow", await api.POST("/v1/bots/{id}/flows", { ...botRef, body: { name: "Spare", steps: [{ text: "x" }] } }), 201);
  want("deleteFlow", await api.DELETE("/v1/flows/{id}", { headers: admin, params: { path: { id: spareFlow.id } } }), 204);
  want("listCommands", await api.GET("/v1/bots/{id}/commands", { headers: engine, params: { path: { id: bot.id }, query: { limit: 100 } } }), 200);
  want("botStats", await api.GET("/v1/bots/{id}/stats", botRef), 200);
  want("deleteSubscriber", await api.DELETE("/v1/subscribers/{id}", { headers: admin, params: { path: { id: second.subscriber_id! } } }), 204);

  // Delta-sync: pull, then push what an app changed offline, in both body forms.
  const pulled = want("syncPull", await api.GET("/v1/sync", { headers: admin, params: { query: { limit: 500 } } }), 200);
  const chats: Schemas["SyncConversation"][] = pulled.changes.conversations.created;
  if (chats.length === 0) throw new Error("the first sync has no chats");
  const head = want("syncHead", await api.GET("/v1/sync/head", { headers: admin }), 200);
  if (!(head.timestamp >= 1)) throw new Error("sync head timestamp " + head.timestamp);
  const changes: Schemas["SyncPushChanges"] = {
    // WatermelonDB sends whole raw records: the columns the server does not take are ignored.
    messages: { created: [{ id: "app-msg-1", conversation_id: convID, text: "Written offline", _status: "created", _changed: "" }], updated: [], deleted: [] },
    notes: { created: [{ id: "app-note-1", subscriber_id: subID, text: "Offline note" }], updated: [], deleted: [] },
    conversations: { created: [], updated: [{ id: convID, unread: false, tags: JSON.stringify(["vip", "offline"]) }], deleted: [] },
    subscribers: { created: [], updated: [{ id: subID, variables: JSON.stringify({ source: "app" }) }], deleted: [] },
    bots: { created: [], updated: [], deleted: [] },
  };
  const last = { query: { last_pulled_at: pulled.timestamp } };
  const pushed = want("syncPush", await api.POST("/v1/sync", { headers: admin, params: last, body: { changes } }), 200);
  if (pushed.applied === 0) throw new Error("the push applied nothing");
  want("syncPush", await api.POST("/v1/sync", {
    headers: admin, params: last, body: { notes: { created: [{ id: "app-note-2", subscriber_id: subID, text: "Second" }] } },
  }), 200);

  // Alerts: a device, the Telegram bot linked through its webhook, a test push.
  const device = want("registerDevice", await api.POST("/v1/push/devices", {
    headers: admin, body: { kind: "fcm", name: "Pixel", token: "fcm-registration-token-ts" },
  }), 201);
  want("getPushPreferences", await api.GET("/v1/push/preferences", { headers: admin }), 200);
  want("setPushPreferences", await api.PATCH("/v1/push/preferences", { headers: admin, body: { events: { message: { email: false } } } }), 200);
  const link = want("linkTelegram", await api.POST("/v1/push/telegram/link", { headers: agent }), 201);
  const update = {
    update_id: 1001,
    message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: { id: 5151, type: "private", first_name: "Agent" },
      from: { id: 5151, is_bot: false, first_name: "Agent" }, text: `/start ${link.code}` },
  };
  want("telegramWebhook", await api.POST("/v1/push/telegram/webhook", {
    params: { header: { "X-Telegram-Bot-Api-Secret-Token": env("SB_TELEGRAM_SECRET") } }, body: update,
  }), 200);
  const devices = want("listDevices", await api.GET("/v1/push/devices", { headers: agent }), 200);
  const tg = devices.items.find((d) => d.kind === "telegram");
  if (!tg) throw new Error(`no Telegram device after linking: ${JSON.stringify(devices)}`);
  want("testPush", await api.POST("/v1/push/devices/{id}/test", { headers: agent, params: { path: { id: tg.id } } }), 200);
  want("removeDevice", await api.DELETE("/v1/push/devices/{id}", { headers: admin, params: { path: { id: device.id } } }), 204);
  want("unlinkTelegram", await api.DELETE("/v1/push/telegram/link", { headers: agent }), 204);
  const alerts = want("listAlerts", await api.GET("/v1/push/alerts", { headers: admin, params: { query: { limit: 50 } } }), 200);
  const alert = alerts.items[0];
  if (!alert) throw new Error("no alert");
  want("getAlert", await api.GET("/v1/push/alerts/{id}", { headers: admin, params: { path: { id: alert.id } } }), 200);

  // Native messenger connections: bots on the Telegram and Viber fakes.
  const tgBot = want("createBot", await api.POST("/v1/bots", {
    headers: admin, body: { channel: "telegram", name: "Native telegram", credentials: { token: env("SB_TELEGRAM_TOKEN") } },
  }), 201);
  const vbBot = want("createBot", await api.POST("/v1/bots", {
    headers: admin, body: { channel: "viber", name: "Native viber", credentials: { auth_token: env("SB_VIBER_TOKEN") } },
  }), 201);
  const vbRef = { headers: admin, params: { path: { id: vbBot.id } } };
  want("disconnectBot", await api.POST("/v1/bots/{id}/disconnect", vbRef), 200);
  want("reconnectBot", await api.POST("/v1/bots/{id}/connect", { ...vbRef, body: {} }), 200);
  console.log(JSON.stringify({ native: { telegram: tgBot.id, viber: vbBot.id } }));
  const fx = await readFixtures();
  want("messengerWebhook", await api.POST("/v1/hooks/{channel}/{ws}/{id}", {
    params: { path: { channel: "telegram", ws: fx.workspace, id: tgBot.id } },
    headers: { "X-Telegram-Bot-Api-Secret-Token": fx.telegram_secret }, body: fx.telegram_update,
  }), 200);
  const tgRef = { headers: admin, params: { path: { id: tgBot.id } } };
  const failed = want("listBotUpdates", await api.GET("/v1/bots/{id}/updates", { ...tgRef, params: { ...tgRef.params, query: { state: "failed" } } }), 200);
  if (!failed.items.some((u) => u.id === fx.failed_update)) throw new Error(`failed updates ${JSON.stringify(failed)}`);
  want("retryBotUpdate", await api.POST("/v1/bots/{id}/updates/{update_id}/retry", {
    headers: admin, params: { path: { id: tgBot.id, update_id: fx.failed_update } },
  }), 200);
  want("retryMessage", await api.POST("/v1/conversations/{id}/messages/{message_id}/retry", {
    headers: admin, params: { path: { id: fx.conversation, message_id: fx.failed_message } }, body: {},
  }), 201);
  const media = new URL(fx.media_url);
  const [, , , mediaWS, mediaID] = media.pathname.split("/"); // /v1/media/{ws}/{id}
  if (!mediaWS || !mediaID) throw new Error(`media URL ${fx.media_url}`);
  want("signedMedia", await api.GET("/v1/media/{ws}/{id}", {
    params: { path: { ws: mediaWS, id: mediaID }, query: { exp: media.searchParams.get("exp") ?? "", sig: media.searchParams.get("sig") ?? "" } },
    parseAs: "text",
  }), 200);

  want("logout", await api.POST("/v1/auth/logout", { body: { refresh_token: fresh.refresh_token } }), 204);

  console.log(JSON.stringify({ operations: [...called].sort() }));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
