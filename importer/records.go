// Package importer reads units, cases and reception slots from JSON Lines, a
// JSON array, CSV or XLSX, checks every row, and writes the file in one
// transaction: a file with one bad row imports nothing.
package importer

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"duban/internal/suggest"
)

// Record is one row of an import file: its fields and the line (or
// spreadsheet row) it came from.
type Record struct {
	Line   int
	Fields map[string]any
}

// Formats.
const (
	FormatJSONL = "jsonl"
	FormatJSON  = "json"
	FormatCSV   = "csv"
	FormatXLSX  = "xlsx"
)

// DetectFormat picks the format from a file name.
func DetectFormat(name string) (string, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jsonl", ".ndjson":
		return FormatJSONL, nil
	case ".json":
		return FormatJSON, nil
	case ".csv":
		return FormatCSV, nil
	case ".xlsx":
		return FormatXLSX, nil
	}
	return "", fmt.Errorf("%s: cannot tell the format from the extension; want .jsonl, .json, .csv or .xlsx, or give --format", name)
}

// maxRecords bounds one import file, so a runaway file cannot eat the memory.
const maxRecords = 5_000_000

// Source yields the records of a file one at a time; Next returns io.EOF
// after the last. Streaming keeps memory flat however long the file is.
type Source interface {
	Next() (Record, error)
	Close() error
}

// OpenSource reads records from r in the given format, with the default
// limits and the encoding detected.
func OpenSource(r io.Reader, format string) (Source, error) {
	return OpenWith(r, format, SourceOptions{})
}

// SourceOptions say how a file is read.
type SourceOptions struct {
	// Encoding forces a text encoding (see Encodings); empty detects it.
	Encoding string
	// Fields, when not nil, are the columns a CSV or XLSX header may name.
	Fields []string
	Limits Limits
	// Read, when not nil, is set to the encoding the file was read in.
	Read *string
}

// OpenWith reads records from r in the given format as o says.
func OpenWith(r io.Reader, format string, o SourceOptions) (Source, error) {
	o.Limits = o.Limits.orDefault()
	if format == FormatXLSX {
		if o.Read != nil {
			*o.Read = "xlsx"
		}
		return newXLSXSource(r, o)
	}
	bound := map[string]int{FormatJSONL: boundLine, FormatJSON: boundJSON, FormatCSV: boundCSV}
	b, ok := bound[format]
	if !ok {
		return nil, fmt.Errorf("unknown format %q: want jsonl, json, csv or xlsx", format)
	}
	text, enc, decoded, err := decodeText(r, o.Encoding)
	if err != nil {
		return nil, err
	}
	if o.Read != nil {
		*o.Read = enc
	}
	tc := newTextChecker(text, enc, decoded, b, o.Limits.Record)
	switch format {
	case FormatJSONL:
		sc := bufio.NewScanner(tc)
		sc.Buffer(make([]byte, 64<<10), o.Limits.Record+1)
		return &jsonlSource{sc: sc}, nil
	case FormatJSON:
		return newJSONArraySource(tc)
	}
	return newCSVSource(tc, o.Fields)
}

// ReadRecords reads every record of r in the given format.
func ReadRecords(r io.Reader, format string) ([]Record, error) {
	return ReadRecordsWith(r, format, SourceOptions{})
}

// ReadRecordsWith reads every record of r in the given format as o says.
func ReadRecordsWith(r io.Reader, format string, o SourceOptions) ([]Record, error) {
	src, err := OpenWith(r, format, o)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	var out []Record
	for {
		rec, err := src.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if len(out) >= maxRecords {
			return nil, &RowError{Line: rec.Line, Message: fmt.Sprintf("more than %d records in one file; split it", maxRecords)}
		}
		out = append(out, rec)
	}
}

type jsonlSource struct {
	sc   *bufio.Scanner
	line int
}

func (s *jsonlSource) Next() (Record, error) {
	for s.sc.Scan() {
		s.line++
		text := bytes.TrimSpace(s.sc.Bytes())
		if len(text) == 0 {
			continue
		}
		fields, err := decodeObject(text)
		if err != nil {
			return Record{}, &RowError{Line: s.line, Message: err.Error()}
		}
		return Record{Line: s.line, Fields: fields}, nil
	}
	if err := s.sc.Err(); err != nil {
		if re, ok := err.(*RowError); ok {
			return Record{}, re
		}
		return Record{}, &RowError{Line: s.line + 1, Message: err.Error()}
	}
	return Record{}, io.EOF
}

func (s *jsonlSource) Close() error { return nil }

func decodeObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("more than one JSON value on the line")
	}
	return m, nil
}

// jsonArraySource decodes one element at a time from the stream; the
// checker under it knows the line each element starts on.
type jsonArraySource struct {
	tc   *textChecker
	dec  *json.Decoder
	done bool
}

