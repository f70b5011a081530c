// Package metrics exposes aftercare's health in the Prometheus text format:
// pushes, reminder lateness, the due backlog, stored subscriptions and plans,
// and HTTP latency by route.
package metrics

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Counts reads totals from storage at scrape time.
type Counts interface {
	CountPlans() (int, error)
	CountSubscriptions() (int, error)
	CountDue(t time.Time) (int, error)
	CountOutbox() (int, error)
}

// Metrics holds the collectors; the zero value is not usable, call New.
type Metrics struct {
	registry *prometheus.Registry
	pushes   *prometheus.CounterVec
	pushTime prometheus.Histogram
	lateness *prometheus.HistogramVec
	http     *prometheus.HistogramVec
	webhooks *prometheus.CounterVec
}

// New registers every collector; now is the clock for the due backlog.
func New(counts Counts, now func() time.Time) *Metrics {
	m := &Metrics{registry: prometheus.NewRegistry()}
	m.pushes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "aftercare_pushes_total", Help: "Push deliveries by message kind and final status class (2xx, 4xx, 5xx, error).",
	}, []string{"kind", "class"})
	m.pushTime = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "aftercare_push_duration_seconds", Help: "Time to deliver one push, retries included.",
		Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	})
	m.lateness = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "aftercare_reminder_lateness_seconds", Help: "How long after its due time a reminder was handed to the push services.",
		Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 900, 3600, 10800},
	}, []string{"kind"})
	m.http = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "aftercare_http_request_duration_seconds", Help: "HTTP request latency by route pattern (no tokens), method and status class.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"method", "route", "class"})
	m.webhooks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "aftercare_webhook_deliveries_total", Help: "Webhook delivery attempts by outcome (delivered, retried, dropped after the last retry, gone: 410 turned the webhook off).",
	}, []string{"outcome"})
	gauge := func(name, help string, read func() (int, error)) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			n, err := read()
			if err != nil {
				return -1
			}
			return float64(n)
		})
	}
	m.registry.MustRegister(
		m.pushes, m.pushTime, m.lateness, m.http, m.webhooks,
		gauge("aftercare_plans", "Plans stored.", counts.CountPlans),
		gauge("aftercare_subscriptions", "Push subscriptions stored (client and therapist devices).", counts.CountSubscriptions),
		gauge("aftercare_webhook_outbox", "Webhook events waiting for delivery (retries included).", counts.CountOutbox),
		gauge("aftercare_due_backlog", "Reminders due now or earlier and not yet handled.", func() (int, error) { return counts.CountDue(now()) }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Class names a status code's class; 0 (no response) is "error".
func Class(status int) string {
	if status < 100 || status > 599 {
		return "error"
	}
	return strconv.Itoa(status/100) + "xx"
}

// ObservePush records one delivery; it matches push.Config.Observe.
func (m *Metrics) ObservePush(kind string, status int, d time.Duration) {
	if kind == "" {
		kind = "unknown"
	}
	m.pushes.WithLabelValues(kind, Class(status)).Inc()
	m.pushTime.Observe(d.Seconds())
}

// ObserveWebhook counts one webhook delivery attempt; it matches webhook.Config.Observe.
func (m *Metrics) ObserveWebhook(outcome string) { m.webhooks.WithLabelValues(outcome).Inc() }

// ObserveLateness records how late a reminder went out.
func (m *Metrics) ObserveLateness(kind string, late time.Duration) {
	m.lateness.WithLabelValues(kind).Observe(max(late, 0).Seconds())
}

// ObserveHTTP records one request; route is the pattern ("/api/p/:token"), never the path.
func (m *Metrics) ObserveHTTP(method, route string, status int, d time.Duration) {
	if len(route) > 1 {
		route = strings.TrimSuffix(route, "/") // group roots are registered as "/api/plans/"
	}
	m.http.WithLabelValues(method, route, Class(status)).Observe(d.Seconds())
}

// Handler serves the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}
