// Case-insensitive search for every script: a name and a search term are compared after the same
// folding. SQLite's lower() (and LIKE) fold ASCII only, so names are stored folded beside the original
// (contacts.name_folded) and the term is folded here.

/**
 * NFC, then full case folding by round-tripping through upper case ("Straße" and "STRASSE" both fold to
 * "strasse", "ZOË" to "zoë"), then NFC again (case mapping can decompose). Two context rules of
 * toLowerCase are undone so that a fragment folds like the same letters inside a word: final sigma ς is
 * σ, and the dotted capital İ (which lower-cases to i + U+0307) is a plain i.
 */
export function foldCase(text: string): string {
  return text.normalize("NFC").toUpperCase().toLowerCase().normalize("NFC").replaceAll("ς", "σ").replaceAll("i\u0307", "i");
}
