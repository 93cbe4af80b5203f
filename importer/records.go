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

// ReadRecords reads every record of r in the given format.
func ReadRecords(r io.Reader, format string) ([]Record, error) {
	switch format {
	case FormatJSONL:
		return readJSONL(r)
	case FormatJSON:
		return readJSONArray(r)
	case FormatCSV:
		return readCSV(r)
	case FormatXLSX:
		return readXLSX(r)
	}
	return nil, fmt.Errorf("unknown format %q: want jsonl, json, csv or xlsx", format)
}

func readJSONL(r io.Reader) ([]Record, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var out []Record
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		fields, err := decodeObject(text)
		if err != nil {
			return nil, &RowError{Line: line, Message: err.Error()}
		}
		if len(out) >= maxRecords {
			return nil, &RowError{Line: line, Message: fmt.Sprintf("more than %d records in one file; split it", maxRecords)}
		}
		out = append(out, Record{Line: line, Fields: fields})
	}
	if err := sc.Err(); err != nil {
		return nil, &RowError{Line: line + 1, Message: err.Error()}
	}
	return out, nil
}

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

func readJSONArray(r io.Reader) ([]Record, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	lineAt := func(off int64) int { return 1 + bytes.Count(data[:min(int(off), len(data))], []byte("\n")) }
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('[') {
		return nil, &RowError{Line: 1, Message: "a .json import must be a JSON array of objects"}
	}
	var out []Record
	for dec.More() {
		// The element starts after the separator and blank space the decoder skips.
		off := dec.InputOffset()
		for off < int64(len(data)) && strings.ContainsRune(" \t\r\n,", rune(data[off])) {
			off++
		}
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return nil, &RowError{Line: lineAt(off), Message: fmt.Sprintf("not a JSON object: %v", err)}
		}
		if len(out) >= maxRecords {
			return nil, &RowError{Line: lineAt(off), Message: fmt.Sprintf("more than %d records in one file; split it", maxRecords)}
		}
		out = append(out, Record{Line: lineAt(off), Fields: m})
	}
	if _, err := dec.Token(); err != nil {
		return nil, &RowError{Line: lineAt(dec.InputOffset()), Message: "the JSON array is not closed"}
	}
	return out, nil
}

func readCSV(r io.Reader) ([]Record, error) {
	br := bufio.NewReader(r)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3) // the BOM spreadsheet programs write
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, &RowError{Line: 1, Message: err.Error()}
	}
	return rowsToRecords(header, func() ([]string, int, error) {
		row, err := cr.Read()
		line, _ := cr.FieldPos(0)
		return row, line, err
	})
}

func rowsToRecords(header []string, next func() ([]string, int, error)) ([]Record, error) {
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	var out []Record
	for {
		row, line, err := next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			if pe, ok := err.(*csv.ParseError); ok {
				return nil, &RowError{Line: pe.Line, Message: pe.Err.Error()}
			}
			return nil, &RowError{Line: line, Message: err.Error()}
		}
		if blank(row) {
			continue
		}
		if len(row) > len(header) {
			return nil, &RowError{Line: line, Message: fmt.Sprintf("%d values but the header names %d columns", len(row), len(header))}
		}
		m := make(map[string]any, len(header))
		for i, v := range row {
			if v = strings.TrimSpace(v); v != "" {
				m[header[i]] = v
			}
		}
		if len(out) >= maxRecords {
			return nil, &RowError{Line: line, Message: fmt.Sprintf("more than %d records in one file; split it", maxRecords)}
		}
		out = append(out, Record{Line: line, Fields: m})
	}
}

func blank(row []string) bool {
	for _, v := range row {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func readXLSX(r io.Reader) ([]Record, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, fmt.Errorf("not an XLSX workbook: %w", err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	line := 0
	nextRow := func() ([]string, int, error) {
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
	header, _, err := nextRow()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, &RowError{Line: 1, Message: err.Error()}
	}
	return rowsToRecords(header, nextRow)
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
