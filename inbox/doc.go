// Package inbox will hold the live-chat domain rules: opening, closing and
// reopening chats, assignment queues, automation pauses, reply windows,
// notes and CRM deals. It depends only on the models interfaces.
package inbox
