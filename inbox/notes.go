package inbox

import (
	"context"

	"github.com/switchboardhq/switchboard/models"
)

// subscriberFor loads a subscriber whose chat the caller may see.
func (s *Service) subscriberFor(ctx context.Context, p models.Principal, id string) (*models.Subscriber, error) {
	sub, err := s.st.Subscribers.Subscriber(ctx, p.WS, id)
	if err != nil {
		return nil, err
	}
	if p.Role == models.RoleFollower {
		c, err := s.st.Conversations.ConversationBySubscriber(ctx, p.WS, id)
		if err != nil || !canSee(p, c) {
			return nil, models.NotFound("subscriber")
		}
	}
	return sub, nil
}

// Notes lists the team's notes on a subscriber, newest first.
func (s *Service) Notes(ctx context.Context, p models.Principal, subscriberID string) ([]*models.Note, error) {
	if _, err := s.subscriberFor(ctx, p, subscriberID); err != nil {
		return nil, err
	}
	return s.st.Notes.Notes(ctx, p.WS, subscriberID)
}

// AddNote adds a note (1..2000 characters) by the caller.
func (s *Service) AddNote(ctx context.Context, p models.Principal, subscriberID, text string) (*models.Note, error) {
	return s.addNote(ctx, p, models.NewID(), subscriberID, text, false)
}

// AddNoteWithID adds a note with the id the app gave it offline; a repeat
// by the same author on the same subscriber returns the first note.
func (s *Service) AddNoteWithID(ctx context.Context, p models.Principal, id, subscriberID, text string) (*models.Note, error) {
	return s.addNote(ctx, p, id, subscriberID, text, true)
}

func (s *Service) addNote(ctx context.Context, p models.Principal, id, subscriberID, text string, clientID bool) (*models.Note, error) {
	if err := requireAgent(p, "write notes"); err != nil {
		return nil, err
	}
	if err := CheckText("text", text, MaxNoteLen); err != nil {
		return nil, err
	}
	if _, err := s.subscriberFor(ctx, p, subscriberID); err != nil {
		return nil, err
	}
	if clientID {
		prev, err := s.st.Notes.Note(ctx, p.WS, id)
		if err == nil {
			if prev.AuthorID != p.MemberID || prev.SubscriberID != subscriberID {
				return nil, models.Errorf(models.CodeConflict, "a different note has this id")
			}
			return prev, nil
		}
		if !models.IsNotFound(err) {
			return nil, err
		}
	}
	n := &models.Note{ID: id, SubscriberID: subscriberID, AuthorID: p.MemberID, Text: text}
	if err := s.st.Notes.CreateNote(ctx, p.WS, n); err != nil {
		return nil, err
	}
	return n, nil
}

// EditableNote returns a note the caller may change: theirs, or any for an admin.
func (s *Service) EditableNote(ctx context.Context, p models.Principal, id string) (*models.Note, error) {
	return s.ownNote(ctx, p, id)
}

// ownNote loads a note its author or an admin may change.
func (s *Service) ownNote(ctx context.Context, p models.Principal, id string) (*models.Note, error) {
	if err := requireAgent(p, "change notes"); err != nil {
		return nil, err
	}
	n, err := s.st.Notes.Note(ctx, p.WS, id)
	if err != nil {
		return nil, err
	}
	if n.AuthorID != p.MemberID && p.Role != models.RoleAdmin {
		return nil, models.Errorf(models.CodeForbidden, "only the note's author or an admin may change it")
	}
	return n, nil
}

// EditNote replaces a note's text.
func (s *Service) EditNote(ctx context.Context, p models.Principal, id, text string) (*models.Note, error) {
	if err := CheckText("text", text, MaxNoteLen); err != nil {
		return nil, err
	}
	if _, err := s.ownNote(ctx, p, id); err != nil {
		return nil, err
	}
	return s.st.Notes.UpdateNoteText(ctx, p.WS, id, text, s.now())
}

// DeleteNote deletes a note.
func (s *Service) DeleteNote(ctx context.Context, p models.Principal, id string) error {
	if _, err := s.ownNote(ctx, p, id); err != nil {
		return err
	}
	return s.st.Notes.DeleteNote(ctx, p.WS, id)
}
