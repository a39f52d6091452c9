// Package natgen generates a national round (design §9: 290 kommuner, about
// 30 000 evaluations) as a round.Dataset, for the benchmark command and for
// tests that need realistic volume. Everything is derived from a seed, so
// the same Options always give the same dataset.
//
// The round looks like real data: kommuner with populations from a few
// thousand to close to a million, a handful of nämnder per kommun, some
// units shared by two or three kommuner with every kind of cost split
// (by population, equal, explicit shares), a few units that declined or
// have no evaluations, and complete evaluations whose answers follow every
// rule of the form. The answers are canonical (as form.Definition.Validate
// returns them), so a dataset written with sheet.WriteXLSX reads back equal.
package natgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/inventera/inventera/internal/form"
	"github.com/inventera/inventera/internal/round"
)

// Options size the round. A zero field takes its default.
type Options struct {
	Seed                 uint64
	Kommuner             int // default 290
	UnitsPerKommun       int // each kommun's own units; default 5
	EvaluationsPerKommun int // spread over the kommun's answering units; default 100
}

// Defaults of a national round.
const (
	DefaultSeed                 = 2009
	DefaultKommuner             = 290
	DefaultUnitsPerKommun       = 5
	DefaultEvaluationsPerKommun = 100
)

func (o Options) withDefaults() Options {
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	if o.Kommuner <= 0 {
		o.Kommuner = DefaultKommuner
	}
	if o.UnitsPerKommun <= 0 {
		o.UnitsPerKommun = DefaultUnitsPerKommun
	}
	if o.EvaluationsPerKommun < 0 {
		o.EvaluationsPerKommun = 0
	} else if o.EvaluationsPerKommun == 0 {
		o.EvaluationsPerKommun = DefaultEvaluationsPerKommun
	}
	return o
}

// Generate builds the round. Every kommun's first own unit has submitted and
// the kommun's evaluations go to its submitted units (own ones, and shared
// ones it leads), so the round has exactly Kommuner × EvaluationsPerKommun
// evaluations.
func Generate(opt Options) round.Dataset {
	opt = opt.withDefaults()
	rng := rand.New(rand.NewPCG(opt.Seed, 0x6b6f6d6d756e))
	var ds round.Dataset

	names := kommunNames(rng, opt.Kommuner)
	for _, name := range names {
		p := population(rng)
		ds.Kommuner = append(ds.Kommuner, round.Kommun{Name: name, Population: &p})
	}

	// answering[k] lists the units whose evaluations kommun k reports.
	answering := make([][]int, opt.Kommuner)
	shared := 0
	for k, kommun := range ds.Kommuner {
		for j := range opt.UnitsPerKommun {
			a := areas[j%len(areas)]
			name := a.unit
			if j >= len(areas) {
				name += " " + strconv.Itoa(j/len(areas)+1)
			}
			u := round.Unit{Name: name, Kommuner: []string{kommun.Name}, Omrade: a.omrade}
			u.ChefName, u.ChefEmail = chef(rng, kommun.Name)
			u.Response, u.Reason = response(rng, j == 0)
			if u.Response == round.Submitted {
				answering[k] = append(answering[k], len(ds.Units))
			}
			ds.Units = append(ds.Units, round.UnitData{Unit: u})
		}
		// Every sixth kommun runs a unit with the next one, every twelfth
		// with the next two.
		if k%6 != 0 || k+1 >= opt.Kommuner {
			continue
		}
		members := []string{kommun.Name, ds.Kommuner[k+1].Name}
		if k%12 == 0 && k+2 < opt.Kommuner {
			members = append(members, ds.Kommuner[k+2].Name)
		}
		s := sharedUnits[shared%len(sharedUnits)]
		u := round.Unit{Name: s.unit + " " + strings.Join(members, "–"), Kommuner: members, Omrade: s.omrade,
			Fordelning: fordelning(shared, members)}
		u.ChefName, u.ChefEmail = chef(rng, kommun.Name)
		u.Response, u.Reason = response(rng, shared%5 != 4)
		if u.Response == round.Submitted {
			answering[k] = append(answering[k], len(ds.Units))
		}
		ds.Units = append(ds.Units, round.UnitData{Unit: u})
		shared++
	}

	n := 0
	for k := range ds.Kommuner {
		for range opt.EvaluationsPerKommun {
			u := &ds.Units[answering[k][rng.IntN(len(answering[k]))]]
			u.Evaluations = append(u.Evaluations, round.Evaluation{Complete: true, Answers: Answers(opt.Seed, n, form.ModeImport)})
			n++
		}
	}
	// A submitted unit without evaluations reads back as not answered; say
	// it has none instead.
	for i := range ds.Units {
		if u := &ds.Units[i]; u.Response == round.Submitted && len(u.Evaluations) == 0 {
			u.Response = round.NoEvaluations
		}
	}
	return ds
}

