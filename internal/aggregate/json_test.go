package aggregate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/inventera/inventera/internal/round"
)

// JSON types a key must have.
type jsonType string

const (
	tString     jsonType = "string"
	tNumber     jsonType = "number"
	tInteger    jsonType = "integer" // a number with no fraction
	tNumberNull jsonType = "number|null"
	tBool       jsonType = "boolean"
)

// orNull is a schema that may also be null.
type orNull struct{ schema any }

// arrayOf is an array whose elements all have the schema elem.
type arrayOf struct{ elem any }

// object is the exact key set of a JSON object and each key's schema.
type object map[string]any

var usageCountsSchema = object{"politiskt_beslut": tInteger, "handlingsplan": tInteger, "budget_malprocess": tInteger, "annat": tInteger, "inte_alls": tInteger}
var usageSharesSchema = object{"politiskt_beslut": tNumber, "handlingsplan": tNumber, "budget_malprocess": tNumber, "annat": tNumber, "inte_alls": tNumber}

func initiatorSchema(row object) object {
	return object{"extern": row, "politisk": row, "verksamhet": row, "ej_angiven": row, "totalt": row}
}

func withCount(o object) object {
	out := object{"count": tInteger}
	for k, v := range o {
		out[k] = v
	}
	return out
}

// reportSchema is design §6's report JSON contract plus the extra keys this
// package adds (marked).
var reportSchema = object{
	"round": object{"name": tString, "hourly_rate": tInteger, "population_source": tString /* extra */},
	"municipalities": arrayOf{object{
		"name":                tString,
		"population":          tNumberNull,
		"evaluations":         tInteger,
		"by_initiator":        initiatorSchema(withCount(usageCountsSchema)),
		"usage":               object{"counts": usageCountsSchema, "shares": usageSharesSchema}, // extra
		"by_initiator_shares": initiatorSchema(withCount(usageSharesSchema)),                    // extra
		"costs": object{"lon": tNumber, "konsult": tNumber, "material": tNumber, "ovrigt": tNumber,
			"total": tNumber, "with_cost": tInteger, "per_invanare": tNumberNull,
			// extra:
			"ej_uppdelat": tNumber, "total_only": tInteger, "without_cost": tInteger, "timmar": tNumber, "with_timmar": tInteger},
		"user_surveys":      tInteger,
		"user_survey_share": tNumber, // extra
		"user_survey_table": arrayOf{object{ // extra
			"enhet": tString, "omrade": tString, "malgrupp": tString, "metod": arrayOf{tString}, "count": tInteger}},
		"responsibility": object{"initiator_is_owner": tInteger, "no_owner": tInteger, "multiple_owners": tInteger},
		"unused":         arrayOf{object{"benamning": tString, "enhet": tString, "uppdragsgivare_typ": tString, "kostnad": tNumber}},
		"response": object{"units": tInteger, "submitted": tInteger, "inga_utvarderingar": tInteger,
			"declined": tInteger, "not_responded": tInteger, "non_responding_units": arrayOf{tString},
			"rate": tNumber /* extra */},
		"non_responding":          arrayOf{object{"enhet": tString, "status": tString, "reason": tString}}, // extra
		"unsubmitted_evaluations": tInteger,                                                                // extra
		"unsubmitted_drafts":      tInteger,                                                                // extra
		"unsubmitted_units":       unsubmittedUnits,                                                        // extra
		"standing": object{"politiskt_beslut": tString, "handlingsplan": tString, "budget_malprocess": tString, // extra
			"annat": tString, "inte_alls": tString, "best": tString, "worst": tString},
		"comment":  tString, // extra
		"excluded": excludedSchema,
	}},
	"network": object{
		"evaluations":  tInteger,
		"usage_mean":   usageSharesSchema,
		"usage_pooled": usageSharesSchema,
		"costs": object{"lon": tNumber, "konsult": tNumber, "material": tNumber, "ovrigt": tNumber,
			"total": tNumber, "with_cost": tInteger,
			// extra:
			"ej_uppdelat": tNumber, "total_only": tInteger, "without_cost": tInteger, "timmar": tNumber, "with_timmar": tInteger,
			"per_invanare":       tNumberNull,
			"per_invanare_range": orNull{object{"min": tNumber, "max": tNumber, "lowest": arrayOf{tString}, "highest": arrayOf{tString}}}},
		"user_surveys":              tInteger, // extra
		"unused":                    tInteger, // extra
		"unused_cost":               tNumber,  // extra
		"kommuner_with_evaluations": tInteger, // extra
		"usage_pooled_counts":       usageCountsSchema,
		"unsubmitted_evaluations":   tInteger,         // extra
		"unsubmitted_drafts":        tInteger,         // extra
		"unsubmitted_units":         unsubmittedUnits, // extra
		"response_rate":             tNumber,
		"response": object{"units": tInteger, "submitted": tInteger, "inga_utvarderingar": tInteger, // extra
			"declined": tInteger, "not_responded": tInteger},
		"evaluations_per_kommun": tInteger,    // extra
		"user_survey_mean":       tNumber,     // extra
		"user_survey_pooled":     tNumber,     // extra
		"unused_cost_share":      tNumber,     // extra
		"population":             tNumberNull, // extra
		"excluded":               excludedSchema,
	},
	"findings": arrayOf{object{"measure": tString, "direction": tString, "kommuner": arrayOf{tString}, "text": tString,
		"key": tBool /* extra */}},
	"reflection": tString, // extra
}

