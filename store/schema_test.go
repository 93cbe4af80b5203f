package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"duban/models"
	"duban/store"
	"duban/store/storetest"
)

// fixture is a database made by the binary before versioned migrations
// (store/testdata: `duban demo --cases 12` and a `run --once` a week later,
// so it holds cases, notices, deliveries and a 4-record accountability
// chain, and its settings hold the old models fingerprint).
func fixture(t *testing.T, b storetest.Backend) string {
	t.Helper()
	dsn := b.NewDSN(t)
	if b.Name == storetest.SQLite.Name {
		src, err := os.ReadFile("testdata/v0-sqlite.db")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(strings.TrimPrefix(dsn, "sqlite:"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		return dsn
	}
	dump, err := os.ReadFile("testdata/v0-mariadb.sql")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("mysql", strings.TrimPrefix(dsn, "mysql://")+"?multiStatements=true")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(string(dump)); err != nil {
		t.Fatalf("load testdata/v0-mariadb.sql: %v", err)
	}
	return dsn
}

func open(t *testing.T, dsn string, opts store.Options) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dsn, opts)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fixtureHolds checks what the fixture's binary wrote is all still there.
func fixtureHolds(t *testing.T, s *store.Store, label string) {
	t.Helper()
	ctx := context.Background()
	counts, err := s.Counts(ctx)
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	want := map[string]int64{"cases": 22, "notices": 13, "accountability_records": 4}
	for table, n := range want {
		if counts[table] != n {
			t.Errorf("%s: %d %s, want %d", label, counts[table], table, n)
		}
	}
	rep, err := s.VerifyChain(ctx)
	if err != nil || !rep.OK || rep.Records != 4 {
		t.Errorf("%s: accountability chain %+v, %v", label, rep, err)
	}
	if v, _ := s.Setting(ctx, "demo.seed"); v != "1" {
		t.Errorf("%s: setting demo.seed = %q, want 1", label, v)
	}
}

// TestTodaysBinaryFixtureUpgrades opens a database made by the binary
// before versioned migrations: it is recognised and recorded at version 1
// without DDL, and every row and the accountability chain are intact; then
// each later migration (the binary's own, as a real deployment runs them,
// and two test-only ones after them) runs up from the one before with the
// data in place; and one start of this binary does all of its own at once.
func TestTodaysBinaryFixtureUpgrades(t *testing.T) {
	set := storetest.With(storetest.AddNoticeColumn(storetest.Next(1)), storetest.WidenUnitName(storetest.Next(2)))
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			dsn := fixture(t, b)
			before := open(t, dsn, store.Options{SkipMigrate: true})
			st, err := before.SchemaStatus(ctx)
			if err != nil || !st.Legacy || st.Current != 0 || len(st.Pending) != int(storetest.Base()) || st.Pending[0].Name != "initial" {
				t.Fatalf("the fixture's status: %+v, %v (want legacy, the baseline and the binary's later migrations pending, %d in all)", st, err, storetest.Base())
			}
			ddl, err := before.SchemaDDL(ctx)
			if err != nil {
				t.Fatal(err)
			}
			fixtureHolds(t, before, "before")
			before.Close()

			for v := int64(1); v <= set.Latest(); v++ {
				s := open(t, dsn, store.Options{Migrations: set[:v]})
				st, err := s.SchemaStatus(ctx)
				if err != nil || st.Current != v || st.Legacy || len(st.Pending) != 0 || len(st.Applied) != int(v) || st.Applied[v-1].Name != set[v-1].Name {
					t.Fatalf("after migrating to %d (%s): %+v, %v", v, set[v-1].Name, st, err)
				}
				fixtureHolds(t, s, fmt.Sprintf("at version %d", v))
				if v == 1 {
					after, err := s.SchemaDDL(ctx)
					if err != nil {
						t.Fatal(err)
					}
					for name, d := range ddl {
						if after[name] != d {
							t.Errorf("the baseline changed %s:\n%s\nwas\n%s", name, after[name], d)
						}
					}
					if len(after) != len(ddl) {
						t.Errorf("the baseline left %d tables and indexes, the fixture had %d", len(after), len(ddl))
					}
				}
				s.Close()
			}

			// A deployment of this binary takes the fixture to its latest
			// version in one start: the baseline, then the binary's own.
			s := open(t, fixture(t, b), store.Options{})
			st, err = s.SchemaStatus(ctx)
			if err != nil || st.Current != storetest.Base() || len(st.Pending) != 0 || len(st.Applied) != int(storetest.Base()) {
				t.Fatalf("after one start of this binary: %+v, %v", st, err)
			}
			fixtureHolds(t, s, "after one start of this binary")
		})
	}
}

