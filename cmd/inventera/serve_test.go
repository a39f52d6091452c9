package main

import (
	"testing"

	"github.com/inventera/inventera/internal/web"
)

// TestWebConfig: --behind-tls turns on Secure cookies and HSTS; an https
// base URL alone makes cookies Secure but sends no HSTS, which would bind
// browsers to HTTPS for a year on the operator's guess.
func TestWebConfig(t *testing.T) {
	for _, tc := range []struct {
		behindTLS, trustProxy bool
		baseURL               string
		want                  web.Config
	}{
		{false, false, "http://localhost:8080", web.Config{}},
		{true, false, "http://localhost:8080", web.Config{SecureCookies: true, HSTS: true}},
		{true, true, "https://inventera.example", web.Config{SecureCookies: true, HSTS: true, TrustProxy: true}},
		{false, true, "https://inventera.example", web.Config{SecureCookies: true, TrustProxy: true}},
	} {
		if got := webConfig(tc.behindTLS, tc.trustProxy, tc.baseURL); got != tc.want {
			t.Errorf("webConfig(behind-tls %v, trust-proxy %v, %s) = %+v, want %+v", tc.behindTLS, tc.trustProxy, tc.baseURL, got, tc.want)
		}
	}
}
