package importer

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/xuri/excelize/v2"
)

// idNumberField is the column whose values must be text in a workbook.
const idNumberField = "petitioner_id_number"

// scanSheet streams the named sheet's XML once, before its rows are read,
// for what the rows cannot show: merged cells (a merged range keeps its
// value in its first cell only, the others would come in empty) and an
// identity number stored as a number (Excel has already rounded it to 15
// digits: 4.10102199001011E+17).
func scanSheet(zr *zip.Reader, sheet string, header []string) []*RowError {
	name, err := sheetPart(zr, sheet)
	if err != nil {
		return []*RowError{{Line: 1, Message: err.Error()}}
	}
	idCol := -1
	for i, h := range header {
		if h == idNumberField {
			idCol = i + 1
		}
	}
	var errs []*RowError
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return []*RowError{{Line: 1, Message: err.Error()}}
		}
		defer rc.Close()
		dec := xml.NewDecoder(rc)
		var numeric string // the ref of an identity number cell stored as a number
		inValue := false
		for len(errs) <= maxErrors {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				return append(errs, &RowError{Line: 1, Message: "the sheet's XML: " + err.Error()})
			}
			switch t := tok.(type) {
			case xml.StartElement:
				switch t.Name.Local {
				case "c":
					numeric = ""
					ref, typ := attr(t, "r"), attr(t, "t")
					col, row, err := excelize.CellNameToCoordinates(ref)
					if err == nil && col == idCol && row > 1 && (typ == "" || typ == "n") {
						numeric = ref
					}
				case "v":
					inValue = numeric != ""
				case "mergeCell":
					ref := attr(t, "ref")
					_, row, _ := excelize.CellNameToCoordinates(strings.Split(ref, ":")[0])
					errs = append(errs, &RowError{Line: max(row, 1), Message: fmt.Sprintf(
						"%s!%s are merged cells; unmerge them and fill in every cell", sheet, ref)})
				}
			case xml.CharData:
				if inValue {
					_, row, _ := excelize.CellNameToCoordinates(numeric)
					errs = append(errs, &RowError{Line: row, Field: idNumberField, Message: fmt.Sprintf(
						"%s!%s is a number in the workbook (%s), and Excel keeps only 15 digits of one; format the column as text and type the number again",
						sheet, numeric, strings.TrimSpace(string(t)))})
					inValue, numeric = false, ""
				}
			case xml.EndElement:
				if t.Name.Local == "v" {
					inValue = false
				}
			}
		}
		return errs
	}
	return []*RowError{{Line: 1, Message: fmt.Sprintf("the workbook has no part for sheet %s", sheet)}}
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// sheetPart finds the zip part holding the named sheet, through the
// workbook and its relationships.
func sheetPart(zr *zip.Reader, sheet string) (string, error) {
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := decodePart(zr, "xl/workbook.xml", &wb); err != nil {
		return "", err
	}
	if err := decodePart(zr, "xl/_rels/workbook.xml.rels", &rels); err != nil {
		return "", err
	}
	for _, s := range wb.Sheets {
		if s.Name != sheet {
			continue
		}
		for _, r := range rels.Rels {
			if r.ID == s.RID {
				if strings.HasPrefix(r.Target, "/") {
					return strings.TrimPrefix(r.Target, "/"), nil
				}
				return path.Join("xl", r.Target), nil
			}
		}
	}
	return "", fmt.Errorf("the workbook does not say where sheet %s is", sheet)
}

func decodePart(zr *zip.Reader, name string, v any) error {
	for _, f := range zr.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				return err
			}
			defer rc.Close()
			return xml.NewDecoder(rc).Decode(v)
		}
	}
	return fmt.Errorf("not an XLSX workbook: no %s", name)
}
