// Package channels connects native bots to their messengers: an Adapter
// per messenger (channels/telegram, channels/viber) speaks its protocol,
// and the Service around them connects and disconnects bots, stores every
// webhook or long-polled update before the messenger is answered, turns
// stored updates into inbox events, fetches inbound files and sends the
// agents' and bots' messages, all through the durable job mechanism.
// Bots of the bot engine keep the events API and the command feed.
package channels
