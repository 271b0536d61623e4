// Package push turns inbox events into alerts and fans them out to FCM,
// APNs, Web Push, the Telegram notifications bot and email. An alert is
// stored with every delivery it makes before anything is sent; workers on
// any instance lease due alerts, send through one Sender per provider and
// record each device's outcome.
package push
