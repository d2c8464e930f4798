package queueapi

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/kiosk06/kiosk/queue"
	"github.com/kiosk06/kiosk/queue/staffcall"
)

// Tickets listed, offline numbers adopted, staff calls raised and taken.

func (s *Server) tickets(w http.ResponseWriter, r *http.Request, _ *clientState) {
	ts, err := s.e.Tickets(r.Context())
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, ts)
}

// adopt takes in a number the client issued on its own while it could not
// reach this host (queue.Engine.Adopt), under the client's name: a kiosk
// can adopt only its own numbers. It is not held to the issue limits: the
// number was handed out already, and refusing it would leave a patient
// with a ticket no counter can call.
func (s *Server) adopt(w http.ResponseWriter, r *http.Request, cs *clientState) {
	var req struct {
		ID       string         `json:"id"`
		Service  string         `json:"service"`
		Priority queue.Priority `json:"priority"`
		Issued   time.Time      `json:"issued"`
	}
	if err := decode(r, &req); err != nil {
		fail(w, err)
		return
	}
	if !cs.mayIssue(req.Priority) {
		s.refuse(w, r, cs, refusal{code: http.StatusForbidden, reason: RefusedPriority,
			msg: "this client may not issue " + req.Priority.String() + " tickets"})
		return
	}
	t, err := s.e.Adopt(r.Context(), req.ID, req.Service, req.Priority, req.Issued, cs.Name)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// desk answers 404 when no staff desk is configured.
func (s *Server) desk(w http.ResponseWriter) *staffcall.Desk {
	if s.cfg.Desk == nil {
		writeErr(w, http.StatusNotFound, errors.New("queueapi: no staff desk on this host"))
	}
	return s.cfg.Desk
}

// failCall maps desk errors to HTTP statuses.
func failCall(w http.ResponseWriter, err error) {
	code := http.StatusServiceUnavailable
	switch {
	case errors.Is(err, staffcall.ErrInvalid):
		code = http.StatusBadRequest
	case errors.Is(err, staffcall.ErrUnknown):
		code = http.StatusNotFound
	case errors.Is(err, staffcall.ErrFull):
		code = http.StatusTooManyRequests
		w.Header().Set("Retry-After", "30")
	}
	writeErr(w, code, err)
}

// raise opens a staff call from the client (its name is the call's kiosk)
// and answers 201 with the call: Delivered says how many staff streams
// it reached.
func (s *Server) raise(w http.ResponseWriter, r *http.Request, cs *clientState) {
	d := s.desk(w)
	if d == nil {
		return
	}
	var req struct {
		Kind   string `json:"kind"`
		Reason string `json:"reason"`
		Screen string `json:"screen"`
		Ticket string `json:"ticket"`
		Ref    string `json:"ref"`
		Place  string `json:"place"`
	}
	if err := decode(r, &req); err != nil {
		failCall(w, fmt.Errorf("%w: %v", staffcall.ErrInvalid, err))
		return
	}
	c, err := d.Raise(r.Context(), staffcall.Call{Kiosk: cs.Name, Kind: req.Kind, Reason: req.Reason, Screen: req.Screen,
		Ticket: req.Ticket, Ref: req.Ref, Place: req.Place})
	if err != nil {
		failCall(w, err)
		return
	}
	s.cfg.Logger.Info("queueapi: staff call raised", "call", c.ID, "kiosk", c.Kiosk, "kind", c.Kind, "reason", c.Reason, "delivered", c.Delivered)
	writeJSON(w, http.StatusCreated, c)
}

func (s *Server) openCalls(w http.ResponseWriter, r *http.Request, _ *clientState) {
	if d := s.desk(w); d != nil {
		writeJSON(w, http.StatusOK, d.Open(r.Context()))
	}
}

// call returns one call: a kiosk reads its own, staff any.
func (s *Server) call(w http.ResponseWriter, r *http.Request, cs *clientState) {
	d := s.desk(w)
	if d == nil {
		return
	}
	c, err := d.Get(r.Context(), r.PathValue("id"))
	if err == nil && cs.Role < Staff && c.Kiosk != cs.Name {
		err = fmt.Errorf("%w: %q", staffcall.ErrUnknown, r.PathValue("id")) // another kiosk's: as if absent
	}
	if err != nil {
		failCall(w, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// ack takes a call on behalf of the staff client.
func (s *Server) ack(w http.ResponseWriter, r *http.Request, cs *clientState) {
	d := s.desk(w)
	if d == nil {
		return
	}
	c, err := d.Ack(r.Context(), r.PathValue("id"), cs.Name)
	if err != nil {
		failCall(w, err)
		return
	}
	s.cfg.Logger.Info("queueapi: staff call acknowledged", "call", c.ID, "kiosk", c.Kiosk, "by", c.AckedBy, "after", c.Acked.Sub(c.Raised).Round(time.Second))
	writeJSON(w, http.StatusOK, c)
}
