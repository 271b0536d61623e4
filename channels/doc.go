// Package channels will hold the messenger adapters: webhook verification
// and parsing, and senders for Telegram, WhatsApp, Messenger, Instagram and
// Viber.
package channels
