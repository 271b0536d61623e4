package telegramfake

// WebhookConfig is the bot's webhook as the last setWebhook left it.
type WebhookConfig struct {
	// URL is the webhook ("" none: updates wait for getUpdates).
	URL string
	// Secret is the secret_token sent back in
	// X-Telegram-Bot-Api-Secret-Token ("" none).
	Secret string
	// AllowedUpdates are the update types asked for (empty: the default).
	AllowedUpdates []string
}

// Webhook returns the bot's webhook, secret included, which the real
// API never shows: tests check what the bot registered.
func (s *Server) Webhook() WebhookConfig {
	s.mu.Lock()
	defer s.mu.Unlock()
	return WebhookConfig{URL: s.webhook.url, Secret: s.webhook.secret, AllowedUpdates: append([]string(nil), s.allowed...)}
}
