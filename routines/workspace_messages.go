package routines

import (
	"embed"
	"encoding/json"

	"golang.org/x/text/language"
)

// The therapist workspace's words, one go-i18n v2 message file per language:
// locales/workspace.<tag>.json, in the same form as the client's message
// files (text, or CLDR plural forms chosen by {{.Count}}; {{.Name}}-style
// placeholders only). "language.name" is the language's name in itself, for
// the workspace's language menu. The workspace fills the texts in itself.
//
//go:embed locales/workspace.*.json
var workspaceFiles embed.FS

// workspaceCatalog names the workspace's files among the catalogs.
const workspaceCatalog = "workspace"

// WorkspaceMessageFile returns the workspace message file of the supported
// language that best matches tag, as stored (JSON), and that language.
func WorkspaceMessageFile(tag language.Tag) ([]byte, language.Tag) {
	return catalogFile(workspaceFiles, workspaceCatalog, tag)
}

// Language is a supported language and its name in itself ("Deutsch").
type Language struct {
	Tag  string `json:"tag"`
	Name string `json:"name"`
}

// WorkspaceLanguages lists the supported languages, English first, each
// named in itself as its workspace file says.
func WorkspaceLanguages() []Language {
	out := make([]Language, 0, len(supported))
	for _, tag := range supported {
		b, got := WorkspaceMessageFile(tag)
		var m struct {
			Name string `json:"language.name"`
		}
		if json.Unmarshal(b, &m) != nil || m.Name == "" || got != tag {
			m.Name = tag.String() // ValidateWorkspaceMessages fails for such a file
		}
		out = append(out, Language{Tag: tag.String(), Name: m.Name})
	}
	return out
}

// ValidateWorkspaceMessages checks the workspace's files as ValidateMessages
// checks the client's: a file per supported language, the English ids, none
// missing or extra, every text translated, plural forms and placeholders.
func ValidateWorkspaceMessages() error {
	return validateCatalog(workspaceFiles, workspaceCatalog, supported)
}