// fordelning cycles through the cost-split kinds: by population (written as
// blank, its canonical form), equal, and explicit shares.
func fordelning(i int, members []string) string {
	switch i % 3 {
	case 1:
		return round.SplitEqually
	case 2:
		shares := []string{"0,6", "0,4"}
		if len(members) == 3 {
			shares = []string{"0,5", "0,3", "0,2"}
		}
		parts := make([]string, len(members))
		for m, name := range members {
			parts[m] = name + "=" + shares[m]
		}
		return strings.Join(parts, ";")
	}
	return ""
}

// response: most units submit; a few decline, answer that they have none,
// or do not answer.
func response(rng *rand.Rand, mustSubmit bool) (round.Response, string) {
	r := rng.IntN(100)
	switch {
	case mustSubmit || r >= 10:
		return round.Submitted, ""
	case r < 4:
		return round.Declined, declineReasons[rng.IntN(len(declineReasons))]
	case r < 7:
		return round.NoEvaluations, ""
	}
	return round.NoResponse, ""
}

// population draws from a log-normal around 16 000 inhabitants, the median
// Swedish kommun, between 2 400 and 980 000.
func population(rng *rand.Rand) int64 {
	p := math.Exp(math.Log(16000) + 0.95*rng.NormFloat64())
	return int64(min(max(p, 2400), 980000))
}

// kommunNames makes n distinct Swedish-sounding names in a shuffled order.
func kommunNames(rng *rand.Rand, n int) []string {
	var all []string
	for _, p := range namePrefixes {
		for _, s := range nameSuffixes {
			all = append(all, p+s)
		}
	}
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	out := make([]string, n)
	for i := range n {
		out[i] = all[i%len(all)]
		if i >= len(all) {
			out[i] += " " + strconv.Itoa(i/len(all)+1)
		}
	}
	return out
}

func chef(rng *rand.Rand, kommun string) (name, email string) {
	first := firstNames[rng.IntN(len(firstNames))]
	last := lastNames[rng.IntN(len(lastNames))]
	return first + " " + last, ascii(first) + "." + ascii(last) + "@" + ascii(kommun) + ".example"
}