// excludedSchema is design §6's network.excluded (and the same per kommun),
// plus the unit's member kommuner (extra).
var excludedSchema = arrayOf{object{"benamning": tString, "enhet": tString, "kommun": tString, "reason": tString,
	"kommuner": arrayOf{tString}}}

var unsubmittedUnits = arrayOf{object{"enhet": tString, "kommuner": arrayOf{tString}, "evaluations": tInteger, "drafts": tInteger}}

// checkSchema reports every key that is missing, unexpected or of the wrong
// type. seen counts the elements checked per array path, so a test can tell
// that no list was checked vacuously.
func checkSchema(t *testing.T, path string, v, schema any, seen map[string]int) {
	t.Helper()
	switch s := schema.(type) {
	case jsonType:
		f, isNum := v.(float64)
		ok := false
		switch s {
		case tString:
			_, ok = v.(string)
		case tNumber:
			ok = isNum
		case tInteger:
			ok = isNum && f == math.Trunc(f)
		case tNumberNull:
			ok = isNum || v == nil
		case tBool:
			_, ok = v.(bool)
		}
		if !ok {
			t.Errorf("%s = %#v, want %s", path, v, s)
		}
	case orNull:
		if v != nil {
			checkSchema(t, path, v, s.schema, seen)
		}
	case arrayOf:
		a, ok := v.([]any)
		if !ok {
			t.Errorf("%s = %#v, want an array", path, v)
			return
		}
		seen[path] += len(a)
		for i, e := range a {
			checkSchema(t, fmt.Sprintf("%s[%d]", path, i), e, s.elem, seen)
		}
	case object:
		o, ok := v.(map[string]any)
		if !ok {
			t.Errorf("%s = %#v, want an object", path, v)
			return
		}
		for k, ks := range s {
			kv, ok := o[k]
			if !ok {
				t.Errorf("%s: key %q missing", path, k)
				continue
			}
			checkSchema(t, path+"."+k, kv, ks, seen)
		}
		for k := range o {
			if _, ok := s[k]; !ok {
				t.Errorf("%s: unexpected key %q", path, k)
			}
		}
	default:
		t.Fatalf("bad schema at %s: %T", path, schema)
	}
}

// contractReport exercises every list and both population cases.
func contractReport(t *testing.T) *Report {
	shared := unit("Räddningstjänsten Dala Mitt", []string{"Borlänge", "Falun"},
		ev("timmar", "7.5", "konsult_kr", "1000", "anvandning", "inte_alls", "uppdragsgivare_typ", ""),
		ev("kostnad_totalt_kr", "9000", "brukarundersokning", "ja", "malgrupp", "Medborgare", "metod", "enkat_webb;intervju"))
	declined := unit("Kommunfastigheter", []string{"Borlänge"})
	declined.Response, declined.Reason = round.Declined, "Deltar inte"
	declined.Unsubmitted, declined.UnsubmittedDrafts = 2, 1
	social := unit("Socialnämnden", []string{"Falun"}, ev("timmar", "3"))
	social.Excluded = []round.Evaluation{excludedEv("Löpande statistik", "Ingen utvärdering")}
	ds := round.Dataset{
		Kommuner: []round.Kommun{{Name: "Borlänge", Population: pop(48000)}, {Name: "Falun"}},
		Units:    []round.UnitData{shared, declined, social},
	}
	return compute(t, ds)
}

