package store

import (
	"context"
	"regexp"
	"slices"
	"strings"
)

var autoIncrementRe = regexp.MustCompile(` AUTO_INCREMENT=\d+`)

// SchemaDDL is the database's schema as the database itself describes it:
// per table (and, on SQLite, per index) its DDL, with what varies between
// two equal schemas — MySQL's next AUTO_INCREMENT, the order of its keys —
// taken out. The bookkeeping tables of migrations are left out. Tests
// compare it; `duban db status` does not need it.
func (s *Store) SchemaDDL(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	skip := func(name string) bool {
		return name == versionTable || name == changesTable || name == "sqlite_sequence"
	}
	if s.Dialect == SQLite {
		rows, err := s.SQL.QueryContext(ctx, "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var name, ddl string
			if err := rows.Scan(&name, &ddl); err != nil {
				return nil, err
			}
			if !skip(name) {
				out[name] = ddl
			}
		}
		return out, rows.Err()
	}
	rows, err := s.SQL.QueryContext(ctx, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")
	if err != nil {
		return nil, err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return nil, err
		}
		if !skip(name) {
			tables = append(tables, name)
		}
	}
	rows.Close()
	for _, t := range tables {
		var name, ddl string
		if err := s.SQL.QueryRowContext(ctx, "SHOW CREATE TABLE `"+t+"`").Scan(&name, &ddl); err != nil {
			return nil, err
		}
		lines := strings.Split(autoIncrementRe.ReplaceAllString(ddl, ""), "\n")
		var keys []string
		body := lines[:0]
		for _, l := range lines {
			if k := strings.TrimSuffix(strings.TrimSpace(l), ","); strings.Contains(k, "KEY `") {
				keys = append(keys, k)
			} else {
				body = append(body, strings.TrimSuffix(l, ","))
			}
		}
		slices.Sort(keys)
		out[t] = strings.Join(body, "\n") + "\nkeys: " + strings.Join(keys, "\n")
	}
	return out, nil
}
