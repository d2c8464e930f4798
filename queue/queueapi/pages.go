package queueapi

import (
	"embed"
	"net/http"
)

// web holds the counter screen and the waiting-room board: static HTML,
// CSS and JavaScript, no external resources. The pages carry no data and
// need no token to load; their script asks for the client's token once and
// sends it on every API request (a counter needs a staff token, a board a
// display token).
//
//go:embed web
var web embed.FS

// pages registers GET /queue/{counter,board} and their assets.
func (s *Server) pages() {
	serve := func(name, ctype string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, err := web.ReadFile("web/" + name)
			if err != nil {
				http.NotFound(w, r)
				return
			}
			h := w.Header()
			h.Set("Content-Type", ctype)
			h.Set("Cache-Control", "no-cache")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self'; frame-ancestors 'none'")
			_, _ = w.Write(b)
		}
	}
	s.mux.HandleFunc("GET /queue/counter", serve("counter.html", "text/html; charset=utf-8"))
	s.mux.HandleFunc("GET /queue/board", serve("board.html", "text/html; charset=utf-8"))
	s.mux.HandleFunc("GET /queue/app.js", serve("app.js", "text/javascript; charset=utf-8"))
	s.mux.HandleFunc("GET /queue/style.css", serve("style.css", "text/css; charset=utf-8"))
}