func TestJSONContract(t *testing.T) {
	rep := contractReport(t)
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	checkSchema(t, "$", doc, reportSchema, seen)

	// Every list's element schema was checked on at least one element.
	var lists []string
	for _, p := range []string{"unused", "user_survey_table", "non_responding", "response.non_responding_units", "unsubmitted_units", "findings", "excluded"} {
		n := 0
		for path, c := range seen {
			if matchesList(path, p) {
				n += c
			}
		}
		if n == 0 {
			lists = append(lists, p)
		}
	}
	if len(lists) > 0 {
		t.Errorf("lists never non-empty in the test report, so unchecked: %v", lists)
	}

	// Both population cases: a number and null, with per_invanare alike.
	ms := doc["municipalities"].([]any)
	if len(ms) != 2 {
		t.Fatalf("municipalities: %d, want 2", len(ms))
	}
	borlange, falun := ms[0].(map[string]any), ms[1].(map[string]any)
	if borlange["population"] != 48000.0 || borlange["costs"].(map[string]any)["per_invanare"] == nil {
		t.Errorf("Borlänge population %v per_invanare %v, want 48000 and a number",
			borlange["population"], borlange["costs"].(map[string]any)["per_invanare"])
	}
	if falun["population"] != nil || falun["costs"].(map[string]any)["per_invanare"] != nil {
		t.Errorf("Falun population %v per_invanare %v, want null and null",
			falun["population"], falun["costs"].(map[string]any)["per_invanare"])
	}
	if got := borlange["unused"].([]any)[0].(map[string]any)["uppdragsgivare_typ"]; got != "ej_angiven" {
		t.Errorf("unused uppdragsgivare_typ = %v, want ej_angiven", got)
	}
}

func matchesList(path, list string) bool { return strings.HasSuffix(path, "."+list) }

// TestJSONKeyOrder pins the order keys are written in, which golden files of
// the report depend on.
func TestJSONKeyOrder(t *testing.T) {
	rep := contractReport(t)
	tests := []struct {
		name string
		v    any
		want []string
	}{
		{"report", rep, []string{"round", "municipalities", "network", "findings", "reflection"}},
		{"municipality", rep.Municipalities[0], []string{"name", "population", "evaluations", "by_initiator", "usage",
			"by_initiator_shares", "costs", "user_surveys", "user_survey_share", "user_survey_table", "responsibility",
			"unused", "response", "non_responding", "unsubmitted_evaluations", "unsubmitted_drafts", "unsubmitted_units", "standing", "comment", "excluded"}},
		{"costs", rep.Municipalities[0].Costs, []string{"lon", "konsult", "material", "ovrigt", "total", "with_cost", "per_invanare",
			"ej_uppdelat", "total_only", "without_cost", "timmar", "with_timmar"}},
		{"network", rep.Network, []string{"evaluations", "usage_mean", "usage_pooled", "costs", "user_surveys", "unused",
			"unused_cost", "kommuner_with_evaluations", "usage_pooled_counts", "unsubmitted_evaluations", "unsubmitted_drafts",
			"unsubmitted_units", "response_rate", "response",
			"evaluations_per_kommun", "user_survey_mean", "user_survey_pooled", "unused_cost_share", "population", "excluded"}},
		{"response", rep.Municipalities[0].Response, []string{"units", "submitted", "inga_utvarderingar", "declined",
			"not_responded", "non_responding_units", "rate"}},
	}
	for _, tc := range tests {
		if got := jsonKeys(t, tc.v); !slices.Equal(got, tc.want) {
			t.Errorf("%s keys = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// jsonKeys returns the top-level keys of v's JSON object in written order.
func jsonKeys(t *testing.T, v any) []string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("%s is not an object", b)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// The contract example's values survive a round trip through JSON.
func TestJSONRoundTrip(t *testing.T) {
	rep := contractReport(t)
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(&back)
	if !bytes.Equal(b, b2) {
		t.Errorf("round trip changed the JSON:\n%s\n%s", b, b2)
	}
}
