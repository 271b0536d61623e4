package benchseed

import (
	"fmt"
	"strings"
)

// The text of seeded messages: sentences of a support chat, varied by a
// cheap deterministic mix of the chat and message numbers, so that the
// full-text index holds realistic, repetitive text.

var firstNames = []string{"Anna", "Boris", "Carla", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Irina", "Jonas",
	"Kira", "Luca", "Maya", "Nikolai", "Olga", "Pavel", "Quinn", "Rosa", "Sergei", "Tanya", "Umar", "Vera", "Wanda", "Yuri"}

var lastNames = []string{"Petrova", "Smith", "Garcia", "Ivanov", "Müller", "Rossi", "Novak", "Kowalski", "Silva",
	"Dubois", "Jensen", "Costa", "Horvat", "Larsen", "Moreau", "Popescu", "Sokolova", "Tanaka", "Weber", "Young"}

var openers = []string{"Hello", "Hi there", "Good morning", "Good evening", "Thanks", "Sorry to bother you", "Quick question", "Hey"}

var subjects = []string{"my order", "the delivery", "the invoice", "my subscription", "the refund", "my account",
	"the payment", "the tracking number", "the discount code", "the warranty", "the return label", "my password",
	"the booking", "the receipt", "the parcel", "the appointment"}

var problems = []string{"has not arrived yet", "shows the wrong amount", "was charged twice", "cannot be found",
	"is still pending", "arrived damaged", "does not work on my phone", "needs to be changed", "expired yesterday",
	"was cancelled without notice", "is missing an item", "came in the wrong size"}

var closers = []string{"Can you help?", "What should I do?", "Please check.", "Thank you!", "Any news?",
	"I am waiting for an answer.", "Is there a phone number?", "Could you call me back?"}

var replies = []string{"Let me check that for you", "I have forwarded this to our warehouse", "Your case number is noted",
	"We are sorry for the trouble", "A new label is on its way", "The refund will take three to five days",
	"Please send a photo of the parcel", "I have updated your account"}

// searchTerm is the seed's search word: a subject's word, in about one
// message in eight.
const searchTerm = "refund"

func mix(i, j int) int {
	x := uint32(i)*2654435761 ^ uint32(j)*40503
	x ^= x >> 13
	x *= 0x5bd1e995
	x ^= x >> 15
	return int(x & 0x7fffffff)
}

func personName(i int) string {
	return fmt.Sprintf("%s %s %d", firstNames[mix(i, 1)%len(firstNames)], lastNames[mix(i, 2)%len(lastNames)], i)
}

// messageText is the text of message j of chat i. The known chat's
// messages (and every chat's) mention the search term as often as the
// mix gives; message 0 of every chat names the order number ORD-<i>.
func messageText(i, j int, known bool) string {
	r := mix(i, j+7)
	subject := subjects[r%len(subjects)]
	if known && j == 0 {
		subject = "the " + searchTerm
	}
	if j == 0 {
		return fmt.Sprintf("%s, %s (order ORD-%d) %s. %s", openers[r%len(openers)], subject, i,
			problems[(r/7)%len(problems)], closers[(r/11)%len(closers)])
	}
	if j%3 == 1 {
		return fmt.Sprintf("%s about %s. %s", replies[r%len(replies)], subject, closers[(r/5)%len(closers)])
	}
	if j%3 == 2 {
		return fmt.Sprintf("Our team answers within the hour. Your question about %s is in the queue.", subject)
	}
	return fmt.Sprintf("%s %s. %s", strings.ToUpper(subject[:1])+subject[1:], problems[(r/3)%len(problems)], closers[(r/13)%len(closers)])
}

func containsWord(text, w string) bool {
	return strings.Contains(strings.ToLower(text), w)
}
