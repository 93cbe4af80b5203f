package store_test

import (
	"context"
	"testing"
	"time"

	"duban/clock"
	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

// TestReopeningChangesNothing migrates a database that holds rows again:
// nothing is applied and no table or index changes.
func TestReopeningChangesNothing(t *testing.T) {
	storetest.Each(t, time.Date(2026, 3, 10, 1, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		ctx := context.Background()
		if _, err := s.UpsertUnits(ctx, []models.Unit{{Code: "zjj", Name: "县住建局"}}); err != nil {
			t.Fatal(err)
		}
		before, err := s.SchemaDDL(ctx)
		if err != nil {
			t.Fatal(err)
		}
		applied, err := s.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("a second migration applied %v, %v", applied, err)
		}
		after, _ := s.SchemaDDL(ctx)
		for name, ddl := range before {
			if after[name] != ddl {
				t.Errorf("a second migration changed %s:\n%s\nwas\n%s", name, after[name], ddl)
			}
		}
		if st, _ := s.SchemaStatus(ctx); st.Current != storetest.Base() || len(st.Applied) != int(storetest.Base()) {
			t.Errorf("want every one of the binary's %d migrations applied once: %+v", storetest.Base(), st)
		}
	})
}
