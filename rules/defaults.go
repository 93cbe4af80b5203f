package rules

import (
	"embed"
	"io/fs"
)

//go:embed defaults/*.yaml
var defaultFiles embed.FS

// Defaults is the rule pack that ships inside the binary: the ten rules of
// the petition regulations and local practice, with their tests.
func Defaults() fs.FS {
	sub, err := fs.Sub(defaultFiles, "defaults")
	if err != nil {
		panic(err)
	}
	return sub
}
