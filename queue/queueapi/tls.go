package queueapi

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// ServerTLS is the listener's TLS configuration: TLS 1.2 or newer, the
// certificate and key from PEM files (the key file must not be open to
// other users), and, when clientCAFile is set, a client certificate issued
// by that CA required of every client (mutual TLS, on top of the tokens).
// Clients check the server against the CA that issued certFile.
func ServerTLS(certFile, keyFile, clientCAFile string) (*tls.Config, error) {
	if err := privateFile(keyFile); err != nil {
		return nil, fmt.Errorf("queueapi: TLS key: %w", err)
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("queueapi: TLS certificate: %w", err)
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if clientCAFile != "" {
		pem, err := os.ReadFile(clientCAFile)
		if err != nil {
			return nil, fmt.Errorf("queueapi: client CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("queueapi: client CA %s: no PEM certificates", clientCAFile)
		}
		cfg.ClientCAs, cfg.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}
