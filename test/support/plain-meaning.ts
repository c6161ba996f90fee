/** What a meaning handed to the workflow must be: plain data that JSON carries unchanged. */
/** A plain value, or a plain object of plain values (a meaning's `provisional` and `claim` are such records). */
function isPlainRecord(value: unknown): boolean {
  if (typeof value !== 'object') return true;
  return (
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype &&
    Object.values(value).every((inner) => typeof inner === 'string')
  );
}

/** A meaning as the model defines it: a plain object of plain values that JSON carries unchanged. */
export function expectPlainMeaning(meaning: unknown, what: string): void {
  const problem =
    typeof meaning !== 'object' || meaning === null
      ? 'not an object'
      : Object.getPrototypeOf(meaning) !== Object.prototype
        ? 'not a plain object'
        : Object.values(meaning).some((value) => typeof value === 'function' || !isPlainRecord(value))
          ? 'holds a function or an object'
          : JSON.stringify(JSON.parse(JSON.stringify(meaning))) !== JSON.stringify(meaning)
            ? 'changes through JSON'
            : undefined;
  expect(`${what}: ${problem ?? 'plain'}`).toBe(`${what}: plain`);
}
