package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/web"
)

// TestHSTS: Strict-Transport-Security on every response when the service
// is reached over HTTPS (--behind-tls), and never otherwise: sent over plain
// HTTP it would lock browsers out for a year.
func TestHSTS(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  web.Config
		want string
	}{
		{"behind TLS", web.Config{HSTS: true, SecureCookies: true}, "max-age=31536000"},
		{"plain HTTP", web.Config{}, ""},
		{"Secure cookies from an https base URL alone", web.Config{SecureCookies: true}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnvWith(t, tc.cfg)
			for _, path := range []string{"/", "/logga-in", "/l/" + e.token, "/l/" + strings.Repeat("x", 43), "/finns-inte", "/static/style.css"} {
				resp, err := http.Get(e.srv.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if got := resp.Header.Get("Strict-Transport-Security"); got != tc.want {
					t.Errorf("%s (%d): Strict-Transport-Security %q, want %q", path, resp.StatusCode, got, tc.want)
				}
			}
		})
	}
}

// TestCSRFNotFromQueryString: a staff form's CSRF token counts in the form
// body (plain or multipart) or the X-CSRF-Token header, never in the query
// string, where it would end up in logs and browser history.
func TestCSRFNotFromQueryString(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	csrf := e.login(c, "samordnare")
	send := func(path, query, contentType, body, header string) int {
		t.Helper()
		if query != "" {
			path += "?" + query
		}
		req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", contentType)
		if header != "" {
			req.Header.Set("X-CSRF-Token", header)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	const form = "application/x-www-form-urlencoded"
	multipart := func(fields url.Values) (string, string) {
		var b strings.Builder
		for k, vs := range fields {
			for _, v := range vs {
				b.WriteString("--grans\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n")
			}
		}
		b.WriteString("--grans--\r\n")
		return "multipart/form-data; boundary=grans", b.String()
	}
	mpType, mpBody := multipart(url.Values{"csrf": {csrf}, "namn": {"Omgång multipart"}, "timkostnad": {"280"}, "sista_dag": {"2010-12-17"}})
	mpBare, mpBareBody := multipart(url.Values{"namn": {"Omgång multipart utan"}, "timkostnad": {"280"}, "sista_dag": {"2010-12-17"}})
	round := func(name string) string {
		return url.Values{"namn": {name}, "timkostnad": {"280"}, "sista_dag": {"2010-12-17"}}.Encode()
	}
	for _, tc := range []struct {
		name                     string
		query, ctype, body, head string
		want                     int
	}{
		{"in the query string", "csrf=" + url.QueryEscape(csrf), form, round("Omgång fråga"), "", http.StatusForbidden},
		{"in the query string of a multipart post", "csrf=" + url.QueryEscape(csrf), mpBare, mpBareBody, "", http.StatusForbidden},
		{"in the query string, a wrong one in the body", "csrf=" + url.QueryEscape(csrf), form, "csrf=fel&" + round("Omgång fel"), "", http.StatusForbidden},
		{"missing", "", form, round("Omgång saknas"), "", http.StatusForbidden},
		{"in the form body", "", form, "csrf=" + url.QueryEscape(csrf) + "&" + round("Omgång kropp"), "", http.StatusSeeOther},
		{"in a multipart body", "", mpType, mpBody, "", http.StatusSeeOther},
		{"in the header", "", form, round("Omgång huvud"), csrf, http.StatusSeeOther},
	} {
		if got := send("/admin/omgangar", tc.query, tc.ctype, tc.body, tc.head); got != tc.want {
			t.Errorf("CSRF token %s: status %d, want %d", tc.name, got, tc.want)
		}
	}
	if got := e.securityKinds()["csrf_nekad"]; got != 4 {
		t.Errorf("%d CSRF refusals logged, want 4", got)
	}
}
