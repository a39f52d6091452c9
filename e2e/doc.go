// Package e2e holds inventera's real-browser tests: Chromium, driven from Go
// with chromedp, against the real router on a temporary SQLite database. They
// walk the verksamhetschef's form by keyboard alone, the staff pages and the
// report, and run axe-core's WCAG 2.1 A/AA rules on every page type.
//
// The tests skip unless INVENTERA_TEST_CHROMIUM names a Chromium binary;
// INVENTERA_TEST_AXE names axe-core's axe.min.js (the accessibility test
// needs it) and INVENTERA_TEST_ARTIFACTS a directory for PNG screenshots.
// .ci/parts/20-browser.sh installs both and sets all three.
package e2e
