package store

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// commandMetrics counts database commands by name and outcome.
type commandMetrics struct {
	total    *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newCommandMetrics(reg prometheus.Registerer) *commandMetrics {
	m := &commandMetrics{
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_db_commands_total",
			Help: "Database commands sent, by command name and outcome.",
		}, []string{"command", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "switchboard_db_command_duration_seconds",
			Help:    "Database command round-trip time, by command name.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"command"}),
	}
	if reg != nil {
		reg.MustRegister(m.total, m.duration)
	}
	return m
}

func (m *commandMetrics) observe(command, outcome string, d time.Duration) {
	m.total.WithLabelValues(command, outcome).Inc()
	m.duration.WithLabelValues(command).Observe(d.Seconds())
}
