package main

import (
	"context"
	"flag"
	"fmt"
	"github.com/inventera/inventera/fixtures"
	"log/slog"
	"net"
	"runtime/debug"
	"strings"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/comparison"
	"github.com/inventera/inventera/internal/guard"
	"github.com/inventera/inventera/internal/mail"
	"github.com/inventera/inventera/internal/manage"
	"github.com/inventera/inventera/internal/pace"
	"github.com/inventera/inventera/internal/sheet"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/web"
)

// staleTempAge is how old a workbook read's temporary directory must be to
// be taken for one a killed process left: far longer than any read lasts.
const staleTempAge = 10 * time.Minute

func runServe(ctx context.Context, env *environment, args []string) error {
	var cfg config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	dbFlags(fs, env, &cfg)
	addr := fs.String("addr", ":8080", "adress att lyssna på")
	demo := fs.Bool("demo", false, "läs in Bergslagen 2009 och skriv ut en inloggning och en personlig länk")
	behindTLS := fs.Bool("behind-tls", false, "tjänsten nås över HTTPS (Secure-kakor och HSTS)")
	trustProxy := fs.Bool("trust-proxy", false, "en omvänd proxy framför sätter X-Forwarded-For och X-Forwarded-Proto")
	maxRequests := fs.Int("max-requests", cfg.envInt(env, "INVENTERA_MAX_REQUESTS", web.DefaultRequestConcurrency()),
		"högst så många förfrågningar behandlas samtidigt, resten väntar i tur och ordning; håll det under --db-max-open (INVENTERA_MAX_REQUESTS)")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if *maxRequests < 0 {
		return usageErrorf(fs.Name(), "--max-requests får inte vara negativ")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = baseURLFor(*addr)
	}
	// Workbook reads of a killed server leave their temporary files behind.
	if err := sheet.RemoveStaleTemp(staleTempAge); err != nil {
		slog.Warn("temporary files left", "err", err)
	}
	serverCollector(env.getenv)
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if *demo {
		if err := prepareDemo(ctx, env, a); err != nil {
			return err
		}
	}
	var mailer manage.Mailer
	if env.getenv("INVENTERA_SMTP") != "" {
		mcfg, err := mail.ConfigFromEnv(env.getenv)
		if err != nil {
			return err
		}
		sender, err := mail.NewSender(mcfg)
		if err != nil {
			return err
		}
		mailer = sender
	}
	wcfg := webConfig(*behindTLS, *trustProxy, cfg.BaseURL)
	wcfg.RequestConcurrency = *maxRequests
	srv, err := newWebServer(a, wcfg, mailer)
	if err != nil {
		return err
	}
	if err := warmPool(ctx, a, srv); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "inventera lyssnar på %s (%s)\n", *addr, cfg.BaseURL)
	slog.Info("serving", "addr", *addr, "db", a.store.Dialect())
	return srv.ListenAndServe(ctx, *addr)
}

// webConfig is the web layer's configuration from serve's flags: cookies
// are Secure behind TLS or when the links are https; HSTS, which binds
// browsers to HTTPS for a year, only when --behind-tls says so.
func webConfig(behindTLS, trustProxy bool, baseURL string) web.Config {
	return web.Config{SecureCookies: behindTLS || strings.HasPrefix(baseURL, "https://"), HSTS: behindTLS, TrustProxy: trustProxy}
}

