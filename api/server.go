// Package api is Switchboard's REST API on echo: routes, handlers,
// authentication, input validation and the one mapping from application
// errors to HTTP problem+json responses.
package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo-contrib/echoprometheus"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/switchboardhq/switchboard/auth"
	"github.com/switchboardhq/switchboard/models"
)

// Auth is what the handlers need of the team and identity service.
type Auth interface {
	Login(ctx context.Context, in auth.LoginAttempt) (*auth.Tokens, error)
	Refresh(ctx context.Context, refresh string) (*auth.Tokens, error)
	Logout(ctx context.Context, refresh string) error
	AcceptInvite(ctx context.Context, token, password, name, userAgent string) (*auth.Tokens, error)
	Authenticate(ctx context.Context, credential string) (models.Principal, *models.Member, error)
	ChangePassword(ctx context.Context, p models.Principal, current, next string) error

	Workspace(ctx context.Context, p models.Principal) (*models.Workspace, error)
	UpdateWorkspace(ctx context.Context, p models.Principal, upd models.WorkspaceUpdate) (*models.Workspace, error)
	Member(ctx context.Context, p models.Principal, id string) (*models.Member, error)
	Members(ctx context.Context, p models.Principal, f models.MemberFilter) ([]*models.Member, string, error)
	CreateMember(ctx context.Context, p models.Principal, in auth.NewMember) (*models.Member, string, error)
	UpdateMember(ctx context.Context, p models.Principal, id string, upd models.MemberUpdate) (*models.Member, error)

	CreateAPIKey(ctx context.Context, p models.Principal, name string) (*models.APIKey, string, error)
	APIKeys(ctx context.Context, p models.Principal) ([]*models.APIKey, error)
	APIKey(ctx context.Context, p models.Principal, id string) (*models.APIKey, error)
	RevokeAPIKey(ctx context.Context, p models.Principal, id string) error
}

// Pinger reports whether the store is reachable.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Options configures the server.
type Options struct {
	Auth Auth
	// Inbox is required: its handlers are bound when the routes are made.
	Inbox Inbox
	// Sync serves /v1/sync; nil leaves the route answering 503.
	Sync Sync
	// Push serves /v1/push/...; nil leaves those routes answering 503.
	Push Push
	// VAPIDPublicKey is served to browsers ("" when web push is off).
	VAPIDPublicKey string
	// TelegramSecret and TelegramWebhook take the notifications bot's
	// webhook; both unset when it uses long polling or is off.
	TelegramSecret  string
	TelegramWebhook func(ctx context.Context, update []byte)
	// Console is the browser console, served at every GET path the API
	// does not own (nil: none).
	Console http.Handler
	// Channels connects native bots; nil: every bot is its engine's.
	Channels Channels
	Store    Pinger
	// Spec is the OpenAPI document served at /openapi.yaml.
	Spec []byte
	// BodyLimit is the largest accepted request body in bytes (default 1 MiB).
	BodyLimit int64
	// TrustProxy makes the client address come from X-Forwarded-For.
	TrustProxy bool
	// Registry receives the HTTP metrics and serves /metrics.
	Registry *prometheus.Registry
}

// Server is the HTTP API.
type Server struct {
	e     *echo.Echo
	auth  Auth
	inbox Inbox
	opt   Options
}

