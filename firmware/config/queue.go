package config

import (
	"strings"
	"time"
)

// QueueService is one [[queue.services]] entry.
type QueueService struct {
	Code     string   `toml:"code" expect:"one upper-case letter (tickets are CODE + 3 digits)"`
	Name     string   `toml:"name" expect:"the service's Vietnamese name"`
	Counters []string `toml:"counters" expect:"the counters (quầy / phòng) that serve it"`
}

// Queue is the [queue] section: the numbered-ticket engine (queue/).
type Queue struct {
	Services []QueueService `toml:"services"`
	// ResetAt is the local time numbering restarts at 001 ("HH:MM").
	ResetAt string `toml:"reset_at" expect:"a local time such as \"00:00\""`
	// PriorityEvery: at least every Nth call serves the normal line.
	PriorityEvery int `toml:"priority_every" expect:"a number of calls from 1 to 20"`
	// APIListen serves the counter/display API; empty disables it.
	APIListen string `toml:"api_listen" expect:"a host:port such as 0.0.0.0:8407, or empty"`
	// Tokens maps bearer tokens to roles: display, kiosk or staff.
	Tokens map[string]string `toml:"tokens" expect:"a table of token = display, kiosk or staff"`
}

// ResetOffset is ResetAt as a time of day (validated).
func (q Queue) ResetOffset() time.Duration {
	t, err := time.Parse("15:04", q.ResetAt)
	if err != nil {
		return 0
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
}

func (q *Queue) validate(v *validator) {
	if len(q.Services) == 0 {
		q.Services = []QueueService{{Code: "A", Name: "Khám bệnh", Counters: []string{"1"}}}
	}
	if q.ResetAt == "" {
		q.ResetAt = "00:00"
	}
	if q.PriorityEvery == 0 {
		q.PriorityEvery = 3
	}
	_, err := time.Parse("15:04", q.ResetAt)
	v.check(err == nil, "queue.reset_at", q.ResetAt, "a local time such as \"00:00\"")
	v.check(q.PriorityEvery >= 1 && q.PriorityEvery <= 20, "queue.priority_every", q.PriorityEvery, "a number of calls from 1 to 20")
	seen := map[string]bool{}
	for i, s := range q.Services {
		key := "queue.services"
		v.check(queueLetter(s.Code) && !seen[s.Code], key, s.Code, "a distinct upper-case letter per service (entry "+string(rune('1'+i))+")")
		v.check(strings.TrimSpace(s.Name) != "" && len(s.Counters) > 0, key, s.Name, "a name and at least one counter per service")
		seen[s.Code] = true
	}
	for tok, role := range q.Tokens {
		v.check(len(tok) >= 16, "queue.tokens", "(redacted)", "tokens of at least 16 characters")
		v.check(oneOf(role, "display", "kiosk", "staff"), "queue.tokens", role, "display, kiosk or staff")
	}
}
