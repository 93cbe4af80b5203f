package importer

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"duban/store"
)

// Options adjust an import.
type Options struct {
	Kind   string // cases (default), units or slots
	Format string // from the file name when empty
	// Location reads times written without a zone (default Asia/Shanghai).
	Location *time.Location
	// Actor is who runs the import and Source the file it reads (File
	// sets it): each case it creates or changes gets a timeline event
	// naming both.
	Actor, Source string
	// Encoding forces the text encoding of a CSV or JSON file (see
	// Encodings); empty detects it.
	Encoding string
	// Limits cap what a file may hold (zero fields: DefaultLimits).
	Limits Limits
	// AllowReopen lets a row move a closed or rejected case back to an
	// open status, recorded as a reopening; without it such a row is
	// refused.
	AllowReopen bool
}

// File imports one file. On any bad row it returns *RowErrors and writes nothing.
func File(ctx context.Context, s *store.Store, path string, opts Options) (store.ImportResult, error) {
	if opts.Format == "" {
		f, err := DetectFormat(path)
		if err != nil {
			return store.ImportResult{}, err
		}
		opts.Format = f
	}
	if opts.Source == "" {
		opts.Source = path
	}
	f, err := os.Open(path)
	if err != nil {
		return store.ImportResult{}, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && opts.Format == FormatXLSX && st.Size() > opts.Limits.orDefault().XLSXFile {
		// refused unread: a workbook is read whole to be unzipped
		return store.ImportResult{}, &RowErrors{File: path, Errors: []*RowError{{Line: 1,
			Message: fmt.Sprintf("the workbook is larger than %d bytes (the cap); split it", opts.Limits.orDefault().XLSXFile)}}}
	}
	res, err := Reader(ctx, s, f, opts)
	if re, ok := err.(*RowErrors); ok {
		re.File = path
	}
	return res, err
}

// Reader imports records read from r.
func Reader(ctx context.Context, s *store.Store, r io.Reader, opts Options) (store.ImportResult, error) {
	if err := opts.defaults(); err != nil {
		return store.ImportResult{}, err
	}
	fields, ok := map[string][]string{KindCases: CaseFields, KindUnits: UnitFields, KindSlots: SlotFields}[opts.Kind]
	if !ok {
		return store.ImportResult{}, fmt.Errorf("unknown kind %q: want cases, units or slots", opts.Kind)
	}
	var encoding string
	src, err := OpenWith(r, opts.Format, SourceOptions{Encoding: opts.Encoding, Fields: fields, Limits: opts.Limits, Read: &encoding})
	if err != nil {
		return store.ImportResult{}, asRowErrors(err)
	}
	defer src.Close()
	res, err := readAll(ctx, s, src, opts)
	res.Encoding = encoding
	return res, err
}

func readAll(ctx context.Context, s *store.Store, src Source, opts Options) (store.ImportResult, error) {
	if opts.Kind == KindCases {
		return importCases(ctx, s, src, opts)
	}
	// Units and slots are small and checked as a whole (a unit's parent may
	// come later in the file).
	var recs []Record
	for {
		rec, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return store.ImportResult{}, asRowErrors(err)
		}
		recs = append(recs, rec)
	}
	if len(recs) == 0 {
		return store.ImportResult{}, errNoRecords
	}
	return Records(ctx, s, recs, opts)
}

func asRowErrors(err error) error {
	if re, ok := err.(*RowError); ok {
		return &RowErrors{Errors: []*RowError{re}}
	}
	return err
}

func (o *Options) defaults() error {
	if o.Kind == "" {
		o.Kind = KindCases
	}
	if o.Location == nil {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			return err
		}
		o.Location = loc
	}
	return nil
}

// chunkSize is how many cases are checked and written at a time.
const chunkSize = 2000

// importCases streams a cases file: one goroutine reads chunks of records,
// this one lays each over the stored cases it names (in the import's
// transaction, see mergeStored), checks it and writes it. The first bad row
// stops the writing but not the checking, so every problem of the file is
// reported; then the transaction is rolled back and nothing is imported.
func importCases(ctx context.Context, s *store.Store, src Source, opts Options) (store.ImportResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan []Record, 2)
	var readErrs []*RowError
	var readErr error
	go func() {
		defer close(chunks)
		recs := make([]Record, 0, chunkSize)
		send := func() bool {
			select {
			case chunks <- recs:
				recs = make([]Record, 0, chunkSize)
				return true
			case <-ctx.Done():
				return false
			}
		}
		for n := 0; ; n++ {
			rec, err := src.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				if re, ok := err.(*RowError); ok {
					readErrs = append(readErrs, re)
				} else {
					readErr = err
				}
				return
			}
			if n >= maxRecords {
				readErrs = append(readErrs, &RowError{Line: rec.Line, Message: fmt.Sprintf("more than %d records in one file; split it", maxRecords)})
				return
			}
			if recs = append(recs, rec); len(recs) == chunkSize && !send() {
				return
			}
		}
		if len(recs) > 0 {
			send()
		}
	}()
	res, err := writeCases(ctx, s, opts, func() ([]Record, bool) {
		recs, ok := <-chunks
		return recs, ok
	}, func() ([]*RowError, error) {
		// chunks is closed: the reader is done with these.
		return readErrs, readErr
	}, true)
	cancel()
	for range chunks {
		// the reader stops before the source is closed
	}
	return res, err
}

