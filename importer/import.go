package importer

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"duban/store"
)

// Options adjust an import.
type Options struct {
	Kind   string // cases (default), units or slots
	Format string // from the file name when empty
	// Location reads times written without a zone (default Asia/Shanghai).
	Location *time.Location
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
	f, err := os.Open(path)
	if err != nil {
		return store.ImportResult{}, err
	}
	defer f.Close()
	res, err := Reader(ctx, s, f, opts)
	if re, ok := err.(*RowErrors); ok {
		re.File = path
	}
	return res, err
}

// Reader imports records read from r.
func Reader(ctx context.Context, s *store.Store, r io.Reader, opts Options) (store.ImportResult, error) {
	src, err := OpenSource(r, opts.Format)
	if err != nil {
		return store.ImportResult{}, asRowErrors(err)
	}
	defer src.Close()
	if err := opts.defaults(); err != nil {
		return store.ImportResult{}, err
	}
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

// importCases streams a cases file: one goroutine reads and checks chunks,
// this one writes them into a single transaction. The first bad row stops
// the writing but not the checking, so every problem of the file is
// reported; then the transaction is rolled back and nothing is imported.
func importCases(ctx context.Context, s *store.Store, src Source, opts Options) (store.ImportResult, error) {
	var none store.ImportResult
	units, err := s.UnitCodes(ctx)
	if err != nil {
		return none, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan *CaseImport, 2)
	var errs []*RowError
	var readErr error
	go func() {
		defer close(chunks)
		parser := NewCaseParser(units, opts.Location)
		recs := make([]Record, 0, chunkSize)
		flush := func() bool {
			ci, bad := parser.Parse(recs)
			recs = recs[:0]
			errs = append(errs, bad...)
			if len(errs) > 0 {
				return len(errs) <= maxErrors
			}
			select {
			case chunks <- ci:
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
					errs = append(errs, re)
				} else {
					readErr = err
				}
				return
			}
			if n >= maxRecords {
				errs = append(errs, &RowError{Line: rec.Line, Message: fmt.Sprintf("more than %d records in one file; split it", maxRecords)})
				return
			}
			if recs = append(recs, rec); len(recs) == chunkSize && !flush() {
				return
			}
		}
		if len(recs) > 0 {
			flush()
		}
	}()
	w, err := s.BeginCaseImport(ctx)
	if err == nil {
		if err = w.DeferIndexes(ctx); err != nil {
			w.Rollback()
		}
	}
	if err != nil {
		cancel()
		for range chunks {
		}
		return none, err
	}
	var writeErr error
	for ci := range chunks {
		if writeErr == nil {
			writeErr = w.Write(ctx, ci.Cases, ci.Petitioners)
		}
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
	}
	return w.Commit()
}

// Records checks and writes records already read.
func Records(ctx context.Context, s *store.Store, recs []Record, opts Options) (store.ImportResult, error) {
	if err := opts.defaults(); err != nil {
		return store.ImportResult{}, err
	}
	var none store.ImportResult
	switch opts.Kind {
	case KindCases:
		units, err := s.UnitCodes(ctx)
		if err != nil {
			return none, err
		}
		ci, errs := ParseCases(recs, units, opts.Location)
		if len(errs) > 0 {
			return none, rowErrors(errs)
		}
		return s.UpsertCases(ctx, ci.Cases, ci.Petitioners)
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
