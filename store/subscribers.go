package store

import (
	"context"
	"regexp"
	"strings"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ models.SubscriberStore = (*DB)(nil)

// EnsureSubscriber finds the subscriber of s.BotID with s.ExternalID or
// creates s. A deleted subscriber who writes again comes back as new: s
// replaces everything, so the team's tags, variables, contact names, pause
// and disabling are gone.
func (d *DB) EnsureSubscriber(ctx context.Context, s *models.Subscriber) (*models.Subscriber, bool, error) {
	s.CreatedAt = d.nowMS()
	s.NameKey = strings.ToLower(s.Name)
	if s.Variables == nil {
		s.Variables = map[string]string{}
	}
	if s.Tags == nil {
		s.Tags = []string{}
	}
	unique := bson.D{{Key: "ws", Value: s.WS}, {Key: "bot_id", Value: s.BotID}, {Key: "external_id", Value: s.ExternalID}}
	got, created, err := ensure(ctx, d, colSubscribers, s.WS, s.ID, unique, s, &s.Stamp, "subscriber")
	if err != nil || !got.Deleted {
		return got, created, err
	}
	raw, err := bson.Marshal(s)
	if err != nil {
		return nil, false, internal(err)
	}
	var fresh bson.D
	if err := bson.Unmarshal(raw, &fresh); err != nil {
		return nil, false, internal(err)
	}
	set := bson.D{}
	for _, e := range fresh {
		if e.Key != "_id" && e.Key != "seq" && e.Key != "updated_at" {
			set = append(set, e)
		}
	}
	set = setFields(set, bson.E{Key: "deleted", Value: false})
	unset, have := bson.D{}, keysOf(set)
	for _, k := range []string{"first_name", "last_name", "automation_paused_until", "active_flow", "username", "avatar_url",
		"phone", "email", "instagram", "telegram_group", "referral", "subscribed_at", "last_activity_at", "last_inbound_at"} {
		if !have[k] {
			unset = append(unset, bson.E{Key: k, Value: ""})
		}
	}
	// Decoded into a fresh record: decoding into got would leave the
	// tombstone's values in the fields the revival unset.
	var back models.Subscriber
	if err := d.feed.update(ctx, d.db.Collection(colSubscribers), s.WS, got.ID,
		change{revive: true, set: set, unset: unset}, &back); err != nil {
		return nil, false, mapErr(err, "subscriber")
	}
	return &back, true, nil
}

// keysOf indexes a document's keys.
func keysOf(d bson.D) map[string]bool {
	out := make(map[string]bool, len(d))
	for _, e := range d {
		out[e.Key] = true
	}
	return out
}

// Subscriber returns a live subscriber of ws.
func (d *DB) Subscriber(ctx context.Context, ws, id string) (*models.Subscriber, error) {
	var s models.Subscriber
	if err := d.byID(ctx, colSubscribers, ws, id, &s, "subscriber"); err != nil {
		return nil, err
	}
	return &s, nil
}

// Subscribers lists subscribers by name; the cursor is the last id.
func (d *DB) Subscribers(ctx context.Context, ws string, f models.SubscriberFilter) ([]*models.Subscriber, string, error) {
	if f.Page.Limit <= 0 {
		return []*models.Subscriber{}, "", nil
	}
	filter := live(ws)
	if f.BotID != "" {
		filter = append(filter, bson.E{Key: "bot_id", Value: f.BotID})
	}
	if f.NamePrefix != "" {
		filter = append(filter, bson.E{Key: "name_key", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(strings.ToLower(f.NamePrefix))}}})
	}
	var id bson.D // one condition on _id: the ids asked for, after the cursor
	if len(f.IDs) > 0 {
		id = append(id, bson.E{Key: "$in", Value: f.IDs})
	}
	if f.Page.Cursor != "" {
		id = append(id, bson.E{Key: "$gt", Value: f.Page.Cursor})
	}
	if len(id) > 0 {
		filter = append(filter, bson.E{Key: "_id", Value: id})
	}
	out := []*models.Subscriber{}
	if err := d.findAll(ctx, colSubscribers, filter, &out,
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(f.Page.Limit+1))); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > f.Page.Limit {
		out = out[:f.Page.Limit]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

// UpdateSubscriber applies upd through the change feed. A field that upd
// sets twice (a profile's phone or variable and the update's own) takes
// the update's own value.
func (d *DB) UpdateSubscriber(ctx context.Context, ws, id string, upd models.SubscriberUpdate) (*models.Subscriber, error) {
	var set bson.D
	add := func(k string, v any) { set = setFields(set, bson.E{Key: k, Value: v}) }
	if p := upd.Profile; p != nil {
		if p.Name != "" {
			add("name", p.Name)
			add("name_key", strings.ToLower(p.Name))
		}
		for k, v := range map[string]string{"username": p.Username, "avatar_url": p.AvatarURL, "phone": p.Phone, "email": p.Email} {
			if v != "" {
				add(k, v)
			}
		}
		for k, v := range p.Variables {
			add("variables."+k, v)
		}
		if p.Instagram != nil {
			add("instagram", p.Instagram)
		}
		if p.TelegramGroup != nil {
			add("telegram_group", p.TelegramGroup)
		}
		if p.Referral != nil {
			add("referral", p.Referral)
		}
	}
	if upd.FirstName != nil {
		add("first_name", *upd.FirstName)
	}
	if upd.LastName != nil {
		add("last_name", *upd.LastName)
	}
	if upd.Phone != nil {
		add("phone", *upd.Phone)
	}
	if upd.Email != nil {
		add("email", *upd.Email)
	}
	for k, v := range upd.Variables {
		add("variables."+k, v)
	}
	if upd.Tags != nil {
		add("tags", *upd.Tags)
	}
	if upd.Subscribed != nil {
		add("subscribed", *upd.Subscribed)
	}
	if upd.SubscribedAt != nil {
		add("subscribed_at", upd.SubscribedAt.UTC())
	}
	if upd.LastActivityAt != nil {
		add("last_activity_at", upd.LastActivityAt.UTC())
	}
	if upd.LastInboundAt != nil {
		add("last_inbound_at", upd.LastInboundAt.UTC())
	}
	if upd.Disabled != nil {
		add("disabled", *upd.Disabled)
	}
	if upd.AutomationPausedUntil != nil {
		add("automation_paused_until", *upd.AutomationPausedUntil)
	}
	var s models.Subscriber
	if err := d.feed.update(ctx, d.db.Collection(colSubscribers), ws, id, change{set: set}, &s); err != nil {
		return nil, mapErr(err, "subscriber")
	}
	return &s, nil
}

// DeleteSubscriber soft-deletes the subscriber.
func (d *DB) DeleteSubscriber(ctx context.Context, ws, id string) error {
	return d.SoftDelete(ctx, colSubscribers, ws, id)
}