// writeCases writes the chunks next gives in one transaction: each is laid
// over the stored cases it names, checked, and written while no row of the
// file has failed; then finish says what reading the file found wrong. Any
// problem rolls everything back. A file with no records is an error
// (noneIsError).
func writeCases(ctx context.Context, s *store.Store, opts Options, next func() ([]Record, bool),
	finish func() ([]*RowError, error), noneIsError bool) (store.ImportResult, error) {
	var none store.ImportResult
	units, err := s.UnitCodes(ctx)
	if err != nil {
		return none, err
	}
	w, err := s.BeginCaseImport(ctx)
	if err != nil {
		return none, err
	}
	w.Actor, w.Source = opts.Actor, opts.Source
	if err := w.DeferIndexes(ctx); err != nil {
		w.Rollback()
		return none, err
	}
	parser := NewCaseParser(units, opts.Location)
	var errs []*RowError
	var writeErr error
	var warnings []string
	records := 0
	for {
		recs, ok := next()
		if !ok {
			break
		}
		records += len(recs)
		if writeErr != nil || len(errs) > maxErrors {
			continue // drain
		}
		merged, bad, stored, err := mergeStored(ctx, w, recs, opts)
		if err != nil {
			writeErr = err
			continue
		}
		errs = append(errs, bad...)
		ci, bad := parser.Parse(merged)
		errs = append(errs, bad...)
		for _, w := range ci.Warnings {
			warnings = append(warnings, strings.TrimPrefix(w.Error(), "line "))
			if opts.Source != "" {
				warnings[len(warnings)-1] = opts.Source + ":" + warnings[len(warnings)-1]
			}
		}
		if len(errs) == 0 {
			writeErr = w.WriteMerged(ctx, ci.Cases, ci.Petitioners, stored)
		}
	}
	var readErr error
	if finish != nil {
		var bad []*RowError
		bad, readErr = finish()
		errs = append(errs, bad...)
	}
	switch {
	case len(errs) > 0:
		w.Rollback()
		return none, rowErrors(errs)
	case readErr != nil:
		w.Rollback()
		return none, readErr
	case writeErr != nil:
		w.Rollback()
		return none, writeErr
	case records == 0 && noneIsError:
		w.Rollback()
		return none, errNoRecords
	}
	res, err := w.Commit()
	res.Warnings = warnings
	return res, err
}

// errNoRecords is a file with a header, or nothing, but no record: an
// import that imports nothing is a mistake to report, not a success.
var errNoRecords = &RowErrors{Errors: []*RowError{{Line: 1, Message: "the file has no records"}}}

// Records checks and writes records already read.
func Records(ctx context.Context, s *store.Store, recs []Record, opts Options) (store.ImportResult, error) {
	if err := opts.defaults(); err != nil {
		return store.ImportResult{}, err
	}
	var none store.ImportResult
	switch opts.Kind {
	case KindCases:
		done := false
		return writeCases(ctx, s, opts, func() ([]Record, bool) {
			if done {
				return nil, false
			}
			done = true
			return recs, true
		}, nil, false)
	case KindUnits:
		units, err := s.UnitCodes(ctx)
		if err != nil {
			return none, err
		}
		us, errs := ParseUnits(recs, units)
		if len(errs) > 0 {
			return none, rowErrors(errs)
		}
		return s.UpsertUnits(ctx, us)
	case KindSlots:
		ss, errs := ParseSlots(recs)
		if len(errs) > 0 {
			return none, rowErrors(errs)
		}
		return s.UpsertSlots(ctx, ss)
	}
	return none, fmt.Errorf("unknown kind %q: want cases, units or slots", opts.Kind)
}

func rowErrors(errs []*RowError) *RowErrors {
	out := &RowErrors{Errors: errs}
	if len(errs) > maxErrors {
		out.Errors, out.More = errs[:maxErrors], len(errs)-maxErrors
	}
	return out
}
