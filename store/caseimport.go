package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"duban/models"
)

// CaseWriter writes cases chunk by chunk inside one transaction, so that an
// import of any size is all or nothing. Chunks go out as multi-row upserts.
type CaseWriter struct {
	s   *Store
	tx  *sql.Tx
	now time.Time
	res ImportResult
	// pets gathers the file's petitioners, written once at the end: a
	// petitioner named by many cases is upserted once, with every field
	// any of its rows gave.
	pets   map[string]models.Petitioner
	stmts  map[string]*sql.Stmt // full-size multi-row statements, prepared once
	nowArg any

	// A large import into a small SQLite table writes faster without the
	// table's secondary indexes, built again before the commit (see
	// DeferIndexes). deferIndexes says the indexes may still be dropped;
	// startRows is the table's size when the import began; dropped holds
	// the definitions of the indexes dropped.
	deferIndexes bool
	startRows    int64
	dropped      []string

	// Actor and Source name who ran the import and what file it read: each
	// case it creates or changes gets an "imported" event saying so, and
	// the other events it records carry them too.
	Actor, Source string
	// extra names, by case, changes an importer saw that the case's row
	// does not hold (its petitioner's identity number or phone).
	extra map[string][]string
}

// NoteChange records that an import changes field of case caseNo outside
// the case's row, for the case's "imported" event to name.
func (w *CaseWriter) NoteChange(caseNo, field string) {
	if w.extra == nil {
		w.extra = map[string][]string{}
	}
	w.extra[caseNo] = append(w.extra[caseNo], field)
}

// ErrImportRace is a case that changed between an import's reading it (to
// keep the fields its row leaves out) and its writing.
var ErrImportRace = errors.New("the case changed during the import; run the import again")

func (w *CaseWriter) sourceName() string {
	if w.Source == "" {
		return "import"
	}
	return "import " + w.Source
}

// changedColumns names the columns whose stored value c changes.
func changedColumns(old, c *models.Case) []string {
	var out []string
	str := func(name, a, b string) {
		if a != b {
			out = append(out, name)
		}
	}
	tm := func(name string, a, b *time.Time) {
		if (a == nil) != (b == nil) || (a != nil && !a.Equal(*b)) {
			out = append(out, name)
		}
	}
	str("petitioner_id", old.PetitionerKey, c.PetitionerKey)
	str("petitioner_name", old.PetitionerName, c.PetitionerName)
	str("channel", old.Channel, c.Channel)
	str("category", old.Category, c.Category)
	str("summary", old.Summary, c.Summary)
	if old.GroupSize != c.GroupSize {
		out = append(out, "group_size")
	}
	tm("received_at", &old.ReceivedAt, &c.ReceivedAt)
	str("reception_leader", old.ReceptionLeader, c.ReceptionLeader)
	tm("accepted_at", old.AcceptedAt, c.AcceptedAt)
	str("assigned_unit", old.AssignedUnit, c.AssignedUnit)
	tm("assigned_at", old.AssignedAt, c.AssignedAt)
	tm("due_at", old.DueAt, c.DueAt)
	tm("extended_due_at", old.ExtendedDueAt, c.ExtendedDueAt)
	tm("closed_at", old.ClosedAt, c.ClosedAt)
	tm("return_visit_at", old.ReturnVisitAt, c.ReturnVisitAt)
	str("status", old.Status, c.Status)
	if old.Escalated != c.Escalated {
		out = append(out, "escalated")
	}
	if old.LawRelated != c.LawRelated {
		out = append(out, "law_related")
	}
	return out
}

// bulkAfter is how many new cases an import writes with the indexes in
// place before it may defer them: building an index anew costs about
// 4 µs a row on SQLite, keeping three up to date about 18 µs per row
// inserted, so the switch pays once the import outgrows the table.
const bulkAfter = 20000

