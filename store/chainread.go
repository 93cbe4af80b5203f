package store

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"gorm.io/gorm"

	"duban/models"
)

// unreadableRecord finds, among the entries after seq, the first whose row
// cannot be read into its model (a time or a number edited directly in the
// database) and says which column holds what. It returns nil when every
// row reads.
func (s *Store) unreadableRecord(ctx context.Context, after int64) (*ChainProblem, error) {
	var keys []struct {
		Seq int64
		ID  uint64
	}
	if err := s.DB.WithContext(ctx).Model(&models.AccountabilityRecord{}).Select("seq, id").
		Where("seq > ?", after).Order("seq").Limit(1000).Scan(&keys).Error; err != nil {
		return nil, err
	}
	for _, k := range keys {
		var r models.AccountabilityRecord
		if err := s.DB.WithContext(ctx).Where("seq = ?", k.Seq).Take(&r).Error; err == nil {
			continue
		}
		column, holds, want := s.unreadableColumn(ctx, k.Seq)
		return &ChainProblem{Seq: k.Seq, ID: k.ID, Problem: fmt.Sprintf(
			"record %d's %s holds %s, which cannot be read as %s (edited in the database?)", k.Seq, column, holds, want)}, nil
	}
	return nil, nil
}

// unreadableColumn is the first column of an entry that does not scan into
// its field: its name, what it holds, and what it should hold.
func (s *Store) unreadableColumn(ctx context.Context, seq int64) (column, holds, want string) {
	stmt := &gorm.Statement{DB: s.DB}
	if err := stmt.Parse(&models.AccountabilityRecord{}); err != nil {
		return "row", "something", "an accountability record"
	}
	for _, f := range stmt.Schema.Fields {
		if f.DBName == "" {
			continue
		}
		q := "SELECT " + stmt.Quote(f.DBName) + " FROM accountability_records WHERE seq = ?"
		dest := reflect.New(f.FieldType)
		if err := s.SQL.QueryRowContext(ctx, q, seq).Scan(dest.Interface()); err == nil {
			continue
		}
		var raw any
		s.SQL.QueryRowContext(ctx, q, seq).Scan(&raw)
		return f.DBName, describeRaw(raw), kindOf(f.FieldType)
	}
	return "row", "something", "an accountability record"
}

func describeRaw(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return fmt.Sprintf("%q", v)
	case string:
		return fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf("%v", v)
}

func kindOf(t reflect.Type) string {
	switch {
	case t == reflect.TypeOf(time.Time{}):
		return "a time"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return "a whole number"
	}
	return "text"
}
