package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm/logger"

	"duban/clock"
	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

// sqlLog records the statements gorm runs.
type sqlLog struct {
	logger.Interface
	stmts []string
}

func (l *sqlLog) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	s, _ := fc()
	l.stmts = append(l.stmts, s)
}

// TestReopeningChangesNothing opens a database that holds rows again and
// checks the migration leaves its tables alone: no table is rebuilt and no
// column altered on a start.
func TestReopeningChangesNothing(t *testing.T) {
	storetest.Each(t, time.Date(2026, 3, 10, 1, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clk *clock.Fixed) {
		ctx := context.Background()
		if _, err := s.UpsertUnits(ctx, []models.Unit{{Code: "zjj", Name: "县住建局"}}); err != nil {
			t.Fatal(err)
		}
		log := &sqlLog{Interface: logger.Discard}
		s.DB.Logger = log
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for _, stmt := range log.stmts {
			up := strings.ToUpper(stmt)
			if strings.Contains(up, "__TEMP") || strings.HasPrefix(up, "ALTER TABLE") || strings.HasPrefix(up, "DROP TABLE") {
				t.Errorf("a second migration of an unchanged schema ran: %s", stmt)
			}
		}
	})
}
