package storetest

import (
	"context"
	"database/sql"

	"duban/store"
)

// Test-only migrations, as later releases would add them, for the tests
// of the migration machinery: each takes the version it gets in the set,
// counted from Base so that the binary's next real migration does not
// collide with them.

// Base is the newest version this binary's own migrations reach.
func Base() int64 { return store.DefaultMigrations().Latest() }

// Next is the version n places after Base: Next(1) is the first a later
// release would add.
func Next(n int64) int64 { return Base() + n }

// AddNoticeColumn is an expand migration: a nullable column on notices,
// which binaries that predate it ignore.
func AddNoticeColumn(version int64) store.Migration {
	return store.Migration{Version: version, Name: "notice_escalated_to", Compat: store.Expand, SQL: map[string]string{
		store.SQLite: "ALTER TABLE notices ADD COLUMN escalated_to text;",
		store.MySQL:  "ALTER TABLE notices ADD COLUMN escalated_to varchar(64) DEFAULT NULL;",
	}}
}

// WidenUnitName is an expand migration: units.name from 128 to 256 characters.
func WidenUnitName(version int64) store.Migration {
	return store.Migration{Version: version, Name: "unit_name_256", Compat: store.Expand, SQL: map[string]string{
		store.SQLite: "-- SQLite keeps no column lengths: nothing to do.",
		store.MySQL:  "ALTER TABLE units MODIFY name varchar(256) NOT NULL;",
	}}
}

// NarrowUnitName is a contract migration: units.name back to 128
// characters, refusing while a name is longer. On SQLite, which keeps no
// lengths, the narrowing is what it would do to the data.
func NarrowUnitName(version int64) store.Migration {
	return store.Migration{Version: version, Name: "unit_name_128", Compat: store.Contract, SQL: map[string]string{
		store.SQLite: "UPDATE units SET name = substr(name, 1, 128);",
		store.MySQL:  "ALTER TABLE units MODIFY name varchar(128) NOT NULL;",
	}, Check: func(ctx context.Context, tx *sql.Tx, dialect string) error {
		return store.RequireFit(ctx, tx, dialect, store.Fit{Table: "units", Key: "code", Column: "name", MaxChars: 128})
	}}
}

// DropRuleRunHost is a contract migration: a dropped column, which binaries
// that predate it still write.
func DropRuleRunHost(version int64) store.Migration {
	return store.Migration{Version: version, Name: "drop_rule_run_host", Compat: store.Contract, SQL: map[string]string{
		store.SQLite: "ALTER TABLE rule_runs DROP COLUMN host;",
		store.MySQL:  "ALTER TABLE rule_runs DROP COLUMN host;",
	}}
}

// With is the binary's migrations followed by extra.
func With(extra ...store.Migration) store.Migrations {
	return append(store.DefaultMigrations(), extra...)
}