// TestMigrationsMakeWhatTheModelsDescribe compares the schema the
// migrations make with the one gorm's AutoMigrate makes of the models, the
// way the binaries before versioned migrations created it: the same
// tables, columns, types and indexes. A model changed without a migration
// fails here.
func TestMigrationsMakeWhatTheModelsDescribe(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			migrated, err := open(t, b.NewDSN(t), store.Options{}).SchemaDDL(ctx)
			if err != nil {
				t.Fatal(err)
			}
			auto := open(t, b.NewDSN(t), store.Options{SkipMigrate: true})
			db := auto.DB.WithContext(ctx)
			if auto.Dialect == store.MySQL {
				db = db.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin")
			}
			if err := db.AutoMigrate(models.All()...); err != nil {
				t.Fatal(err)
			}
			want, err := auto.SchemaDDL(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for name, ddl := range want {
				// SQLite keeps an ALTER TABLE's column as ", `col` ..." in
				// the table's text: the same column, written with a space.
				if sameDDL(migrated[name]) != sameDDL(ddl) {
					t.Errorf("%s: the migrations make\n%s\nthe models describe\n%s", name, migrated[name], ddl)
				}
			}
			for name := range migrated {
				if _, ok := want[name]; !ok {
					t.Errorf("the migrations make %s, which no model describes", name)
				}
			}
		})
	}
}

// TestANewerSchemaIsRefusedUnlessCompatible is the rollback case: this
// binary starts on a database a newer binary took one version further.
func TestANewerSchemaIsRefusedUnlessCompatible(t *testing.T) {
	base, next := storetest.Base(), storetest.Next(1)
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			for _, tc := range []struct {
				name  string
				newer store.Migration
				want  []string // in the refusal; none: it runs
			}{
				{"contract", storetest.DropRuleRunHost(next), []string{fmt.Sprintf("schema version %d, newer than this binary's %d", next, base),
					fmt.Sprintf("migration %d (drop_rule_run_host) is contract", next), fmt.Sprintf("run a duban that knows version %d or later", next)}},
				{"expand", storetest.AddNoticeColumn(next), nil},
			} {
				t.Run(tc.name, func(t *testing.T) {
					dsn := b.NewDSN(t)
					open(t, dsn, store.Options{Migrations: storetest.With(tc.newer)}).Close()
					old, err := store.Open(context.Background(), dsn, store.Options{})
					if tc.want == nil {
						if err != nil {
							t.Fatalf("an older binary refused a schema whose newer migrations are all expand: %v", err)
						}
						defer old.Close()
						st, _ := old.SchemaStatus(context.Background())
						if st.Current != next || st.Latest != base || len(st.Newer) != 1 || st.Newer[0].Version != next || st.Newer[0].Compat != "expand" {
							t.Errorf("status %+v", st)
						}
						return
					}
					var se *store.SchemaError
					if !errors.As(err, &se) {
						if old != nil {
							old.Close()
						}
						t.Fatalf("an older binary started on a contracted schema: %v", err)
					}
					for _, w := range tc.want {
						if !strings.Contains(err.Error(), w) {
							t.Errorf("refusal %q lacks %q", err, w)
						}
					}
					// --no-migrate refuses it the same way.
					if _, err := store.Open(context.Background(), dsn, store.Options{NoMigrate: true}); !errors.As(err, &se) {
						t.Errorf("--no-migrate: %v", err)
					}
				})
			}
		})
	}
}

// TestAVersionRowAloneIsRefused: a newer version recorded with nothing
// saying it is compatible counts as not.
func TestAVersionRowAloneIsRefused(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.NewDSN(t)
			s := open(t, dsn, store.Options{})
			unknown := storetest.Next(5)
			if err := s.DB.Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, true)", unknown).Error; err != nil {
				t.Fatal(err)
			}
			s.Close()
			_, err := store.Open(context.Background(), dsn, store.Options{})
			want := fmt.Sprintf("schema version %d, newer than this binary's %d", unknown, storetest.Base())
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "is unknown") {
				t.Errorf("refusal: %v", err)
			}
		})
	}
}

// TestNoMigrateRefusesADatabaseBehind: with --no-migrate a binary does not
// migrate, and says what to run.
func TestNoMigrateRefusesADatabaseBehind(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.NewDSN(t)
			open(t, dsn, store.Options{}).Close()
			base, next := storetest.Base(), storetest.Next(1)
			set := storetest.With(storetest.AddNoticeColumn(next))
			_, err := store.Open(context.Background(), dsn, store.Options{NoMigrate: true, Migrations: set})
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("schema version %d, this binary needs %d (pending: %d notice_escalated_to)", base, next, next)) ||
				!strings.Contains(err.Error(), "run `duban db migrate`") {
				t.Fatalf("refusal: %v", err)
			}
			s := open(t, dsn, store.Options{SkipMigrate: true, Migrations: set})
			if st, _ := s.SchemaStatus(context.Background()); st.Current != base || len(st.Pending) != 1 {
				t.Errorf("--no-migrate changed the schema: %+v", st)
			}
			applied, err := s.Migrate(context.Background())
			if err != nil || len(applied) != 1 || applied[0].Version != next {
				t.Fatalf("migrate: %v, %v", applied, err)
			}
			open(t, dsn, store.Options{NoMigrate: true, Migrations: set})
		})
	}
}

