package manage

import (
	"context"
	"strings"
	"time"

	"github.com/inventera/inventera/internal/apperror"
	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
	"github.com/inventera/inventera/internal/staff"
	"github.com/inventera/inventera/internal/store"
)

// ActionLabel is the Swedish wording of an audit action code. It is the one
// table of them; a code it does not know reads as its words.
func ActionLabel(code string) string {
	switch code {
	case "omgang_skapad":
		return "Omgången skapad"
	case "omgang_status":
		return "Omgångens status ändrad"
	case "omgang_overford":
		return "Omgången överförd från en tidigare omgång"
	case "import":
		return "Inläsning av arbetsbok"
	case "kommun_tillagd":
		return "Kommun tillagd i omgången"
	case "enhet_tillagd":
		return "Enhet registrerad"
	case "enhet_andrad":
		return "Enheten ändrad"
	case "enhet_borttagen":
		return "Enheten borttagen"
	case "enheter_uppladdade":
		return "Enheter inlästa från fil"
	case "lank_ersatt":
		return "Ny personlig länk"
	case "lank_skickad_manuellt":
		return "Länken skickad manuellt"
	case "rapporttext_andrad":
		return "Rapportens text ändrad"
	case "invanarkalla_andrad":
		return "Källa för invånarantal ändrad"
	case "utvardering_ny":
		return "Ny utvärdering"
	case "utvardering_andrad":
		return "Utvärderingen ändrad"
	case "utvardering_borttagen":
		return "Utvärderingen borttagen"
	case "svar_inskickad":
		return "Svaret inskickat"
	case "svar_inga_utvarderingar":
		return "Svarat: inga utvärderingar"
	case "svar_avbojt":
		return "Avböjt att delta"
	case "svar_ateroppnat":
		return "Svaret öppnat igen för ändring"
	case "granskning_utesluten":
		return "Markerad utanför avgränsningen"
	case "granskning_medtagen":
		return "Tagen med igen i rapporten"
	case "fraga_stalld":
		return "Fråga till enheten"
	case "fraga_besvarad":
		return "Frågan besvarad"
	case "fraga_avslutad":
		return "Frågan avslutad"
	case "utvardering_rattad":
		return "Utvärderingen rättad efter en fråga"
	case "utvardering_upphord":
		return "Utvärderingen genomförs inte längre"
	case "utvardering_bekraftad":
		return "Utvärderingen från förra omgången bekräftad"
	}
	words := strings.ReplaceAll(code, "_", " ")
	if words == "" {
		return ""
	}
	r := []rune(words)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// fieldLabel names an audited field: the form's label for an evaluation
// field, else the round's and unit's own fields.
func fieldLabel(def *form.Definition, code string) string {
	if def != nil {
		if f := def.Field(code); f != nil {
			return f.Label
		}
	}
	switch code {
	case "":
		return ""
	case "namn":
		return "Namn"
	case "status":
		return "Status"
	case "kommun":
		return "Kommun"
	case "enhet":
		return "Enhet"
	case "enheter":
		return "Antal enheter"
	case "utvarderingar":
		return "Antal utvärderingar"
	case "lank":
		return "Personlig länk"
	case "svar":
		return "Enhetens svar"
	case "fran":
		return "Från omgång"
	case "verksamhetschef":
		return "Verksamhetschef"
	case "epost":
		return "E-postadress"
	case "omrade":
		return "Område"
	case "fordelning":
		return "Fördelning"
	case "kommunkod":
		return "Kommunkod"
	case "skal":
		return "Skäl"
	case "fraga":
		return "Fråga"
	case "fragesvar":
		return "Svar på frågan"
	}
	return code
}

// fieldValue writes an audited value in words: option labels for the
// form's choices, Swedish numbers, the round's states and the unit's
// answers by name.
func fieldValue(def *form.Definition, code, v string) string {
	if v == "" {
		return ""
	}
	switch code {
	case "status":
		return round.State(v).Label()
	case "svar":
		resp, reason, _ := strings.Cut(v, " ")
		label := responseLabel(round.Response(resp))
		if label == "" {
			return v
		}
		if reason != "" {
			return label + ": " + reason
		}
		return label
	}
	if def == nil {
		return v
	}
	if f := def.Field(code); f != nil {
		return f.AnswerText(form.Answers{code: v})
	}
	return v
}

func responseLabel(r round.Response) string {
	switch r {
	case round.Submitted:
		return "Inskickat"
	case round.NoEvaluations:
		return "Inga utvärderingar"
	case round.Declined:
		return "Avböjt"
	}
	return ""
}

// roundWideActions are the round-level events that concern every kommun in
// the round, and so every projektledare's trail.
func roundWideActions() []string {
	return []string{"omgang_skapad", "omgang_status", "omgang_overford"}
}

// AuditEntry is one recorded change as people read it.
type AuditEntry struct {
	At           time.Time
	Actor        string
	Action       string // in words
	UnitID       int64  // 0 for a round-level event
	Unit         string // the unit's name
	EvaluationID int64
	Evaluation   string // the evaluation's name, where known
	Field        string // the field's label
	Old, New     string // the values in words
}

// AuditTrail is a round's trail as one reader may see it.
type AuditTrail struct {
	Round   round.Round
	Unit    *round.Unit // the one unit the trail is narrowed to
	Kommun  string      // the projektledare's kommun the trail is narrowed to
	Entries []AuditEntry
	Limit   int
	Full    bool // the limit cut older events off
}

// AuditTrail lists a round's recorded changes, newest first, in words. The
// samordnare sees all of them; a projektledare those of their kommun's
// units (shared ones included), the round-level events that concern every
// kommun or name theirs, and their own. With unitID set, only that unit's.
func (s *Service) AuditTrail(ctx context.Context, actor Actor, def *form.Definition, roundID, unitID int64, limit int) (AuditTrail, error) {
	var trail AuditTrail
	if !actor.Coordinator() && actor.Role != staff.Projektledare {
		return trail, apperror.New(apperror.Forbidden, "Ändringsloggen är för samordnaren och projektledarna.")
	}
	err := s.Store.InTx(ctx, func(q *store.Queries) error {
		r, err := q.Round(roundID)
		if err != nil {
			return err
		}
		if err := s.requireRound(q, actor, r); err != nil {
			return err
		}
		trail = AuditTrail{Round: r, Limit: limit}
		scope := store.AuditScope{UnitID: unitID}
		if !actor.Coordinator() {
			scope.Kommun, scope.RoundWide, scope.Actor = actor.Kommun, roundWideActions(), actor.Name()
			trail.Kommun = actor.Kommun
		}
		if unitID != 0 {
			u, err := q.Unit(unitID)
			if err != nil {
				return err
			}
			if err := actor.requireUnit(u); err != nil {
				return err
			}
			if u.RoundID != roundID {
				return apperror.New(apperror.NotFound, "Enheten finns inte i omgången.")
			}
			trail.Unit = &u
		}
		evs, err := q.ScopedAuditTrail(roundID, scope, limit+1)
		if err != nil {
			return err
		}
		if len(evs) > limit {
			evs, trail.Full = evs[:limit], true
		}
		units, err := q.Units(roundID)
		if err != nil {
			return err
		}
		unitNames := make(map[int64]string, len(units))
		for _, u := range units {
			unitNames[u.ID] = u.Name
		}
		titles, err := evaluationTitles(q, roundID, evs)
		if err != nil {
			return err
		}
		trail.Entries = make([]AuditEntry, len(evs))
		for i, e := range evs {
			entry := AuditEntry{At: e.At, Actor: e.Actor, Action: ActionLabel(e.Action),
				Field: fieldLabel(def, e.Field), Old: fieldValue(def, e.Field, e.OldValue), New: fieldValue(def, e.Field, e.NewValue)}
			if e.UnitID != nil {
				entry.UnitID = *e.UnitID
				entry.Unit = unitNames[*e.UnitID]
				if entry.Unit == "" {
					entry.Unit = "(borttagen enhet)"
				}
			}
			if e.EvaluationID != nil {
				entry.EvaluationID = *e.EvaluationID
				entry.Evaluation = titles[*e.EvaluationID]
			}
			trail.Entries[i] = entry
		}
		return nil
	})
	return trail, err
}

// evaluationTitles names the evaluations the events concern: by their
// current name, or for a deleted one by the newest name the trail recorded.
func evaluationTitles(q *store.Queries, roundID int64, evs []store.AuditEvent) (map[int64]string, error) {
	titles := map[int64]string{}
	var ids []int64
	for _, e := range evs { // newest first
		if e.EvaluationID == nil {
			continue
		}
		id := *e.EvaluationID
		if _, seen := titles[id]; !seen {
			titles[id] = ""
			ids = append(ids, id)
		}
		if e.Field == "benamning" && titles[id] == "" {
			titles[id] = strings.TrimSpace(e.NewValue)
			if titles[id] == "" {
				titles[id] = strings.TrimSpace(e.OldValue)
			}
		}
	}
	current, err := q.EvaluationsByID(roundID, ids)
	if err != nil {
		return nil, err
	}
	for id, e := range current {
		titles[id] = e.Title()
	}
	return titles, nil
}