// ascii folds a name into an e-mail address part.
func ascii(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'å', 'ä':
			b.WriteByte('a')
		case 'ö':
			b.WriteByte('o')
		case 'é':
			b.WriteByte('e')
		default:
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// Answers is evaluation number n of the seed's round: canonical answers that
// pass every rule of the form in the given mode. In form.ModeImport the
// initiator is sometimes blank (counted as "ej angiven"); the web form
// (form.ModeForm) requires one. The name, "… nr N", is unique within a
// seed.
func Answers(seed uint64, n int, mode form.Mode) form.Answers {
	rng := rand.New(rand.NewPCG(seed, uint64(n)+1))
	t := evaluationTitles[rng.IntN(len(evaluationTitles))]
	a := form.Answers{
		"benamning":          t.name + " nr " + strconv.Itoa(n+1),
		"kommunovergripande": yesNo(rng.IntN(8) == 0),
		"periodicitet":       pickOne(rng, "flera_per_ar", "arligen", "arligen", "arligen", "mer_sallan", "engangs"),
		"syfte":              t.purpose,
	}
	switch r := rng.IntN(20); {
	case r < 8:
		a["uppdragsgivare_typ"] = "extern"
		a["uppdragsgivare"] = pickOne(rng, "SCB", "Socialstyrelsen", "Skolverket", "Länsstyrelsen", "SKL", "Kolada")
	case r < 13:
		a["uppdragsgivare_typ"] = "politisk"
		a["uppdragsgivare"] = pickOne(rng, "Kommunfullmäktige", "Kommunstyrelsen", "Nämnden")
	case r < 19 || mode == form.ModeForm:
		a["uppdragsgivare_typ"] = "verksamhet"
	}
	if rng.IntN(3) > 0 {
		a["lagstadgad"] = yesNo(rng.IntN(3) == 0)
	}
	if rng.IntN(30) == 0 {
		a["resultatansvarig"] = "ingen"
	} else {
		a["resultatansvarig"] = pickSome(rng, []string{"kf", "ks", "namnd", "forvaltningschef", "verksamhetschef", "enhetschef", "extern", "annan"}, 2)
		if a.HasOption("resultatansvarig", "annan") {
			a["resultatansvarig_annan"] = pickOne(rng, "Revisorerna", "Styrgruppen", "Kvalitetsrådet")
		}
	}
	a["uppdragsgivare_ar_resultatansvarig"] = yesNo(rng.IntN(2) == 0)
	if rng.IntN(11) == 0 {
		a["anvandning"] = "inte_alls"
	} else {
		a["anvandning"] = pickSome(rng, []string{"politiskt_beslut", "handlingsplan", "budget_malprocess", "annat"}, 2)
		if a.HasOption("anvandning", "annat") {
			a["anvandning_annat"] = pickOne(rng, "Verksamhetsberättelsen", "Information till medborgarna", "Marknadsföring")
		}
		if rng.IntN(4) == 0 {
			a["resultat_anvandning"] = "Resultatet redovisades för nämnden och ledde till en handlingsplan för nästa år."
		}
	}
	if rng.IntN(3) == 0 {
		a["brukarundersokning"] = "ja"
		a["malgrupp"] = pickOne(rng, "Elever", "Föräldrar", "Brukare i hemtjänsten", "Kommunmedborgare", "Besökare", "Anhöriga")
		a["metod"] = pickSome(rng, []string{"enkat_webb", "enkat_papper", "intervju", "fokusgrupp", "matning", "synpunkter_klagomal", "annan"}, 1)
	} else {
		a["brukarundersokning"] = "nej"
	}
	switch rng.IntN(6) {
	case 0, 1, 2:
		a["timmar"] = decimal(rng.IntN(40000), 100)
		if rng.IntN(2) == 0 {
			a["konsult_kr"] = strconv.Itoa(1000 * rng.IntN(200))
		}
		if rng.IntN(3) == 0 {
			a["material_kr"] = strconv.Itoa(rng.IntN(20000))
		}
		if rng.IntN(4) == 0 {
			a["ovrigt_kr"] = strconv.Itoa(rng.IntN(10000))
		}
	case 3:
		a["timmar"] = strconv.Itoa(rng.IntN(200))
	case 4:
		a["kostnad_totalt_kr"] = strconv.Itoa(500 * rng.IntN(1000))
	}
	if rng.IntN(5) == 0 {
		a["kommentar"] = pickOne(rng,
			"Görs tillsammans med grannkommunerna; kostnaden är vår andel.",
			"Timmarna är uppskattade i efterhand.",
			"Svarsfrekvensen var låg i år (41 %), så resultatet ska tolkas försiktigt.")
	}
	return a
}

// decimal writes n/div canonically: "." as decimal mark, no trailing zeros.
func decimal(n, div int) string {
	return strconv.FormatFloat(float64(n)/float64(div), 'f', -1, 64)
}

func yesNo(b bool) string {
	if b {
		return "ja"
	}
	return "nej"
}

func pickOne(rng *rand.Rand, opts ...string) string { return opts[rng.IntN(len(opts))] }

// pickSome chooses about want of opts, at least one, in definition order.
func pickSome(rng *rand.Rand, opts []string, want int) string {
	var out []string
	for _, o := range opts {
		if rng.IntN(len(opts)) < want {
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		out = []string{opts[rng.IntN(len(opts))]}
	}
	return strings.Join(out, form.MultiSeparator)
}

type area struct{ unit, omrade string }

var (
	areas = []area{
		{"Socialnämnden", "Vård och omsorg"},
		{"Barn- och utbildningsnämnden", "Utbildning"},
		{"Kultur- och fritidsnämnden", "Kultur och fritid"},
		{"Samhällsbyggnadsnämnden", "Samhällsbyggnad"},
		{"Kommunstyrelsen", "Ledning och stöd"},
		{"Tekniska nämnden", "Teknik"},
		{"Miljö- och hälsoskyddsnämnden", "Miljö"},
		{"Kommunala bostadsbolaget", "Bolag"},
	}
	sharedUnits = []area{
		{"Räddningstjänsten", "Räddningstjänst"},
		{"Gemensamma IT-nämnden", "Ledning och stöd"},
		{"Överförmyndarnämnden", "Ledning och stöd"},
		{"Miljöförbundet", "Miljö"},
		{"Vuxenutbildningen", "Utbildning"},
	}
	namePrefixes = []string{"Al", "Berg", "Björk", "Bo", "Ed", "Ek", "Fal", "Gran", "Hag", "Hed", "Hol", "Lind",
		"Ljus", "Mal", "Mark", "Norr", "Ny", "Rätt", "Sand", "Sjö", "Skog", "Stor", "Sund", "Söder", "Vall", "Väster",
		"Älv", "Ås", "Öster"}
	nameSuffixes = []string{"by", "sala", "köping", "hult", "vik", "berga", "näs", "torp", "stad", "fors", "dal",
		"holm", "lunda"}
	firstNames = []string{"Anna", "Björn", "Cecilia", "David", "Eva", "Fredrik", "Gunilla", "Hans", "Ingrid",
		"Johan", "Karin", "Lars", "Maria", "Nils", "Olle", "Per", "Sara", "Åsa", "Örjan", "Zeynep"}
	lastNames = []string{"Andersson", "Berg", "Dahl", "Ek", "Forsberg", "Holm", "Johansson", "Karlsson",
		"Lindqvist", "Nilsson", "Persson", "Sjöberg", "Wikström", "Öberg", "Åberg"}
	declineReasons = []string{"Hög arbetsbelastning", "Omorganisation under året", "Ny verksamhetschef"}

	evaluationTitles = []struct{ name, purpose string }{
		{"Brukarundersökning hemtjänst", "Ta reda på hur brukarna upplever hemtjänstens bemötande, inflytande och trygghet."},
		{"Nationella prov åk 9", "Följa upp elevernas kunskapsresultat i jämförelse med riket."},
		{"Öppna jämförelser äldreomsorg", "Jämföra kvalitet och kostnader i äldreomsorgen med andra kommuner."},
		{"Kommunens kvalitet i korthet", "Mäta tillgänglighet, bemötande och effektivitet med gemensamma nyckeltal."},
		{"Medborgarundersökning", "Ta reda på vad invånarna tycker om kommunen som plats att bo och leva i."},
		{"Elevenkät", "Följa upp elevernas trivsel, trygghet och studiero."},
		{"Föräldraenkät förskola", "Fråga vårdnadshavarna om förskolans verksamhet och bemötande."},
		{"Tillsyn av livsmedelsverksamheter", "Följa upp att kontrollplanen genomförts och vad den visade."},
		{"Biblioteksundersökning", "Ta reda på hur besökarna använder biblioteket och vad de saknar."},
		{"Uppföljning av försörjningsstöd", "Följa upp hur många som gått från försörjningsstöd till arbete eller studier."},
		{"Nöjd-Kund-Index bygglov", "Mäta hur företag och privatpersoner upplever bygglovshandläggningen."},
		{"Räddningstjänstens olycksstatistik", "Följa upp insatser och olyckor för att rikta det förebyggande arbetet."},
	}
)

// Fields is the answers as the web form posts them: one value per field,
// a multi choice (per def) as one value per chosen option.
func Fields(def *form.Definition, a form.Answers) map[string][]string {
	out := make(map[string][]string, len(a))
	for code, v := range a {
		if f := def.Field(code); f != nil && f.Type == form.TypeMulti {
			out[code] = a.Options(code)
		} else {
			out[code] = []string{v}
		}
	}
	return out
}

// Describe summarises a dataset: "290 kommuner, 1 474 enheter (24 delade),
// 29 000 utvärderingar".
func Describe(ds round.Dataset) string {
	shared := 0
	for _, u := range ds.Units {
		if u.Shared() {
			shared++
		}
	}
	return fmt.Sprintf("%d kommuner, %d enheter (%d delade), %d utvärderingar", len(ds.Kommuner), len(ds.Units), shared, ds.EvaluationCount())
}
