package store

import (
	"reflect"
	"testing"

	"github.com/inventera/inventera/internal/form"
)

func TestDecodeAnswers(t *testing.T) {
	intern := map[string]string{}
	for _, a := range []form.Answers{
		{},
		{"benamning": "Brukarundersökning hemtjänst", "timmar": "1234.5", "anvandning": "handlingsplan;budget_malprocess"},
		{"syfte": "Rad ett\nrad två\t\"citat\" \\ <b>&</b> \u2028 😀", "benamning": "=SUM(A1)"},
		{"kommentar": ""},
	} {
		js, err := encodeAnswers(a)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeAnswers([]byte(js), intern)
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		if !reflect.DeepEqual(got, a) {
			t.Errorf("%s: got %v", js, got)
		}
	}
	for _, bad := range []string{"", "{", `{"a":1}`, `{"a":"b"`, `["a"]`, `{"a" "b"}`} {
		if _, err := decodeAnswers([]byte(bad), intern); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if got, err := decodeAnswers([]byte("null"), intern); err != nil || got == nil || len(got) != 0 {
		t.Errorf("null: %v, %v", got, err)
	}
}
