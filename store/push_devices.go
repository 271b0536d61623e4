package store

import (
	"context"
	"time"

	"github.com/switchboardhq/switchboard/models"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ models.DeviceStore = (*DB)(nil)

// DeviceID is the id of the device with address key in ws: registering the
// same token, subscription or chat again finds the same device.
func DeviceID(ws, key string) string { return models.DerivedID("d", ws, key) }

// SaveDevice inserts d or updates the device with its key; the key
// belongs to one member of the workspace at a time.
func (d *DB) SaveDevice(ctx context.Context, dev *models.Device) (*models.Device, error) {
	dev.ID = DeviceID(dev.WS, dev.Key)
	now := d.nowMS()
	set := bson.D{{Key: "ws", Value: dev.WS}, {Key: "member_id", Value: dev.MemberID}, {Key: "kind", Value: dev.Kind},
		{Key: "name", Value: dev.Name}, {Key: "token", Value: dev.Token}, {Key: "topic", Value: dev.Topic},
		{Key: "sandbox", Value: dev.Sandbox}, {Key: "endpoint", Value: dev.Endpoint}, {Key: "p256dh", Value: dev.P256dh},
		{Key: "auth", Value: dev.Auth}, {Key: "telegram_chat_id", Value: dev.TelegramChatID},
		{Key: "telegram_username", Value: dev.TelegramUsername}, {Key: "key", Value: dev.Key}}
	_, err := d.db.Collection(colPushDevices).UpdateOne(ctx, bson.D{{Key: "_id", Value: dev.ID}},
		bson.D{{Key: "$set", Value: set}, {Key: "$setOnInsert", Value: bson.D{{Key: "created_at", Value: now}}}},
		options.UpdateOne().SetUpsert(true))
	if err != nil {
		return nil, internal(err)
	}
	return d.Device(ctx, dev.WS, dev.ID)
}

// Device returns the device id of ws.
func (d *DB) Device(ctx context.Context, ws, id string) (*models.Device, error) {
	var dev models.Device
	if err := d.findOne(ctx, colPushDevices, bson.D{{Key: "_id", Value: id}}, &dev, "device"); err != nil {
		return nil, err
	}
	if dev.WS != ws {
		return nil, notFound("device")
	}
	return &dev, nil
}

// Devices lists the devices of the given members (nil: every member of ws).
func (d *DB) Devices(ctx context.Context, ws string, memberIDs []string) ([]*models.Device, error) {
	filter := bson.D{{Key: "ws", Value: ws}}
	if memberIDs != nil {
		filter = append(filter, bson.E{Key: "member_id", Value: bson.D{{Key: "$in", Value: memberIDs}}})
	}
	out := []*models.Device{}
	err := d.findAll(ctx, colPushDevices, filter, &out, options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}))
	return out, err
}

// DeleteDevices removes the devices ids of ws; memberID, when set, limits
// it to that member's devices. It returns how many it removed.
func (d *DB) DeleteDevices(ctx context.Context, ws, memberID string, ids []string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	filter := bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}, {Key: "ws", Value: ws}}
	if memberID != "" {
		filter = append(filter, bson.E{Key: "member_id", Value: memberID})
	}
	res, err := d.db.Collection(colPushDevices).DeleteMany(ctx, filter)
	if err != nil {
		return 0, internal(err)
	}
	return int(res.DeletedCount), nil
}

// DeviceByTelegramChat finds the Telegram device of a chat, in any
// workspace, or returns the typed not-found and no device.
func (d *DB) DeviceByTelegramChat(ctx context.Context, chatID int64) (*models.Device, error) {
	var dev models.Device
	if err := d.findOne(ctx, colPushDevices, bson.D{{Key: "kind", Value: models.DeviceTelegram}, {Key: "telegram_chat_id", Value: chatID}}, &dev, "device"); err != nil {
		return nil, err
	}
	return &dev, nil
}

