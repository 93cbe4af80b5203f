package importer

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Limits bound what one import file may hold, so that whatever file is
// given an import's memory stays bounded: the file is read as a stream and
// a record longer than Record is refused as soon as it is seen.
type Limits struct {
	// Record is the most bytes one record may take: a JSON Lines line, a
	// CSV record (quoted newlines included), an element of a JSON array.
	Record int
	// XLSXFile is the most bytes an .xlsx file may have (a workbook is
	// read into memory to be unzipped); XLSXUnzipped the most its parts
	// may unpack to, together.
	XLSXFile, XLSXUnzipped int64
}

// DefaultLimits are the caps the README documents.
var DefaultLimits = Limits{Record: 1 << 20, XLSXFile: 64 << 20, XLSXUnzipped: 512 << 20}

func (l Limits) orDefault() Limits {
	if l.Record <= 0 {
		l.Record = DefaultLimits.Record
	}
	if l.XLSXFile <= 0 {
		l.XLSXFile = DefaultLimits.XLSXFile
	}
	if l.XLSXUnzipped <= 0 {
		l.XLSXUnzipped = DefaultLimits.XLSXUnzipped
	}
	return l
}

// Encodings an import reads; Encodings[0] is what the others become.
const (
	EncodingUTF8    = "utf-8"
	EncodingGB18030 = "gb18030"
	EncodingGBK     = "gbk"
	EncodingUTF16   = "utf-16"
)

// Encodings are the values of --encoding.
var Encodings = []string{EncodingUTF8, EncodingGB18030, EncodingGBK, EncodingUTF16}

// sniffSize is how much of a file without a byte-order mark tells UTF-8
// from GB18030.
const sniffSize = 64 << 10

// decodeText turns the start of a text file into UTF-8: a byte-order mark
// says UTF-8 or UTF-16; without one the file is UTF-8 if its first 64 KiB
// are, else GB18030 (a superset of GBK, what Excel on Chinese Windows
// writes for "CSV") if they decode as that. forced (--encoding) skips the
// guess. It returns the text and the name of the encoding read; the text
// is checked further by textChecker.
func decodeText(r io.Reader, forced string) (io.Reader, string, bool, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	head, _ := br.Peek(4)
	bomUTF16 := len(head) >= 2 && (head[0] == 0xFF && head[1] == 0xFE || head[0] == 0xFE && head[1] == 0xFF)
	bomUTF8 := bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF})
	enc := strings.ToLower(forced)
	switch enc {
	case "":
		switch {
		case bomUTF8:
			enc = EncodingUTF8
		case bomUTF16:
			enc = EncodingUTF16
		default:
			enc = sniff(br)
		}
	case "utf8":
		enc = EncodingUTF8
	case "utf16":
		enc = EncodingUTF16
	case EncodingUTF8, EncodingGB18030, EncodingGBK, EncodingUTF16:
	default:
		return nil, "", false, fmt.Errorf("unknown encoding %q: want %s", forced, strings.Join(Encodings, ", "))
	}
	switch enc {
	case EncodingUTF8:
		if bomUTF8 {
			br.Discard(3) // the BOM spreadsheet programs write
			return br, "utf-8 (with BOM)", false, nil
		}
		return br, EncodingUTF8, false, nil
	case EncodingUTF16:
		// Excel's "Unicode text" is little-endian with a BOM; a BOM wins.
		dec := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
		name := "utf-16le"
		if len(head) >= 2 && head[0] == 0xFE && head[1] == 0xFF {
			name = "utf-16be"
		}
		return transform.NewReader(br, dec), name, true, nil
	case EncodingGB18030:
		return transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder()), EncodingGB18030, true, nil
	case EncodingGBK:
		return transform.NewReader(br, simplifiedchinese.GBK.NewDecoder()), EncodingGBK, true, nil
	}
	// sniff found neither: read as UTF-8, and the checker names the line
	// of the first byte that is not.
	return br, "unknown", false, nil
}

// sniff tells UTF-8 from GB18030 by the start of a file.
func sniff(br *bufio.Reader) string {
	head, _ := br.Peek(sniffSize)
	if len(head) == sniffSize {
		head = trimPartialRune(head)
	}
	if utf8.Valid(head) {
		return EncodingUTF8
	}
	if validGB18030(head, len(head) == sniffSize) {
		return EncodingGB18030
	}
	return ""
}

// trimPartialRune drops a UTF-8 sequence cut off at the end of b.
func trimPartialRune(b []byte) []byte {
	for i := 1; i <= utf8.UTFMax && i <= len(b); i++ {
		if utf8.RuneStart(b[len(b)-i]) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			break
		}
	}
	return b
}