// New builds the server and its routes.
func New(opt Options) *Server {
	if opt.BodyLimit <= 0 {
		opt.BodyLimit = 1 << 20
	}
	if opt.Registry == nil {
		opt.Registry = prometheus.NewRegistry()
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = handleError
	e.IPExtractor = echo.ExtractIPDirect()
	if opt.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	s := &Server{e: e, auth: opt.Auth, inbox: opt.Inbox, opt: opt}

	// The metrics wrap the panic recovery, so a panic is counted as the 500 it answers.
	e.Use(requestID, accessLog(), httpMetrics(opt.Registry), recoverPanics(), securityHeaders)
	e.Use(bodyLimit(opt.BodyLimit))
	s.routes()
	return s
}

func (s *Server) routes() {
	e := s.e
	// One rule for every route's query string (see query.go).
	e.Use(strictQuery)
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", echoprometheus.NewHandlerWithConfig(echoprometheus.HandlerConfig{Gatherer: s.opt.Registry}))
	e.GET("/openapi.yaml", s.spec)

	// Middleware is attached per route, not per group: a group's middleware
	// would add catch-all routes that turn 405 answers into 404s.
	e.POST("/v1/auth/login", s.login)
	e.POST("/v1/auth/refresh", s.refresh)
	e.POST("/v1/auth/logout", s.logout)
	e.POST("/v1/auth/accept-invite", s.acceptInvite)

	anyone := []echo.MiddlewareFunc{s.authenticate}
	people := []echo.MiddlewareFunc{s.authenticate, membersOnly}
	e.GET("/v1/me", s.me, anyone...)
	e.POST("/v1/me/password", s.changePassword, people...)
	e.GET("/v1/workspace", s.workspace, anyone...)
	e.PATCH("/v1/workspace", s.updateWorkspace, people...)

	e.GET("/v1/members", s.listMembers, people...)
	e.POST("/v1/members", s.createMember, people...)
	e.GET("/v1/members/:id", s.getMember, people...)
	e.PATCH("/v1/members/:id", s.updateMember, people...)
	e.GET("/v1/api-keys", s.listAPIKeys, people...)
	e.POST("/v1/api-keys", s.createAPIKey, people...)
	e.GET("/v1/api-keys/:id", s.getAPIKey, people...)
	e.DELETE("/v1/api-keys/:id", s.revokeAPIKey, people...)

	e.GET("/v1/bots", s.listBots, anyone...)
	e.POST("/v1/bots", s.createBot, people...)
	e.GET("/v1/bots/:id", byID(http.StatusOK, s.inbox.Bot), anyone...)
	e.PATCH("/v1/bots/:id", s.updateBot, people...)
	e.DELETE("/v1/bots/:id", s.deleteBot, people...)
	e.POST("/v1/bots/:id/events", s.ingestEvent, anyone...)

	e.GET("/v1/conversations", s.listConversations, people...)
	e.POST("/v1/conversations", s.openConversation, people...)
	e.GET("/v1/conversations/counts", s.conversationCounts, people...)
	e.GET("/v1/conversations/:id", s.convAction(func(ctx context.Context, p models.Principal, id string) (*models.Conversation, error) {
		return s.inbox.Conversation(ctx, p, id)
	}), people...)
	e.POST("/v1/conversations/:id/close", s.convAction(func(ctx context.Context, p models.Principal, id string) (*models.Conversation, error) {
		return s.inbox.Close(ctx, p, id)
	}), people...)
	e.POST("/v1/conversations/:id/reopen", s.convAction(func(ctx context.Context, p models.Principal, id string) (*models.Conversation, error) {
		return s.inbox.Reopen(ctx, p, id)
	}), people...)
	e.POST("/v1/conversations/:id/read", s.convAction(func(ctx context.Context, p models.Principal, id string) (*models.Conversation, error) {
		return s.inbox.MarkRead(ctx, p, id)
	}), people...)
	e.PUT("/v1/conversations/:id/assignee", s.assignConversation, people...)
	e.PUT("/v1/conversations/:id/followers/:member_id", s.setFollower(true), people...)
	e.DELETE("/v1/conversations/:id/followers/:member_id", s.setFollower(false), people...)
	e.PUT("/v1/conversations/:id/tags", s.setConversationTags, people...)
	e.PUT("/v1/conversations/:id/mute", s.setMuted(true), people...)
	e.DELETE("/v1/conversations/:id/mute", s.setMuted(false), people...)
	e.GET("/v1/conversations/:id/messages", s.listMessages, people...)
	e.POST("/v1/conversations/:id/messages", s.sendMessage, people...)
	e.DELETE("/v1/conversations/:id/messages/:message_id", s.deleteMessage, people...)

	subGet, subEdit, subAutomation, subDelete, noteAdd, noteEdit, noteDelete := s.subscriberHandlers()
	e.GET("/v1/subscribers", s.listSubscribers, people...)
	e.GET("/v1/subscribers/:id", subGet, people...)
	e.PATCH("/v1/subscribers/:id", subEdit, people...)
	e.DELETE("/v1/subscribers/:id", subDelete, people...)
	e.POST("/v1/subscribers/:id/automation", subAutomation, people...)
	e.PUT("/v1/subscribers/:id/disabled", s.setDisabled(true), people...)
	e.DELETE("/v1/subscribers/:id/disabled", s.setDisabled(false), people...)
	e.GET("/v1/subscribers/:id/notes", s.listNotes, people...)
	e.POST("/v1/subscribers/:id/notes", noteAdd, people...)
	e.PATCH("/v1/notes/:id", noteEdit, people...)
	e.DELETE("/v1/notes/:id", noteDelete, people...)

	e.PUT("/v1/conversations/:id/links", s.setLinks, people...)
	plGet, plUpdate, plDelete, dealGet, dealUpdate, dealDelete := s.crmHandlers()
	e.GET("/v1/pipelines", s.listPipelines, people...)
	e.POST("/v1/pipelines", s.createPipeline, people...)
	e.GET("/v1/pipelines/:id", plGet, people...)
	e.PATCH("/v1/pipelines/:id", plUpdate, people...)
	e.DELETE("/v1/pipelines/:id", plDelete, people...)
	e.GET("/v1/deals", s.listDeals, people...)
	e.POST("/v1/deals", s.createDeal, people...)
	e.GET("/v1/deals/:id", dealGet, people...)
	e.PATCH("/v1/deals/:id", dealUpdate, people...)
	e.DELETE("/v1/deals/:id", dealDelete, people...)

	flowCreate, flowUpdate, flowDelete, flowStart, flowStop := s.flowHandlers()
	e.GET("/v1/bots/:id/flows", s.listFlows, people...)
	e.POST("/v1/bots/:id/flows", flowCreate, people...)
	e.PATCH("/v1/flows/:id", flowUpdate, people...)
	e.DELETE("/v1/flows/:id", flowDelete, people...)
	e.PUT("/v1/subscribers/:id/flow", flowStart, people...)
	e.DELETE("/v1/subscribers/:id/flow", flowStop, people...)
	e.GET("/v1/bots/:id/commands", s.listCommands, anyone...)
	e.GET("/v1/bots/:id/stats", s.botStats, anyone...)
	e.POST(uploadRoute, s.uploadFile, people...)
	// Pull answers are large JSON: compressed when the app accepts it.
	gzip := middleware.GzipWithConfig(middleware.GzipConfig{Level: 5, MinLength: 1024})
	e.GET("/v1/sync", s.pull, s.authenticate, membersOnly, gzip)
	e.GET("/v1/sync/head", s.syncHead, s.authenticate, membersOnly)
	e.POST("/v1/sync", s.push, people...)
	e.GET("/v1/files/:id", s.downloadFile, people...)
	s.pushRoutes(people)
	s.channelRoutes(people)
	s.consoleRoutes()
}

// uploadRoute takes attachments, with a body limit of its own.
const uploadRoute = "/v1/conversations/:id/files"

// Handler is the server as an http.Handler.
func (s *Server) Handler() http.Handler { return s.e }

// Inbox exposes the inbox service the server was built with, for benchmarks
// that compare the HTTP layer with direct calls.
func (s *Server) Inbox() Inbox { return s.inbox }

// Echo exposes the router, for tests and route listings.
func (s *Server) Echo() *echo.Echo { return s.e }

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := s.opt.Store.Ping(ctx); err != nil {
		return &models.Error{Code: models.CodeUnavailable, Message: "the store is not reachable", Cause: err}
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) spec(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/yaml", s.opt.Spec)
}
