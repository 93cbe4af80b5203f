package store

import (
	"github.com/libtnb/sqlite"
	"gorm.io/gorm"
)

// sqliteDialector keeps gorm's SQLite migrator from rebuilding tables that
// have not changed. The driver reports a TEXT column of a table that holds
// rows as 2^63-1 characters long, gorm compares that with the model's size
// (size:64), finds them different, and AlterColumn rebuilds the table — a
// copy of every row — on every start: minutes with a million notices. SQLite
// keeps no column sizes anyway, and duban's migrations only ever add
// tables, columns and indexes, which AutoMigrate still does.
// It embeds the driver's own dialector, so that every optional interface
// gorm looks for (savepoints, error translation) is still there.
type sqliteDialector struct{ *sqlite.Dialector }

func (d sqliteDialector) Migrator(db *gorm.DB) gorm.Migrator {
	return sqliteMigrator{d.Dialector.Migrator(db)}
}

type sqliteMigrator struct{ gorm.Migrator }

// AlterColumn does nothing: see sqliteDialector.
func (sqliteMigrator) AlterColumn(any, string) error { return nil }