// TestNarrowingRefusesRowsThatDoNotFit widens units.name, stores a name
// that only fits the wider column, and narrows it again: the migration
// names the row and changes nothing, neither the row nor the schema.
func TestNarrowingRefusesRowsThatDoNotFit(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			dsn := b.NewDSN(t)
			widened, narrowed := storetest.Next(1), storetest.Next(2)
			wide := storetest.With(storetest.WidenUnitName(widened))
			s := open(t, dsn, store.Options{Migrations: wide})
			long := strings.Repeat("县", 150)
			if _, err := s.UpsertUnits(ctx, []models.Unit{{Code: "long", Name: long}, {Code: "short", Name: "县住建局"}}); err != nil {
				t.Fatal(err)
			}
			ddl, _ := s.SchemaDDL(ctx)
			s.Close()

			_, err := store.Open(ctx, dsn, store.Options{Migrations: append(wide, storetest.NarrowUnitName(narrowed))})
			var unfit *store.UnfitError
			if !errors.As(err, &unfit) {
				t.Fatalf("narrowing over a name that does not fit: %v", err)
			}
			if unfit.Count != 1 || len(unfit.Rows) != 1 || unfit.Rows[0].Key != "long" ||
				!strings.Contains(err.Error(), `code="long" (150 characters`) || !strings.Contains(err.Error(), fmt.Sprintf("version %d (unit_name_128) failed, the database stays at %d", narrowed, widened)) {
				t.Errorf("refusal: %v", err)
			}
			s = open(t, dsn, store.Options{SkipMigrate: true, Migrations: wide})
			if st, _ := s.SchemaStatus(ctx); st.Current != widened || len(st.Applied) != int(widened) {
				t.Errorf("after the refusal: %+v", st)
			}
			var name string
			s.DB.Raw("SELECT name FROM units WHERE code = 'long'").Scan(&name)
			if name != long {
				t.Errorf("the refused migration cut the name to %d characters", len([]rune(name)))
			}
			if after, _ := s.SchemaDDL(ctx); after["units"] != ddl["units"] {
				t.Errorf("the refused migration changed units:\n%s\nwas\n%s", after["units"], ddl["units"])
			}
		})
	}
}

// TestReplicasStartingTogetherMigrateOnce: four processes' stores open an
// empty database at once; each migration runs once and all of them start.
func TestReplicasStartingTogetherMigrateOnce(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			dsn := b.NewDSN(t)
			set := storetest.With(storetest.AddNoticeColumn(storetest.Next(1)))
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s, err := store.Open(context.Background(), dsn, store.Options{Migrations: set})
					if err == nil {
						s.Close()
					}
					errs[i] = err
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("replica %d: %v", i, err)
				}
			}
			s := open(t, dsn, store.Options{SkipMigrate: true, Migrations: set})
			if st, _ := s.SchemaStatus(context.Background()); st.Current != set.Latest() || len(st.Applied) != len(set) {
				t.Errorf("status %+v, want every one of the %d migrations applied once", st, len(set))
			}
		})
	}
}

// TestStoresOpeningAFreshSQLiteFileTogether: `duban serve` and CLI commands
// beside it open the same file at once; on a brand-new file the first
// connection of each switches it to WAL, which takes the write lock without
// waiting for a busy one. Every opener must start, in every round, and the
// file must end up in WAL mode.
func TestStoresOpeningAFreshSQLiteFileTogether(t *testing.T) {
	const rounds, openers = 40, 8
	for round := range rounds {
		dsn := storetest.SQLite.NewDSN(t)
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make([]error, openers)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				s, err := store.Open(context.Background(), dsn, store.Options{SkipMigrate: true})
				if err == nil {
					err = s.Ping(context.Background())
					s.Close()
				}
				errs[i] = err
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("round %d, opener %d: %v", round, i, err)
			}
		}
		s := open(t, dsn, store.Options{SkipMigrate: true})
		var mode string
		if err := s.SQL.QueryRowContext(context.Background(), "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("round %d: journal mode %q (%v), want wal", round, mode, err)
		}
		s.Close()
		if t.Failed() {
			return
		}
	}
}

// TestALegacyDatabaseMissingAColumnIsRefused: a database from an older
// binary than the fixture's lacks part of migration 1; it is not recorded
// at version 1, and the refusal names what is missing.
func TestALegacyDatabaseMissingAColumnIsRefused(t *testing.T) {
	for _, b := range storetest.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			dsn := fixture(t, b)
			s := open(t, dsn, store.Options{SkipMigrate: true})
			if err := s.DB.Migrator().DropColumn(&models.Session{}, "ended_at"); err != nil {
				t.Fatal(err)
			}
			s.Close()
			_, err := store.Open(context.Background(), dsn, store.Options{})
			if err == nil || !strings.Contains(err.Error(), "missing: sessions.ended_at)") {
				t.Fatalf("refusal: %v", err)
			}
			s = open(t, dsn, store.Options{SkipMigrate: true})
			if st, _ := s.SchemaStatus(context.Background()); !st.Legacy {
				t.Errorf("a refused baseline was recorded: %+v", st)
			}
		})
	}
}

// sameDDL writes a table's DDL without the spaces after its commas.
func sameDDL(ddl string) string { return commaSpace.ReplaceAllString(ddl, ",") }

var commaSpace = regexp.MustCompile(`,\s+`)
