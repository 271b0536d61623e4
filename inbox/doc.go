// Package inbox holds the live-chat domain rules: opening, closing and
// reopening chats, assignment queues, automation pauses, reply windows,
// notes and CRM deals. It depends only on the models interfaces.
//
// Every operation that takes more than one write records itself in the
// chat with its first write and is finished, exactly once, by whoever
// touches the chat next or by Recover at start (see pending.go), so a
// process that dies between any two writes loses nothing and doubles
// nothing, on any store with single-document atomic updates.
package inbox
