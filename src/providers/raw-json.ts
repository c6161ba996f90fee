/**
 * The exact bytes of one member of a JSON document, as the sender wrote them. A signature made
 * over a value must be checked over those bytes: re-serialising the parsed value changes key
 * order (integer-like keys), number spelling (`1.0` → `1`), escapes and white space.
 *
 * `rawJsonMember('{"payload":{"result":{"a": 1.0}}}', ['payload', 'result'])` → `'{"a": 1.0}'`.
 * Like JSON.parse, the last of duplicate keys wins. Undefined when the path does not lead to a
 * value or the text is not the JSON it was taken for. Iterative, so nesting depth costs no stack.
 */
export function rawJsonMember(text: string, path: readonly string[]): string | undefined {
  let start = 0;
  let end = text.length;
  for (const key of path) {
    const span = memberSpan(text, start, end, key);
    if (!span) return undefined;
    [start, end] = span;
  }
  return text.slice(start, end);
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

/** The span of `key`'s value inside the object that starts (after white space) at `from`. */
function memberSpan(text: string, from: number, to: number, key: string): [number, number] | undefined {
  let i = skipWhitespace(text, from, to);
  if (text[i] !== '{') return undefined;
  i = skipWhitespace(text, i + 1, to);
  let found: [number, number] | undefined;
  if (text[i] === '}') return undefined;
  while (i < to) {
    if (text[i] !== '"') return undefined;
    const keyEnd = stringEnd(text, i, to);
    if (keyEnd === undefined) return undefined;
    let name: unknown;
    try {
      name = JSON.parse(text.slice(i, keyEnd));
    } catch {
      return undefined;
    }
    i = skipWhitespace(text, keyEnd, to);
    if (text[i] !== ':') return undefined;
    const valueStart = skipWhitespace(text, i + 1, to);
    const valueEnd = valueEndAt(text, valueStart, to);
    if (valueEnd === undefined) return undefined;
    if (name === key) found = [valueStart, valueEnd];
    i = skipWhitespace(text, valueEnd, to);
    if (text[i] === '}') return found;
    if (text[i] !== ',') return undefined;
    i = skipWhitespace(text, i + 1, to);
  }
  return undefined;
}

function skipWhitespace(text: string, i: number, to: number): number {
  while (i < to && WHITESPACE.has(text[i]!)) i += 1;
  return i;
}

/** The index just past the string literal opening at `i`. */
function stringEnd(text: string, i: number, to: number): number | undefined {
  for (let j = i + 1; j < to; j += 1) {
    if (text[j] === '\\') j += 1;
    else if (text[j] === '"') return j + 1;
  }
  return undefined;
}

/** The index just past the value starting at `i`: a string, a container (by bracket depth), or a scalar. */
function valueEndAt(text: string, i: number, to: number): number | undefined {
  const first = text[i];
  if (first === '"') return stringEnd(text, i, to);
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let j = i; j < to; j += 1) {
      const c = text[j];
      if (c === '"') {
        const end = stringEnd(text, j, to);
        if (end === undefined) return undefined;
        j = end - 1;
      } else if (c === '{' || c === '[') depth += 1;
      else if (c === '}' || c === ']') {
        depth -= 1;
        if (depth === 0) return j + 1;
      }
    }
    return undefined;
  }
  let j = i;
  while (j < to && !WHITESPACE.has(text[j]!) && text[j] !== ',' && text[j] !== '}' && text[j] !== ']') j += 1;
  return j > i ? j : undefined;
}