// BeginCaseImport starts writing cases.
func (s *Store) BeginCaseImport(ctx context.Context) (*CaseWriter, error) {
	var opts *sql.TxOptions
	if s.Dialect == MySQL {
		opts = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	tx, err := s.SQL.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	if s.Dialect == SQLite {
		// Index maintenance of large tables wants their pages cached; the
		// connection keeps this cache for the rest of its (pooled) life.
		if _, err := tx.ExecContext(ctx, "PRAGMA cache_size = -131072"); err != nil {
			tx.Rollback()
			return nil, err
		}
	}
	now := s.now()
	return &CaseWriter{s: s, tx: tx, now: now, nowArg: s.timeArg(now), pets: map[string]models.Petitioner{}, stmts: map[string]*sql.Stmt{}}, nil
}

var caseImportColumns = append([]string{"case_no"}, append(append([]string{}, caseUpdateColumns...), "created_at")...)

// DeferIndexes lets the writer drop the cases table's secondary (non-unique)
// indexes once the import has created more cases than the table held when
// it began, and at least bulkAfter, and build them again before the commit:
// on SQLite, where schema changes are part of the transaction, so a failed
// import rolls the drop back with everything else. A first load of a
// province's history goes in about 1.5x faster. It is for imports of files;
// the few cases of an API call keep the indexes. On MySQL it does nothing
// (DDL would commit the transaction).
func (w *CaseWriter) DeferIndexes(ctx context.Context) error {
	if w.s.Dialect != SQLite {
		return nil
	}
	w.deferIndexes = true
	return w.tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM cases").Scan(&w.startRows)
}

// dropSecondaryIndexes drops the cases table's non-unique indexes, keeping
// their definitions; the unique ones find the rows an upsert updates.
func (w *CaseWriter) dropSecondaryIndexes(ctx context.Context) error {
	rows, err := w.tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master
		WHERE type = 'index' AND tbl_name = 'cases' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'`)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return err
		}
		names, w.dropped = append(names, name), append(w.dropped, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, name := range names {
		if _, err := w.tx.ExecContext(ctx, "DROP INDEX "+quoteIdent(name)); err != nil {
			return fmt.Errorf("deferring index %s: %w", name, err)
		}
	}
	return nil
}

// rebuildIndexes builds the indexes dropped again.
func (w *CaseWriter) rebuildIndexes(ctx context.Context) error {
	for _, def := range w.dropped {
		if _, err := w.tx.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("building the deferred index again (%s): %w", def, err)
		}
	}
	w.dropped = nil
	return nil
}

