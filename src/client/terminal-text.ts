/**
 * Text for a terminal. Provider words and details are kept as the provider sent them, and a
 * human reads them through `kyc status`: a raw ESC could recolour or clear the screen, a CR or LF
 * could fake a line of output, a bidi override (U+202E) could show a reference reversed. Every
 * character of those kinds is shown escaped instead, JSON-style, and a backslash is doubled so an
 * escape cannot be faked by sending its text. `--json` needs none of this: JSON escapes C0
 * itself, and a machine reads it.
 */
// C0 controls and DEL, C1 controls, the bidi marks, embeddings, overrides and isolates
// (U+061C, U+200E-F, U+202A-E, U+2066-9), the Unicode line and paragraph separators, and '\'.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\\]/g;

const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };

/** One line of text for a terminal: every control, bidi or separator character shown escaped. */
export function terminalSafe(text: string): string {
  return text.replace(
    UNSAFE,
    (char) =>
      (Object.hasOwn(SHORT, char) ? SHORT[char] : undefined) ??
      `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Lines for a terminal: each escaped on its own, so no value can add or rewrite a line. */
export function terminalLines(lines: readonly string[]): string {
  return lines.map(terminalSafe).join('\n');
}