// baseURLFor guesses the links' base from the listen address when
// INVENTERA_BASE_URL is unset.
func baseURLFor(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://localhost:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

const (
	demoFixture = "bergslagen-2009"
	demoEmail   = "samordnare@demo.example"
)

// prepareDemo loads the fixture (once), makes a demo samordnare with a fresh
// password, and prints the login and a respondent link.
func prepareDemo(ctx context.Context, env *environment, a *app) error {
	first, err := loadFixture(ctx, a, demoFixture, true)
	if err != nil {
		return err
	}
	// The synthetic second round, carried forward from the first, so that
	// the demo's report shows a comparison; its units' links are printed.
	r, err := loadFixture(ctx, a, fixtures.SecondName, true)
	if err != nil {
		return err
	}
	// A chosen password, not a one-time one: the demo prints it, and whoever
	// tries the demo should get straight in.
	password := staff.RandomToken(12)
	if acc, err := a.staff.AccountByEmail(ctx, staff.CommandLine(), demoEmail); apperror.Code(err) == apperror.NotFound {
		if _, _, err := a.staff.AddUser(ctx, staff.CommandLine(), staff.UserInput{Email: demoEmail, Name: "Demo Samordnare",
			Role: staff.Samordnare, Password: password}); err != nil {
			return err
		}
	} else if err != nil {
		return err
	} else {
		if err := a.staff.SetPassword(ctx, staff.CommandLine(), demoEmail, password); err != nil {
			return err
		}
		if _, err := a.staff.SetDisabled(ctx, staff.CommandLine(), acc.ID, false); err != nil {
			return err
		}
	}
	ov, err := a.manage.ProgressList(ctx, manage.System("demo"), r.ID, manage.OverviewFilter{})
	if err != nil {
		return err
	}
	link, unit := "", ""
	for _, u := range ov.Units {
		if u.Link != "" && !u.Answered() {
			link, unit = u.Link, u.Name
			break
		}
	}
	if link == "" && len(ov.Units) > 0 {
		link, unit = ov.Units[0].Link, ov.Units[0].Name
	}
	fmt.Fprintf(env.stdout, "Demo: omgångarna ”%s” och ”%s” (förd vidare från den första; se fixtures/bergslagen-2009/README.md) är inlästa.\n", first.Name, r.Name)
	fmt.Fprintf(env.stdout, "Samordnare: logga in på %s/logga-in med %s och lösenordet %s\n", strings.TrimRight(a.manage.BaseURL, "/"), demoEmail, password)
	fmt.Fprintf(env.stdout, "Personlig länk för %s: %s\n", unit, link)
	return nil
}

// The server's garbage collector, unless GOGC or GOMEMLIMIT set it: it
// runs when the heap has grown by serverGCPercent rather than Go's 100,
// and more often again as the heap nears serverMemoryLimit (a soft limit;
// the heap may pass it). A report build allocates hundreds of megabytes,
// and the form posts served during its collections help mark its heap.
// 50 clients posting while 4 national reports were built (SQLite, this
// 2-core machine, `inventera bench step submit-during-reports`, 3 runs
// each):
//
//	GOGC 100: 381–458 posts/s, p99 214–319 ms, peak RSS 232 MB
//	GOGC 200: 496–563 posts/s, p99 191–306 ms, peak RSS 322–353 MB
//	GOGC 400: 433–570 posts/s, p99 184–285 ms, peak RSS 491–528 MB
//
// 200 takes most of the gain for half the memory of 400. The command
// line's one-shot commands keep Go's defaults.
const (
	serverGCPercent   = 200
	serverMemoryLimit = 768 << 20
)

// serverCollector sets the garbage collector up for serving.
func serverCollector(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(serverGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serverMemoryLimit)
	}
}

// warmPool opens the connections the web server works with at once
// before it listens, so that a fresh instance's first burst of requests
// does not wait for them to be made (store.Warm).
func warmPool(ctx context.Context, a *app, srv *web.Server) error {
	return a.store.Warm(ctx, srv.Concurrency())
}

// newWebServer wires the web server over the app's services, as serve runs
// it; mailer may be nil when no SMTP server is configured.
func newWebServer(a *app, cfg web.Config, mailer manage.Mailer) (*web.Server, error) {
	reports, err := comparison.NewService(a.manage, a.form, a.manage.Now)
	if err != nil {
		return nil, err
	}
	// Report builds give way to the requests queued at the web's gate.
	demand := &pace.Demand{}
	reports.GiveWayTo(demand)
	return web.New(cfg, web.Deps{Form: a.form, Respond: a.respond, Manage: a.manage, Staff: a.staff,
		Reports: reports, Mailer: mailer, Now: a.manage.Now, Demand: demand,
		Guard: &guard.Guard{Store: a.store, Policy: guard.DefaultPolicy(), Now: a.manage.Now}})
}