// validGB18030 reports b decoding as GB18030 without a byte the decoder
// replaces (a cut-off last character allowed when more follows).
func validGB18030(b []byte, more bool) bool {
	if more && len(b) > 4 {
		b = b[:len(b)-4]
		// back up to a character boundary: ASCII ends a GB18030 sequence
		for len(b) > 0 && b[len(b)-1] >= 0x80 {
			b = b[:len(b)-1]
		}
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
	return err == nil && !bytes.ContainsRune(out, utf8.RuneError)
}

// Record boundaries, as a textChecker finds them.
const (
	boundLine = iota // JSON Lines: a record is a line
	boundCSV         // a newline outside double quotes
	boundJSON        // an element of the top-level array
)

// textChecker passes UTF-8 text through, refusing at its line what an
// import must never store or hold: bytes that are not UTF-8, a NUL, a
// character a decoder could not map (U+FFFD), and a record longer than the
// cap. It counts lines, and for a JSON array the line each element starts
// on (starts), as it goes.
type textChecker struct {
	r        io.Reader
	encoding string
	decoded  bool // r is a decoder's output: U+FFFD is a byte it could not map
	bound    int
	limit    int

	line       int // of the next byte
	recLine    int // the current record's first line
	recBytes   int
	inQuotes   bool // CSV
	inString   bool // JSON
	escaped    bool
	depth      int
	pending    []byte // an incomplete UTF-8 sequence kept for the next read
	starts     []int  // JSON: lines of elements not yet decoded
	err        error
	sawElement bool
}

func newTextChecker(r io.Reader, encoding string, decoded bool, bound, limit int) *textChecker {
	return &textChecker{r: r, encoding: encoding, decoded: decoded, bound: bound, limit: limit, line: 1, recLine: 1}
}

func (c *textChecker) fail(line int, format string, args ...any) error {
	c.err = &RowError{Line: line, Message: fmt.Sprintf(format, args...)}
	return c.err
}

func (c *textChecker) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.r.Read(p)
	if err := c.check(p[:n], err == io.EOF); err != nil {
		return 0, err
	}
	return n, err
}

func (c *textChecker) check(b []byte, eof bool) error {
	// UTF-8 validity, across reads.
	buf := b
	if len(c.pending) > 0 {
		buf = append(append([]byte{}, c.pending...), b...)
		c.pending = c.pending[:0]
	}
	line := c.line
	for i := 0; i < len(buf); {
		ch := buf[i]
		if ch < utf8.RuneSelf {
			if ch == 0 {
				return c.fail(line, "a NUL byte; this is not a text file (or it is UTF-16 without a byte-order mark: give --encoding utf-16)")
			}
			if ch == '\n' {
				line++
			}
			i++
			continue
		}
		if !utf8.FullRune(buf[i:]) && !eof {
			c.pending = append(c.pending, buf[i:]...)
			break
		}
		r, size := utf8.DecodeRune(buf[i:])
		if r == utf8.RuneError && size == 1 {
			return c.fail(line, "byte 0x%02X is not %s text; save the file as UTF-8, or give --encoding (%s)",
				buf[i], c.encodingName(), strings.Join(Encodings, ", "))
		}
		if r == utf8.RuneError && c.decoded {
			return c.fail(line, "bytes that are not %s text; give the right --encoding (%s)", c.encoding, strings.Join(Encodings, ", "))
		}
		i += size
	}
	// Record boundaries and lengths, byte by byte on the caller's bytes.
	for _, ch := range b {
		c.recBytes++
		switch c.bound {
		case boundLine:
			if ch == '\n' {
				c.recBytes, c.recLine = 0, c.line+1
			}
		case boundCSV:
			if ch == '"' {
				c.inQuotes = !c.inQuotes
			} else if ch == '\n' && !c.inQuotes {
				c.recBytes, c.recLine = 0, c.line+1
			}
		case boundJSON:
			c.json(ch)
		}
		if ch == '\n' {
			c.line++
		}
		if c.recBytes > c.limit {
			return c.fail(c.recLine, "a record longer than %d bytes (the cap)", c.limit)
		}
	}
	return nil
}

func (c *textChecker) encodingName() string {
	if c.encoding == "unknown" {
		return "UTF-8, GB18030 or UTF-16"
	}
	return c.encoding
}

// json follows the nesting of a JSON text to see where each element of the
// top-level array starts.
func (c *textChecker) json(ch byte) {
	if c.inString {
		switch {
		case c.escaped:
			c.escaped = false
		case ch == '\\':
			c.escaped = true
		case ch == '"':
			c.inString = false
		}
		return
	}
	switch ch {
	case ' ', '\t', '\r', '\n':
		if c.depth <= 1 {
			c.recBytes = 0
		}
		return
	case ',':
		if c.depth == 1 {
			c.recBytes, c.sawElement = 0, false
			return
		}
	case '[', '{':
		c.depth++
		if c.depth == 1 {
			c.recBytes = 0
			return
		}
	case ']', '}':
		c.depth--
		if c.depth == 0 {
			c.recBytes = 0
			return
		}
	case '"':
		c.inString = true
	}
	if c.depth == 1 && !c.sawElement || c.depth == 2 && !c.sawElement {
		c.sawElement = true
		c.recLine = c.line
		c.starts = append(c.starts, c.line)
	}
}

// nextStart is the line the next element of a JSON array starts on.
func (c *textChecker) nextStart() int {
	if len(c.starts) == 0 {
		return c.line
	}
	l := c.starts[0]
	c.starts = c.starts[1:]
	return l
}
