package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"plaza/internal/store"
	"plaza/internal/store/storetest"
)

func TestLastDays(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip(err)
	}
	// 2026-03-08 is 23 hours long in New York.
	days := store.LastDays(time.Date(2026, 3, 9, 3, 0, 0, 0, time.UTC), ny, 3) // 23:00 on the 8th there
	var dates []string
	for i, d := range days {
		dates = append(dates, d.Date)
		if i > 0 && d.From != days[i-1].To {
			t.Fatalf("days not contiguous: %v", days)
		}
	}
	if !reflect.DeepEqual(dates, []string{"2026-03-06", "2026-03-07", "2026-03-08"}) {
		t.Fatalf("dates %v", dates)
	}
	if h := time.Duration(days[2].To-days[2].From) * time.Millisecond; h != 23*time.Hour {
		t.Fatalf("the DST day is %v long", h)
	}
}

func TestPerDay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Exec(ctx, "CREATE TABLE perday_fx (at BIGINT NOT NULL, kind BIGINT NOT NULL, v BIGINT NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		for _, r := range [][3]int64{{0, 1, 5}, {999, 1, 7}, {1000, 1, 1}, {1500, 2, 100}, {2500, 1, 9}, {3000, 1, 50}} {
			if _, err := db.Exec(ctx, "INSERT INTO perday_fx (at, kind, v) VALUES (?, ?, ?)", r[0], r[1], r[2]); err != nil {
				t.Fatal(err)
			}
		}
		days := []store.Day{{Date: "a", From: 0, To: 1000}, {Date: "b", From: 1000, To: 2000}, {Date: "c", From: 2000, To: 3000}}
		got, err := store.PerDay(ctx, db, days, "perday_fx", "at", "kind = ?", []any{1}, "COUNT(*)", "COALESCE(SUM(v), 0)")
		if err != nil {
			t.Fatal(err)
		}
		if want := [][]int64{{2, 12}, {1, 1}, {1, 9}}; !reflect.DeepEqual(got, want) {
			t.Fatalf("per day %v, want %v", got, want)
		}
		if got, err := store.PerDay(ctx, db, nil, "perday_fx", "at", "", nil, "COUNT(*)"); err != nil || len(got) != 0 {
			t.Fatal(got, err)
		}
	})
}
