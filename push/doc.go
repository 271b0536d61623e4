// Package push will hold alert rules and the fan-out to FCM, APNs, Web Push,
// Telegram and email through durable jobs.
package push
