package round

import (
	"time"
	_ "time/tzdata" // Swedish time must not depend on the machine's zone files
)

// Stockholm is Swedish time (CET/CEST), in which every time is shown. It is
// set once at start-up and never changed.
var Stockholm = loadStockholm()

func loadStockholm() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}

// SwedishTime formats a moment as Swedes read it, with the zone:
// "2009-12-18 14:05 CET".
func SwedishTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Stockholm).Format("2006-01-02 15:04 MST")
}

// SwedishTimeSeconds is SwedishTime to the second, for logs where the
// order of events within a minute matters: "2009-12-18 14:05:09 CET".
func SwedishTimeSeconds(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Stockholm).Format("2006-01-02 15:04:05 MST")
}
