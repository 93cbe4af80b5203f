// Package importer reads units, cases and reception slots from JSON Lines, a
// JSON array, CSV or XLSX, checks every row, and writes the file in one
// transaction: a file with one bad row imports nothing.
package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
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

// OpenSource reads records from r in the given format.
func OpenSource(r io.Reader, format string) (Source, error) {
	switch format {
	case FormatJSONL:
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		return &jsonlSource{sc: sc}, nil
	case FormatJSON:
		return newJSONArraySource(r)
	case FormatCSV:
		return newCSVSource(r)
	case FormatXLSX:
		return newXLSXSource(r)
	}
	return nil, fmt.Errorf("unknown format %q: want jsonl, json, csv or xlsx", format)
}

// ReadRecords reads every record of r in the given format.
func ReadRecords(r io.Reader, format string) ([]Record, error) {
	src, err := OpenSource(r, format)
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

// jsonArraySource decodes one element at a time, counting lines as it goes.
type jsonArraySource struct {
	data []byte
	dec  *json.Decoder
	done bool
	// lineOff and line are where line counting got to: elements come in
	// order, so each byte is counted once.
	lineOff int
	line    int
}

func newJSONArraySource(r io.Reader) (*jsonArraySource, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('[') {
		return nil, &RowError{Line: 1, Message: "a .json import must be a JSON array of objects"}
	}
	return &jsonArraySource{data: data, dec: dec}, nil
}

func (s *jsonArraySource) lineAt(off int64) int {
	end := min(int(off), len(s.data))
	if end < s.lineOff {
		return 1 + bytes.Count(s.data[:end], []byte("\n"))
	}
	s.line += bytes.Count(s.data[s.lineOff:end], []byte("\n"))
	s.lineOff = end
	return 1 + s.line
}

func (s *jsonArraySource) Next() (Record, error) {
	if s.done || !s.dec.More() {
		if !s.done {
			s.done = true
			if _, err := s.dec.Token(); err != nil {
				return Record{}, &RowError{Line: s.lineAt(s.dec.InputOffset()), Message: "the JSON array is not closed"}
			}
		}
		return Record{}, io.EOF
	}
	// The element starts after the separator and blank space the decoder skips.
	off := s.dec.InputOffset()
	for off < int64(len(s.data)) && strings.ContainsRune(" \t\r\n,", rune(s.data[off])) {
		off++
	}
	var m map[string]any
	if err := s.dec.Decode(&m); err != nil {
		return Record{}, &RowError{Line: s.lineAt(off), Message: fmt.Sprintf("not a JSON object: %v", err)}
	}
	return Record{Line: s.lineAt(off), Fields: m}, nil
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

func newCSVSource(r io.Reader) (Source, error) {
	br := bufio.NewReader(r)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3) // the BOM spreadsheet programs write
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return emptySource, nil
	}
	if err != nil {
		return nil, &RowError{Line: 1, Message: err.Error()}
	}
	header = trimAll(header)
	if err := checkHeader(header); err != nil {
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

// checkHeader refuses a header row that names a column twice, or leaves a
// column without a name: a value would be read under the wrong name, or
// silently dropped.
func checkHeader(header []string) error {
	seen := map[string]int{}
	for i, h := range header {
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

// maxXLSXUnzipped bounds what a workbook may unpack to (excelize's default
// is 16 GB): a small file that inflates to gigabytes — a zip bomb — is
// refused before it is unpacked. Worksheets over 16 MB unpack to a
// temporary file, not to memory.
const maxXLSXUnzipped = 1 << 30

func newXLSXSource(r io.Reader) (Source, error) {
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: maxXLSXUnzipped})
	if err != nil {
		return nil, fmt.Errorf("not an XLSX workbook: %w", err)
	}
	rows, err := f.Rows(f.GetSheetName(0))
	if err != nil {
		f.Close()
		return nil, err
	}
	line := 0
	next := func() ([]string, int, error) {
		if !rows.Next() {
			if err := rows.Error(); err != nil {
				return nil, line, err
			}
			return nil, line, io.EOF
		}
		line++
		cols, err := rows.Columns()
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
	if err := checkHeader(header); err != nil {
		closeAll()
		return nil, err
	}
	return &tableSource{header: header, next: next, close: closeAll}, nil
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
