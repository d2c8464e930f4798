package audiosim

import "net"

type netDialer struct{}

func (netDialer) dial(path string) (net.Conn, error) { return net.Dial("unix", path) }
