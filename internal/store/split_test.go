package store

import (
	"strings"
	"testing"
)

// TestSplitStatements: a migration splits at its semicolons, but not inside
// a SQLite trigger's BEGIN … END or a $$-quoted PostgreSQL function body.
func TestSplitStatements(t *testing.T) {
	for _, tc := range []struct {
		name string
		sql  string
		want []string
	}{
		{"plain", "CREATE TABLE a (x INT);\nCREATE INDEX i ON a (x);\n", []string{"CREATE TABLE a (x INT)", "CREATE INDEX i ON a (x)"}},
		{"sqlite trigger", "CREATE TRIGGER t AFTER INSERT ON a BEGIN DELETE FROM b WHERE x = NEW.x; DELETE FROM c; END;\nCREATE TABLE d (y INT);",
			[]string{"CREATE TRIGGER t AFTER INSERT ON a BEGIN DELETE FROM b WHERE x = NEW.x; DELETE FROM c; END", "CREATE TABLE d (y INT)"}},
		{"postgres function and trigger", "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n\tPERFORM 1;\n\tRETURN NULL;\nEND $$;\nCREATE TRIGGER t AFTER INSERT ON a FOR EACH STATEMENT EXECUTE FUNCTION f();\nCREATE TABLE d (y INT);",
			[]string{"CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n\tPERFORM 1;\n\tRETURN NULL;\nEND $$", "CREATE TRIGGER t AFTER INSERT ON a FOR EACH STATEMENT EXECUTE FUNCTION f()", "CREATE TABLE d (y INT)"}},
	} {
		got := splitStatements(tc.sql)
		for i := range got {
			got[i] = strings.TrimSpace(got[i])
		}
		if strings.Join(got, "\n|\n") != strings.Join(tc.want, "\n|\n") {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