func quoteIdent(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

// Write upserts a chunk of cases and their petitioners, and records in each
// updated case's history what its row alone would not show.
func (w *CaseWriter) Write(ctx context.Context, cases []models.Case, pets []models.Petitioner) error {
	return w.WriteMerged(ctx, cases, pets, nil)
}

// WriteMerged is Write for rows an importer merged with the stored cases it
// read before: stored gives, for each case that existed then, the
// updated_at it had. A case changed, created or deleted since is refused
// (ErrImportRace), so that a merge never overwrites a change it did not see.
// A nil stored checks nothing.
func (w *CaseWriter) WriteMerged(ctx context.Context, cases []models.Case, pets []models.Petitioner, stored map[string]time.Time) error {
	existing, err := w.existing(ctx, cases)
	if err != nil {
		return err
	}
	// New cases go in with a plain INSERT, the rest as upserts: SQLite's
	// upsert keeps a statement journal that costs a new row dearly.
	var inserts, updates, events [][]any
	var checks []Check
	addEvent := func(e models.CaseEvent) {
		if w.Actor != "" {
			e.Actor = w.Actor
		}
		if w.Source != "" && e.Kind != "imported" {
			e.Detail = strings.TrimSpace(e.Detail + " (import " + w.Source + ")")
		}
		events = append(events, []any{e.CaseNo, e.Kind, w.s.timeArg(e.At), e.Actor, e.UnitCode, e.Detail, w.nowArg})
	}
	named := w.Source != "" || w.Actor != ""
	for i := range cases {
		c := &cases[i]
		normaliseCase(c)
		old, exists := existing[c.CaseNo]
		if stored != nil {
			base, merged := stored[c.CaseNo]
			switch {
			case exists && !merged:
				return fmt.Errorf("case %s: %w: it was created while the file was read", c.CaseNo, ErrImportRace)
			case !exists && merged:
				return fmt.Errorf("case %s: %w: it was deleted while the file was read", c.CaseNo, ErrImportRace)
			case exists && !old.UpdatedAt.Equal(base):
				return fmt.Errorf("case %s: %w: it was changed while the file was read", c.CaseNo, ErrImportRace)
			}
		}
		if exists {
			changed := append(changedColumns(&old, c), w.extra[c.CaseNo]...)
			delete(w.extra, c.CaseNo)
			if len(changed) == 0 {
				// Nothing to write: the row says what is stored.
				w.res.Unchanged++
				continue
			}
			w.res.Updated++
			if old.PetitionerKey != "" && old.PetitionerKey != c.PetitionerKey {
				// The petitioner the case leaves changed too: have the next
				// tick look at them, though none of their cases was written.
				checks = append(checks, Check{Kind: models.SubjectPetitioner, Key: old.PetitionerKey, At: w.now})
			}
			var evs []models.CaseEvent
			if named {
				// The row cannot say who set a milestone: the event does.
				evs = milestoneEvents(&old, c, w.now)
			}
			evs = append(evs, changeEvents(&old, c, w.now)...)
			if named {
				evs = append(evs, models.CaseEvent{CaseNo: c.CaseNo, Kind: "imported", At: w.now, UnitCode: c.AssignedUnit,
					Detail: w.sourceName() + ": changed " + strings.Join(changed, ", ")})
			}
			for _, e := range evs {
				addEvent(e)
			}
		} else {
			w.res.Created++
			if named {
				addEvent(models.CaseEvent{CaseNo: c.CaseNo, Kind: "imported", At: w.now, UnitCode: c.AssignedUnit,
					Detail: w.sourceName() + ": created"})
			}
		}
		ts := w.s.timeArg
		nt := w.s.nullTimeArg
		row := []any{c.CaseNo, c.PetitionerKey, c.PetitionerName, c.Channel, c.Category, c.Summary, c.GroupSize,
			ts(c.ReceivedAt), c.ReceptionLeader, nt(c.AcceptedAt), c.AssignedUnit, nt(c.AssignedAt), nt(c.DueAt),
			nt(c.ExtendedDueAt), nt(c.ClosedAt), nt(c.ReturnVisitAt), c.Status, c.Escalated, c.LawRelated,
			w.nowArg, w.nowArg}
		if exists {
			updates = append(updates, row)
		} else {
			inserts = append(inserts, row)
		}
	}
	if w.deferIndexes && int64(w.res.Created) > max(bulkAfter, w.startRows) {
		w.deferIndexes = false // once
		if err := w.dropSecondaryIndexes(ctx); err != nil {
			return err
		}
	}
	if err := w.upsert(ctx, "cases", caseImportColumns, nil, "", inserts); err != nil {
		return fmt.Errorf("cases: %w", err)
	}
	if err := w.upsert(ctx, "cases", caseImportColumns, []string{"case_no"}, w.s.assignAll(caseUpdateColumns), updates); err != nil {
		return fmt.Errorf("cases: %w", err)
	}
	if err := w.s.insertRows(ctx, w.tx, "case_events", []string{"case_no", "kind", "at", "actor", "unit_code", "detail", "created_at"}, events, false); err != nil {
		return fmt.Errorf("case events: %w", err)
	}
	if err := w.s.saveChecks(ctx, w.tx, checks); err != nil {
		return err
	}
	for _, p := range pets {
		if q, ok := w.pets[p.Key]; ok {
			p.Name, p.IDNumber, p.Phone = orElse(p.Name, q.Name), orElse(p.IDNumber, q.IDNumber), orElse(p.Phone, q.Phone)
		}
		w.pets[p.Key] = p
	}
	return nil
}

// upsert writes rows with one prepared statement per full chunk.
func (w *CaseWriter) upsert(ctx context.Context, table string, cols, conflict []string, set string, rows [][]any) error {
	per := max(1, min(400, 30000/len(cols)))
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		q := w.s.upsertSQL(table, cols, conflict, set, len(chunk))
		args := make([]any, 0, len(chunk)*len(cols))
		for _, r := range chunk {
			args = append(args, r...)
		}
		if len(chunk) < per {
			if _, err := w.tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
			continue
		}
		stmt, ok := w.stmts[q]
		if !ok {
			var err error
			if stmt, err = w.tx.PrepareContext(ctx, q); err != nil {
				return err
			}
			w.stmts[q] = stmt
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

// existing loads the stored rows of the chunk's cases that exist.
func (w *CaseWriter) existing(ctx context.Context, cases []models.Case) (map[string]models.Case, error) {
	nos := make([]string, len(cases))
	for i, c := range cases {
		nos[i] = c.CaseNo
	}
	return w.storedCases(ctx, nos)
}

// Stored loads, inside the import's transaction, the stored cases among
// caseNos and their petitioners, so that an importer can keep the fields a
// row leaves out.
func (w *CaseWriter) Stored(ctx context.Context, caseNos []string) (map[string]models.Case, map[string]models.Petitioner, error) {
	cases, err := w.storedCases(ctx, caseNos)
	if err != nil {
		return nil, nil, err
	}
	var keys []string
	for _, c := range cases {
		if c.PetitionerKey != "" {
			keys = append(keys, c.PetitionerKey)
		}
	}
	pets := map[string]models.Petitioner{}
	for start := 0; start < len(keys); start += 500 {
		chunk := keys[start:min(start+500, len(keys))]
		args := make([]any, len(chunk))
		for i, k := range chunk {
			args[i] = k
		}
		rows, err := w.tx.QueryContext(ctx, `SELECT petitioner_key, name, id_number, phone FROM petitioners
			WHERE petitioner_key IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			var p models.Petitioner
			var name, id, phone sql.NullString
			if err := rows.Scan(&p.Key, &name, &id, &phone); err != nil {
				rows.Close()
				return nil, nil, err
			}
			p.Name, p.IDNumber, p.Phone = name.String, id.String, phone.String
			pets[p.Key] = p
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	return cases, pets, nil
}

func (w *CaseWriter) storedCases(ctx context.Context, caseNos []string) (map[string]models.Case, error) {
	out := map[string]models.Case{}
	for start := 0; start < len(caseNos); start += 500 {
		chunk := caseNos[start:min(start+500, len(caseNos))]
		args := make([]any, len(chunk))
		for i, no := range chunk {
			args[i] = no
		}
		rows, err := w.tx.QueryContext(ctx, `SELECT case_no, `+strings.Join(caseUpdateColumns, ", ")+`
			FROM cases WHERE case_no IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var c models.Case
			var accepted, assigned, due, ext, closed, visit sql.NullTime
			var pet, name, cat, summary, leader, unit sql.NullString
			if err := rows.Scan(&c.CaseNo, &pet, &name, &c.Channel, &cat, &summary, &c.GroupSize, &c.ReceivedAt, &leader,
				&accepted, &unit, &assigned, &due, &ext, &closed, &visit, &c.Status, &c.Escalated, &c.LawRelated,
				&c.UpdatedAt); err != nil {
				rows.Close()
				return nil, err
			}
			c.PetitionerKey, c.PetitionerName, c.Category, c.Summary = pet.String, name.String, cat.String, summary.String
			c.ReceptionLeader, c.AssignedUnit = leader.String, unit.String
			c.ReceivedAt, c.UpdatedAt = c.ReceivedAt.UTC(), c.UpdatedAt.UTC()
			c.AcceptedAt, c.AssignedAt, c.DueAt = timePtr(accepted), timePtr(assigned), timePtr(due)
			c.ExtendedDueAt, c.ClosedAt, c.ReturnVisitAt = timePtr(ext), timePtr(closed), timePtr(visit)
			out[c.CaseNo] = c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// petitioners upserts the petitioners gathered, keeping what is known: an
// import without a phone number does not erase one.
func (w *CaseWriter) petitioners(ctx context.Context) error {
	if len(w.pets) == 0 {
		return nil
	}
	rows := make([][]any, 0, len(w.pets))
	for _, p := range w.pets {
		rows = append(rows, []any{p.Key, p.Name, p.IDNumber, p.Phone, w.nowArg, w.nowArg})
	}
	keep := func(col string) string {
		if w.s.Dialect == MySQL {
			return fmt.Sprintf("%s = IF(VALUES(%s) <> '', VALUES(%s), %s)", col, col, col, col)
		}
		return fmt.Sprintf("%s = CASE WHEN excluded.%s <> '' THEN excluded.%s ELSE petitioners.%s END", col, col, col, col)
	}
	set := strings.Join([]string{keep("name"), keep("id_number"), keep("phone"), w.s.assign("updated_at")}, ", ")
	return w.upsert(ctx, "petitioners", []string{"petitioner_key", "name", "id_number", "phone", "created_at", "updated_at"},
		[]string{"petitioner_key"}, set, rows)
}

// Commit writes the petitioners gathered and makes the import visible.
func (w *CaseWriter) Commit() (ImportResult, error) {
	defer w.closeStmts()
	if err := w.petitioners(context.Background()); err != nil {
		w.tx.Rollback()
		return ImportResult{}, err
	}
	if err := w.rebuildIndexes(context.Background()); err != nil {
		w.tx.Rollback()
		return ImportResult{}, err
	}
	return w.res, w.tx.Commit()
}

// Rollback discards everything written.
func (w *CaseWriter) Rollback() {
	w.closeStmts()
	w.tx.Rollback()
}

func (w *CaseWriter) closeStmts() {
	for _, st := range w.stmts {
		st.Close()
	}
	w.stmts = nil
}

// assignAll is "col = the inserted value" for each column.
func (s *Store) assignAll(cols []string) string {
	sets := make([]string, len(cols))
	for i, c := range cols {
		sets[i] = s.assign(c)
	}
	return strings.Join(sets, ", ")
}

// assign is "col = the inserted value" in the dialect's upsert.
func (s *Store) assign(col string) string {
	if s.Dialect == MySQL {
		return col + " = VALUES(" + col + ")"
	}
	return col + " = excluded." + col
}

// upsertSQL is a multi-row INSERT of n rows that updates rows whose
// conflict key exists with set (a plain INSERT when set is empty).
func (s *Store) upsertSQL(table string, cols, conflict []string, set string, n int) string {
	if set == "" {
		return valuesSQL(s.bulkInsertVerb(), table, cols, n) // a failed chunk fails the whole import
	}
	q := valuesSQL("INSERT INTO ", table, cols, n)
	if s.Dialect == MySQL {
		return q + " ON DUPLICATE KEY UPDATE " + set
	}
	return q + " ON CONFLICT (" + strings.Join(conflict, ", ") + ") DO UPDATE SET " + set
}

func orElse(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// changeEvents records what changed in a case that its row alone would not
// show afterwards: earlier deadlines, extensions, reassignments, reopenings
// and edits. Milestones the row keeps are left to CaseTimeline.
func changeEvents(old, c *models.Case, now time.Time) []models.CaseEvent {
	var out []models.CaseEvent
	add := func(kind, unit, detail string) {
		out = append(out, models.CaseEvent{CaseNo: c.CaseNo, Kind: kind, At: now, UnitCode: unit, Detail: detail, CreatedAt: now})
	}
	changed := func(a, b *time.Time) bool {
		if a == nil || b == nil {
			return (a == nil) != (b == nil)
		}
		return !a.Equal(*b)
	}
	show := func(t *time.Time) string {
		if t == nil {
			return "—"
		}
		return t.Format(time.RFC3339)
	}
	if old.AssignedUnit != "" && old.AssignedUnit != c.AssignedUnit {
		add("reassigned", c.AssignedUnit, old.AssignedUnit+" → "+c.AssignedUnit)
	}
	if old.DueAt != nil && changed(old.DueAt, c.DueAt) {
		add("deadline", c.AssignedUnit, show(old.DueAt)+" → "+show(c.DueAt))
	}
	if changed(old.ExtendedDueAt, c.ExtendedDueAt) {
		add("extended", c.AssignedUnit, show(old.ExtendedDueAt)+" → "+show(c.ExtendedDueAt))
	}
	if (old.Status == models.StatusClosed || old.Status == models.StatusRejected) && c.Status != old.Status {
		add("reopened", c.AssignedUnit, old.Status+" → "+c.Status)
	}
	var fields []string
	if old.Status != c.Status && !(old.Status == models.StatusClosed || old.Status == models.StatusRejected) &&
		!forward(old.Status, c.Status) {
		fields = append(fields, "status "+old.Status+" → "+c.Status)
	}
	if old.Channel != c.Channel {
		fields = append(fields, "channel")
	}
	if old.Category != c.Category {
		fields = append(fields, "category")
	}
	if old.Summary != c.Summary {
		fields = append(fields, "summary")
	}
	if old.GroupSize != c.GroupSize || old.Escalated != c.Escalated || old.LawRelated != c.LawRelated {
		fields = append(fields, "flags")
	}
	if len(fields) > 0 {
		add("updated", "", strings.Join(fields, ", "))
	}
	return out
}

// milestoneEvents are the milestones a person's change sets or moves, each
// at its own time: stored so that the timeline can say who did it.
func milestoneEvents(old, c *models.Case, now time.Time) []models.CaseEvent {
	var out []models.CaseEvent
	add := func(kind string, before, after *time.Time, unit, detail string) {
		if after != nil && (before == nil || !before.Equal(*after)) {
			out = append(out, models.CaseEvent{CaseNo: c.CaseNo, Kind: kind, At: *after, UnitCode: unit, Detail: detail, CreatedAt: now})
		}
	}
	add("accepted", old.AcceptedAt, c.AcceptedAt, "", "")
	due := ""
	if c.DueAt != nil {
		due = "due " + c.DueAt.Format(time.RFC3339)
	}
	add("assigned", old.AssignedAt, c.AssignedAt, c.AssignedUnit, due)
	switch c.Status {
	case models.StatusClosed:
		add("closed", old.ClosedAt, c.ClosedAt, c.AssignedUnit, "")
	case models.StatusRejected:
		if old.Status != models.StatusRejected {
			add("rejected", nil, c.ClosedAt, "", "")
		}
	}
	add("return_visit", old.ReturnVisitAt, c.ReturnVisitAt, c.AssignedUnit, "")
	return out
}

// forward reports a status moving along received → accepted → assigned →
// closed or rejected: a milestone the row (or a stored milestone) shows.
func forward(from, to string) bool {
	rank := map[string]int{models.StatusReceived: 0, models.StatusAccepted: 1, models.StatusAssigned: 2,
		models.StatusClosed: 3, models.StatusRejected: 3}
	return rank[to] > rank[from]
}

// CaseTimeline is a case's history: the milestones its row records and the
// events stored beside it, in time order. A milestone a person's change
// stored (with who made it) stands in for the one derived from the row.
func (s *Store) CaseTimeline(ctx context.Context, caseNo string) ([]models.CaseEvent, error) {
	var c models.Case
	if err := s.DB.WithContext(ctx).Where("case_no = ?", caseNo).Take(&c).Error; err != nil {
		return nil, fmt.Errorf("case %s: %w", caseNo, ErrNotFound)
	}
	var stored []models.CaseEvent
	if err := s.DB.WithContext(ctx).Where("case_no = ?", caseNo).Order("at, id").Find(&stored).Error; err != nil {
		return nil, err
	}
	recorded := map[string]bool{}
	for _, e := range stored {
		recorded[e.Kind+"@"+e.At.UTC().Format(time.RFC3339Nano)] = true
	}
	var out []models.CaseEvent
	milestone := func(kind string, at *time.Time, unit, detail string) {
		if at != nil && !recorded[kind+"@"+at.UTC().Format(time.RFC3339Nano)] {
			out = append(out, models.CaseEvent{CaseNo: caseNo, Kind: kind, At: *at, UnitCode: unit, Detail: detail})
		}
	}
	milestone("received", &c.ReceivedAt, "", "channel="+c.Channel)
	milestone("accepted", c.AcceptedAt, "", "")
	due := ""
	if c.DueAt != nil {
		due = "due " + c.DueAt.Format(time.RFC3339)
	}
	milestone("assigned", c.AssignedAt, c.AssignedUnit, due)
	switch c.Status {
	case models.StatusClosed:
		milestone("closed", c.ClosedAt, c.AssignedUnit, "")
	case models.StatusRejected:
		milestone("rejected", c.ClosedAt, "", "")
	}
	milestone("return_visit", c.ReturnVisitAt, c.AssignedUnit, "")
	out = append(out, stored...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}