func newJSONArraySource(tc *textChecker) (*jsonArraySource, error) {
	dec := json.NewDecoder(tc)
	dec.UseNumber()
	tok, err := dec.Token()
	if re, ok := err.(*RowError); ok {
		return nil, re
	}
	if err == io.EOF {
		return &jsonArraySource{tc: tc, dec: dec, done: true}, nil
	}
	if err != nil || tok != json.Delim('[') {
		return nil, &RowError{Line: 1, Message: "a .json import must be a JSON array of objects"}
	}
	return &jsonArraySource{tc: tc, dec: dec}, nil
}

func (s *jsonArraySource) Next() (Record, error) {
	if s.done {
		return Record{}, io.EOF
	}
	if !s.dec.More() {
		s.done = true
		if _, err := s.dec.Token(); err != nil {
			if re, ok := err.(*RowError); ok {
				return Record{}, re
			}
			return Record{}, &RowError{Line: s.tc.line, Message: "the JSON array is not closed"}
		}
		return Record{}, io.EOF
	}
	var m map[string]any
	err := s.dec.Decode(&m)
	line := s.tc.nextStart()
	if re, ok := err.(*RowError); ok {
		return Record{}, re
	}
	if err != nil {
		return Record{}, &RowError{Line: line, Message: fmt.Sprintf("not a JSON object: %v", err)}
	}
	return Record{Line: line, Fields: m}, nil
}

func (s *jsonArraySource) Close() error { return nil }

// tableSource turns header-and-rows formats (CSV, XLSX) into records.
type tableSource struct {
	header []string
	next   func() ([]string, int, error)
	close  func() error
}

func (s *tableSource) Next() (Record, error) {
	for {
		row, line, err := s.next()
		if err == io.EOF {
			return Record{}, io.EOF
		}
		if err != nil {
			if re, ok := err.(*RowError); ok {
				return Record{}, re
			}
			if pe, ok := err.(*csv.ParseError); ok {
				return Record{}, &RowError{Line: pe.Line, Message: pe.Err.Error()}
			}
			return Record{}, &RowError{Line: line, Message: err.Error()}
		}
		if blank(row) {
			continue
		}
		if len(row) > len(s.header) {
			return Record{}, &RowError{Line: line, Message: fmt.Sprintf("%d values but the header names %d columns", len(row), len(s.header))}
		}
		m := make(map[string]any, len(s.header))
		for i, v := range row {
			if v = strings.TrimSpace(v); v != "" {
				m[s.header[i]] = v
			}
		}
		return Record{Line: line, Fields: m}, nil
	}
}

func (s *tableSource) Close() error {
	if s.close != nil {
		return s.close()
	}
	return nil
}

var emptySource = &tableSource{next: func() ([]string, int, error) { return nil, 0, io.EOF }}

func newCSVSource(r io.Reader, fields []string) (Source, error) {
	br := bufio.NewReader(r)
	// Excel's "Unicode text" is tab-separated: so is a header with tabs
	// and no commas.
	comma := ','
	if head, _ := br.Peek(4096); bytes.IndexByte(head, '\t') >= 0 && bytes.IndexByte(head, ',') < 0 {
		comma = '\t'
	}
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return emptySource, nil
	}
	if re, ok := err.(*RowError); ok {
		return nil, re
	}
	if err != nil {
		return nil, &RowError{Line: 1, Message: err.Error()}
	}
	header = trimAll(header)
	if err := checkHeader(header, fields); err != nil {
		return nil, err
	}
	return &tableSource{header: header, next: func() ([]string, int, error) {
		row, err := cr.Read()
		if err != nil || len(row) == 0 {
			// FieldPos panics without a row; a *csv.ParseError has its line.
			return row, 0, err
		}
		line, _ := cr.FieldPos(0)
		return row, line, err
	}}, nil
}

// checkHeader refuses a header row that names a column twice, leaves a
// column without a name, or (when fields is not nil) names a column that
// is not one of fields: a value would be read under the wrong name, or
// silently dropped. It is checked before any row is read.
func checkHeader(header, fields []string) error {
	seen := map[string]int{}
	var unknown []*RowError
	for i, h := range header {
		if h != "" && fields != nil && !slices.Contains(fields, h) {
			msg := fmt.Sprintf("column %d of the header is not a field", i+1)
			if s := closest(h, fields); s != "" {
				msg += "; did you mean " + s + "?"
			} else {
				msg += "; the fields are " + strings.Join(fields, ", ")
			}
			unknown = append(unknown, &RowError{Line: 1, Field: h, Message: msg})
		}
		if h == "" {
			if i == len(header)-1 {
				continue // a trailing separator
			}
			return &RowError{Line: 1, Message: fmt.Sprintf("column %d of the header has no name", i+1)}
		}
		if j, dup := seen[h]; dup {
			return &RowError{Line: 1, Field: h, Message: fmt.Sprintf("named by columns %d and %d of the header", j+1, i+1)}
		}
		seen[h] = i
	}
	if len(unknown) > 0 {
		return &RowErrors{Errors: unknown}
	}
	return nil
}

