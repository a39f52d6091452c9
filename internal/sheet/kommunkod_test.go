package sheet

import (
	"bytes"
	"context"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/round"
)

// TestReadKommunkod: the kommuner sheet's optional kommunkod column, as
// text or as a number (Excel drops Stockholm's leading zero), and every
// bad code reported at its row and column with nothing read.
func TestReadKommunkod(t *testing.T) {
	good := workbook(t, sheetData{"kommuner", [][]any{
		{"kommun", "invanare", "kommunkod"},
		{"Borlänge", 49000, "2081"},
		{"Falu kommun", 55000, 2080},
		{"Upplands Väsby", nil, 114},
		{"Säter", 11000, " "},
		{"Heby", nil, 331.0},
	}})
	ds, err := ReadXLSX(context.Background(), bytes.NewReader(good), def, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	want := []round.Kommun{
		{Name: "Borlänge", Population: pop(49000), Kommunkod: "2081"},
		{Name: "Falu kommun", Population: pop(55000), Kommunkod: "2080"},
		{Name: "Upplands Väsby", Kommunkod: "0114"},
		{Name: "Säter", Population: pop(11000)},
		{Name: "Heby", Kommunkod: "0331"},
	}
	if !reflect.DeepEqual(ds.Kommuner, want) {
		t.Errorf("kommuner:\n got %s\nwant %s", kommunerString(ds.Kommuner), kommunerString(want))
	}

	bad := workbook(t, sheetData{"kommuner", [][]any{
		{"kommun", "kommunkod"},
		{"Borlänge", "2081"},
		{"Falun", "2081"},  // taken by Borlänge
		{"Säter", "20821"}, // five digits
		{"Vansbro", "20A1"},
		{"Mora", "1662"}, // län 16 is not in use
	}})
	_, err = ReadXLSX(context.Background(), bytes.NewReader(bad), def, DefaultLimits())
	ps := problemsOf(t, err)
	wantWhere := []where{{"kommuner", 3, "kommunkod"}, {"kommuner", 4, "kommunkod"}, {"kommuner", 5, "kommunkod"}, {"kommuner", 6, "kommunkod"}}
	if got := wheres(ps); !reflect.DeepEqual(got, wantWhere) {
		t.Errorf("problems at %v, want %v:\n%v", got, wantWhere, ps)
	}
	for i, want := range []string{"finns redan på rad 2", "ingen kommunkod", "ingen kommunkod", "länskod"} {
		if i < len(ps) && !strings.Contains(ps[i].Message, want) {
			t.Errorf("problem %d = %q, want it to say %q", i, ps[i].Message, want)
		}
	}

	// CSV tables carry it too.
	ds, err = ReadTables(context.Background(), map[string]io.Reader{"kommuner": strings.NewReader("kommun;invanare;kommunkod\nFalun;55 000;2080\n")}, def, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Kommuner) != 1 || ds.Kommuner[0].Kommunkod != "2080" {
		t.Errorf("CSV kommuner = %s, want Falun#2080", kommunerString(ds.Kommuner))
	}
}