// NoteOutcomes records each device's last outcome: one updateMany per
// distinct outcome (usually one, "sent"), never a statement per device.
// FerretDB v1.24 holds a SQLite connection per statement of one update
// command until the command ends, so a bulk write of more than 100
// statements, or several large updates at once, stall the embedded store.
func (d *DB) NoteOutcomes(ctx context.Context, ws string, outcomes map[string]string, at time.Time) error {
	if d.idOnly {
		d.manyMu.Lock()
		defer d.manyMu.Unlock()
	}
	groups := map[string][]string{}
	for id, o := range outcomes {
		groups[o] = append(groups[o], id)
	}
	for o, ids := range groups {
		set := bson.D{{Key: "last_outcome", Value: o}}
		if o == string(models.DeliveryDone) {
			set = append(set, bson.E{Key: "last_sent_at", Value: at.UTC()})
		}
		_, err := d.db.Collection(colPushDevices).UpdateMany(ctx,
			bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}, {Key: "ws", Value: ws}},
			bson.D{{Key: "$set", Value: set}})
		if err != nil {
			return internal(err)
		}
	}
	return nil
}

// PushPrefs returns the saved preferences of the given members (nil: all
// of ws); members without saved preferences are absent (everything on).
func (d *DB) PushPrefs(ctx context.Context, ws string, memberIDs []string) (map[string]*models.PushPrefs, error) {
	filter := bson.D{{Key: "ws", Value: ws}}
	if memberIDs != nil {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$in", Value: memberIDs}}})
	}
	var list []*models.PushPrefs
	if err := d.findAll(ctx, colPushPrefs, filter, &list); err != nil {
		return nil, err
	}
	out := make(map[string]*models.PushPrefs, len(list))
	for _, p := range list {
		out[p.MemberID] = p
	}
	return out, nil
}

// ChangePushPrefs turns pairs on and off by two atomic updates ($pullAll,
// then $addToSet; under the document's lock for FerretDB): each pair's
// change lands whatever other changes run meanwhile.
func (d *DB) ChangePushPrefs(ctx context.Context, ws, memberID string, on, off []string) (*models.PushPrefs, error) {
	p, err := d.changePushPrefs(ctx, ws, memberID, on, off)
	if models.ErrorCode(err) == models.CodeConflict {
		// Two first changes of one member raced to insert the document:
		// it exists now, and the change applies to it.
		p, err = d.changePushPrefs(ctx, ws, memberID, on, off)
	}
	return p, err
}

// changePushPrefs is one try of ChangePushPrefs.
func (d *DB) changePushPrefs(ctx context.Context, ws, memberID string, on, off []string) (*models.PushPrefs, error) {
	unlock := d.feed.lockDoc(colPushPrefs, memberID) // FerretDB's updates are read-then-replace
	defer unlock()
	col := d.db.Collection(colPushPrefs)
	id := bson.D{{Key: "_id", Value: memberID}, {Key: "ws", Value: ws}}
	now := d.nowMS()
	if on == nil {
		on = []string{}
	}
	if off == nil {
		off = []string{}
	}
	stamp := bson.E{Key: "$set", Value: bson.D{{Key: "updated_at", Value: now}}}
	pull := bson.E{Key: "$pullAll", Value: bson.D{{Key: "off", Value: on}}}
	add := bson.E{Key: "$addToSet", Value: bson.D{{Key: "off", Value: bson.D{{Key: "$each", Value: off}}}}}
	// One write when the change only turns on or only turns off (what the
	// console sends); MongoDB takes no $pullAll and $addToSet of one field
	// in one update, so a mixed change is two, each pair's part whole, and
	// repeating the change after a failure between them completes it.
	last := bson.D{pull, stamp}
	if len(off) > 0 {
		last = bson.D{add, stamp}
		if len(on) > 0 {
			if _, err := col.UpdateOne(ctx, id, bson.D{pull, stamp}, options.UpdateOne().SetUpsert(true)); err != nil {
				return nil, mapErr(err, "preferences")
			}
		}
	}
	var p models.PushPrefs
	err := col.FindOneAndUpdate(ctx, id, last, options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&p)
	if err != nil {
		return nil, mapErr(err, "preferences")
	}
	if p.Off == nil {
		p.Off = []string{}
	}
	return &p, nil
}

// SavePushPrefs stores a member's preferences whole.
func (d *DB) SavePushPrefs(ctx context.Context, p *models.PushPrefs) error {
	p.UpdatedAt = d.nowMS()
	if p.Off == nil {
		p.Off = []string{}
	}
	_, err := d.db.Collection(colPushPrefs).ReplaceOne(ctx, bson.D{{Key: "_id", Value: p.MemberID}, {Key: "ws", Value: p.WS}}, p,
		options.Replace().SetUpsert(true))
	return mapErr(err, "preferences")
}
