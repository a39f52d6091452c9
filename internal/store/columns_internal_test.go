package store

import (
	"reflect"
	"slices"
	"sync"
	"testing"

	"gorm.io/gorm/schema"
)

// TestUnitColumns: unitsWithMembers reads every column of unitRow, each
// into its own field.
func TestUnitColumns(t *testing.T) {
	s, err := schema.Parse(&unitRow{}, &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		t.Fatal(err)
	}
	var u unitRow
	cols, dest := unitColumns(&u)
	if got, want := slices.Sorted(slices.Values(cols)), slices.Sorted(slices.Values(s.DBNames)); !slices.Equal(got, want) {
		t.Errorf("unitColumns lists %v, want unitRow's columns %v", got, want)
	}
	if len(dest) != len(cols) {
		t.Fatalf("%d destinations for %d columns", len(dest), len(cols))
	}
	for i, name := range cols {
		f := s.LookUpField(name)
		if f == nil {
			continue // reported above
		}
		want := f.ReflectValueOf(t.Context(), reflect.ValueOf(&u).Elem()).Addr().Interface()
		if dest[i] != want {
			t.Errorf("column %s is read into another field than unitRow.%s", name, f.Name)
		}
	}
}
