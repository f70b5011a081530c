package routines

import (
	"embed"

	"golang.org/x/text/language"
)

// The therapist workspace's words, one go-i18n v2 message file per language:
// locales/workspace.<tag>.json, in the same form as the client's message
// files (text, or CLDR plural forms chosen by {{.Count}}; {{.Name}}-style
// placeholders only). The workspace fills the texts in itself.
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

// ValidateWorkspaceMessages checks the workspace's files as ValidateMessages
// checks the client's: a file per supported language, the English ids, none
// missing or extra, every text translated, plural forms and placeholders.
func ValidateWorkspaceMessages() error {
	return validateCatalog(workspaceFiles, workspaceCatalog, supported)
}