func trimAll(ss []string) []string {
	for i := range ss {
		ss[i] = strings.TrimSpace(ss[i])
	}
	return ss
}

func blank(row []string) bool {
	for _, v := range row {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// newXLSXSource reads the first sheet of a workbook. The workbook is read
// into memory to be unzipped, so its size is capped (Limits.XLSXFile), and
// so is what its parts unpack to (Limits.XLSXUnzipped, checked from the
// zip's directory before anything is unpacked: a zip bomb is refused
// unread). The sheet is then read row by row. Merged cells, and an
// identity number stored as a number, are refused with their cells before
// any row is read (see scanSheet).
func newXLSXSource(r io.Reader, o SourceOptions) (Source, error) {
	data, err := io.ReadAll(io.LimitReader(r, o.Limits.XLSXFile+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > o.Limits.XLSXFile {
		return nil, &RowError{Line: 1, Message: fmt.Sprintf("the workbook is larger than %d bytes (the cap); split it", o.Limits.XLSXFile)}
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("not an XLSX workbook: %w", err)
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(o.Limits.XLSXUnzipped) {
			return nil, &RowError{Line: 1, Message: fmt.Sprintf("the workbook unpacks to more than %d bytes (the cap; %s alone is %d); split it",
				o.Limits.XLSXUnzipped, f.Name, f.UncompressedSize64)}
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: o.Limits.XLSXUnzipped})
	if err != nil {
		return nil, fmt.Errorf("not an XLSX workbook: %w", err)
	}
	sheet := f.GetSheetName(0)
	rows, err := f.Rows(sheet)
	if err != nil {
		f.Close()
		return nil, err
	}
	line := 0
	raw := excelize.Options{RawCellValue: true} // a date cell gives its serial, a number its digits
	next := func() ([]string, int, error) {
		if !rows.Next() {
			if err := rows.Error(); err != nil {
				return nil, line, err
			}
			return nil, line, io.EOF
		}
		line++
		cols, err := rows.Columns(raw)
		return cols, line, err
	}
	closeAll := func() error { rows.Close(); return f.Close() }
	header, _, err := next()
	if err == io.EOF {
		closeAll()
		return emptySource, nil
	}
	if err != nil {
		closeAll()
		return nil, &RowError{Line: 1, Message: err.Error()}
	}
	header = trimAll(header)
	if err := checkHeader(header, o.Fields); err != nil {
		closeAll()
		return nil, err
	}
	if errs := scanSheet(zr, sheet, header); len(errs) > 0 {
		closeAll()
		return nil, rowErrors(errs)
	}
	ts := &tableSource{header: header, close: closeAll}
	ts.next = func() ([]string, int, error) {
		row, line, err := next()
		if err == nil {
			excelDates(header, row)
		}
		return row, line, err
	}
	return ts, nil
}

// excelDates turns a number in a time column — a date cell's serial — into
// the wall-clock time it shows, read in the import's zone like any time
// written without one.
func excelDates(header, row []string) {
	for i, v := range row {
		if i >= len(header) || v == "" || !(strings.HasSuffix(header[i], "_at") || header[i] == "date") {
			continue
		}
		serial, err := strconv.ParseFloat(v, 64)
		if err != nil || serial <= 0 {
			continue
		}
		t, err := excelize.ExcelDateToTime(serial, false)
		if err != nil {
			continue
		}
		if header[i] == "date" {
			row[i] = t.Format("2006-01-02")
		} else {
			row[i] = t.Round(time.Second).Format("2006-01-02 15:04:05")
		}
	}
}

// FromMaps turns in-memory records (rule tests) into Records numbered from 1.
func FromMaps(ms []map[string]any) []Record {
	out := make([]Record, len(ms))
	for i, m := range ms {
		out[i] = Record{Line: i + 1, Fields: m}
	}
	return out
}

// RowError is a problem with one row (and field) of an import file.
type RowError struct {
	Line    int
	Field   string
	Message string
}

func (e *RowError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Message)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Message)
}

// RowErrors are all the problems of a file; nothing of it was imported.
type RowErrors struct {
	File   string
	Errors []*RowError
	// More counts problems beyond those listed.
	More int
}

func (e *RowErrors) Error() string {
	var b strings.Builder
	for i, re := range e.Errors {
		if i > 0 {
			b.WriteByte('\n')
		}
		if e.File != "" {
			b.WriteString(e.File + ":")
		}
		b.WriteString(strings.TrimPrefix(re.Error(), "line "))
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n… and %d more problems", e.More)
	}
	fmt.Fprintf(&b, "\nnothing was imported")
	return b.String()
}

func stringValue(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v), true
	case json.Number:
		return v.String(), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case int:
		return strconv.Itoa(v), true
	case uint64:
		return strconv.FormatUint(v, 10), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

func closest(name string, fields []string) string { return suggest.Closest(name, fields) }
