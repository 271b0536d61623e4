package push

import "github.com/prometheus/client_golang/prometheus"

// metrics are the gateway's Prometheus counters.
type metrics struct {
	deliveries *prometheus.CounterVec
	alerts     *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchboard_push_deliveries_total",
			Help: "Push deliveries by provider and outcome (sent, retry, failed, gone, expired)."}, []string{"provider", "outcome"}),
		alerts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "switchboard_push_alerts_total",
			Help: "Alerts stored by event."}, []string{"event"}),
	}
	if reg != nil {
		reg.MustRegister(m.deliveries, m.alerts)
	}
	return m
}

func (m *metrics) count(provider, outcome string) {
	m.deliveries.WithLabelValues(provider, outcome).Inc()
}
