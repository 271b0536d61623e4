package inbox

import (
	"context"
	"strconv"
	"strings"

	"github.com/switchboardhq/switchboard/models"
)

// BotInput is an admin's description of a bot; nil fields stay as they are
// on update.
type BotInput struct {
	Channel     models.Channel
	Name        *string
	Credentials map[string]string
	Queue       *[]string
	PipelineID  *string
	StageID     *string
	Greeting    *string
	AutoReply   *string
	Delivery    *models.DeliveryMode
	OpenOn      *models.OpenOn
	// ID and Connection are set by the native connection (package
	// channels), which checks the credentials with the messenger first.
	ID         string
	Connection *models.Connection
}

// Hint shows the end of each credential, enough to recognise it.
func Hint(creds map[string]string) map[string]string {
	out := make(map[string]string, len(creds))
	for k, v := range creds {
		if len(v) <= 4 {
			out[k] = strings.Repeat("•", len(v))
			continue
		}
		out[k] = "…" + v[len(v)-4:]
	}
	return out
}

// checkQueue requires every queued manager to be an active admin or employee.
func (s *Service) checkQueue(ctx context.Context, ws string, queue []string) error {
	seen := map[string]bool{}
	for i, id := range queue {
		field := "queue[" + strconv.Itoa(i) + "]"
		if seen[id] {
			return models.Invalid("bad queue", models.FieldError{Field: field, Message: "is listed twice"})
		}
		seen[id] = true
		m, err := s.st.Members.Member(ctx, ws, id)
		if models.IsNotFound(err) {
			return models.Invalid("bad queue", models.FieldError{Field: field, Message: "is not a member of this workspace"})
		}
		if err != nil {
			return err
		}
		if !m.Role.CanHandleChats() {
			return models.Invalid("bad queue", models.FieldError{Field: field, Message: "must be an admin or employee"})
		}
	}
	return nil
}

// CreateBot connects a bot (admins only).
func (s *Service) CreateBot(ctx context.Context, p models.Principal, in BotInput) (*models.Bot, error) {
	if err := requireAdmin(p, "connect bots"); err != nil {
		return nil, err
	}
	b := &models.Bot{ID: in.ID, Channel: in.Channel, Credentials: in.Credentials, Queue: []string{},
		Delivery: models.DeliveryEngine, OpenOn: models.OpenOnEngine, Connection: in.Connection, Stamp: models.Stamp{WS: p.WS}}
	if b.ID == "" {
		b.ID = models.NewID()
	}
	if in.Delivery != nil {
		b.Delivery = *in.Delivery
	}
	if b.Native() {
		b.OpenOn = models.OpenOnMessage // the Flowlu behaviour
	}
	if in.OpenOn != nil {
		b.OpenOn = *in.OpenOn
	}
	if b.Credentials == nil {
		b.Credentials = map[string]string{}
	}
	b.CredentialsHint = Hint(b.Credentials)
	if in.Name != nil {
		b.Name = *in.Name
	}
	if in.Queue != nil {
		if err := s.checkQueue(ctx, p.WS, *in.Queue); err != nil {
			return nil, err
		}
		b.Queue = *in.Queue
	}
	for dst, src := range map[*string]*string{&b.PipelineID: in.PipelineID, &b.StageID: in.StageID, &b.Greeting: in.Greeting, &b.AutoReply: in.AutoReply} {
		if src != nil {
			*dst = *src
		}
	}
	if b.PipelineID != "" {
		stage, err := s.stageOf(ctx, p.WS, b.PipelineID, b.StageID, "stage_id")
		if err != nil {
			return nil, err
		}
		b.StageID = stage
	} else if b.StageID != "" {
		return nil, models.Invalid("a stage needs its pipeline", models.FieldError{Field: "pipeline_id", Message: "is required with stage_id"})
	}
	if err := s.st.Bots.CreateBot(ctx, b); err != nil {
		return nil, err
	}
	return b, nil
}

// UpdateBot changes a bot (admins only).
func (s *Service) UpdateBot(ctx context.Context, p models.Principal, id string, in BotInput) (*models.Bot, error) {
	if err := requireAdmin(p, "change bots"); err != nil {
		return nil, err
	}
	cur, err := s.st.Bots.Bot(ctx, p.WS, id)
	if err != nil {
		return nil, err
	}
	if in.PipelineID != nil || in.StageID != nil {
		pipeline, stage := cur.PipelineID, ""
		if in.PipelineID != nil {
			pipeline = *in.PipelineID
		}
		if in.StageID != nil {
			stage = *in.StageID
		}
		if pipeline != "" {
			if stage, err = s.stageOf(ctx, p.WS, pipeline, stage, "stage_id"); err != nil {
				return nil, err
			}
		}
		in.PipelineID, in.StageID = &pipeline, &stage
	}
	if in.Delivery != nil && *in.Delivery != cur.Delivery {
		return nil, models.Invalid("a bot's delivery cannot change", models.FieldError{Field: "delivery", Message: "cannot change; connect a new bot"})
	}
	if in.Credentials != nil && cur.Native() {
		return nil, models.Invalid("a native bot's credentials change by reconnecting",
			models.FieldError{Field: "credentials", Message: "use POST /v1/bots/{id}/connect, which checks them with the messenger"})
	}
	upd := models.BotUpdate{Name: in.Name, PipelineID: in.PipelineID, StageID: in.StageID, Greeting: in.Greeting, AutoReply: in.AutoReply,
		OpenOn: in.OpenOn, Connection: in.Connection}
	if in.Credentials != nil {
		upd.Credentials, upd.CredentialsHint = in.Credentials, Hint(in.Credentials)
	}
	if in.Queue != nil {
		if err := s.checkQueue(ctx, p.WS, *in.Queue); err != nil {
			return nil, err
		}
		upd.Queue, upd.QueueNext = in.Queue, ptr(0)
	}
	return s.st.Bots.UpdateBot(ctx, p.WS, id, upd)
}

// DeleteBot disconnects a bot (admins only).
func (s *Service) DeleteBot(ctx context.Context, p models.Principal, id string) error {
	if err := requireAdmin(p, "disconnect bots"); err != nil {
		return err
	}
	return s.st.Bots.DeleteBot(ctx, p.WS, id)
}

// Bot returns a bot; every member and API key of the workspace may read bots.
func (s *Service) Bot(ctx context.Context, p models.Principal, id string) (*models.Bot, error) {
	return s.st.Bots.Bot(ctx, p.WS, id)
}

// Bots lists the workspace's bots.
func (s *Service) Bots(ctx context.Context, p models.Principal) ([]*models.Bot, error) {
	return s.st.Bots.Bots(ctx, p.WS)
}
