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
	recs, err := ReadRecords(r, opts.Format)
	if err != nil {
		if re, ok := err.(*RowError); ok {
			return store.ImportResult{}, &RowErrors{Errors: []*RowError{re}}
		}
		return store.ImportResult{}, err
	}
	return Records(ctx, s, recs, opts)
}

// Records checks and writes records already read.
func Records(ctx context.Context, s *store.Store, recs []Record, opts Options) (store.ImportResult, error) {
	if opts.Location == nil {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			return store.ImportResult{}, err
		}
		opts.Location = loc
	}
	var none store.ImportResult
	switch opts.Kind {
	case "", KindCases:
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
