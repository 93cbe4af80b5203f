package access

import (
	"duban/auth"
	"duban/models"
	"duban/rules"
)

// operator is the command line's reader. Whoever runs duban holds the
// database itself and handles cases (admins, clerks), so it reads what the
// unit handling a case reads: numbers unmasked, as the command line's text
// listings always showed them.
var operator = &auth.Principal{Username: "duban", Name: "command line", Role: models.RoleUnit}

// NoticeJSON is a stored notice in the API's shape (field names, recipients
// and evidence as JSON), for the command line's --format json.
func NoticeJSON(n *models.Notice, unitNames map[string]string, rs *rules.RuleSet) Notice {
	return (&Service{}).notice(operator, n, unitNames, rs, true)
}

// FlagJSON is a stored flag in the API's shape.
func FlagJSON(f *models.Flag) Flag { return flagView(operator, f) }

// RecordJSON is a stored accountability entry in the API's shape.
func RecordJSON(r *models.AccountabilityRecord, unitNames map[string]string) Record {
	return recordView(operator, r, unitNames)
}
