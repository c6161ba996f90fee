/**
 * The one way a body from outside is read as JSON: provider callbacks at the ingress, the local
 * inbox's entries, a dead letter's kept body when it is replayed, and the answers of providers'
 * APIs (an intercepted or compromised API is outside input too).
 *
 * `JSON.parse` itself is safe: a `"__proto__"` key becomes an ordinary own property. The danger
 * comes one step later, when a validator copies the object member by member (zod's `looseObject`
 * does): assigning `copy["__proto__"] = {…}` sets the copy's prototype, and every optional field
 * the body left out then reads the attacker's value (an Attestr `profile`, a Socure
 * `docvTransactionToken`, a Jumio `account.id`). `constructor` and `prototype` are the other two
 * names such copies and merges trip over.
 *
 * Such keys are dropped, at every depth, rather than refused: no provider documents a field by
 * these names and no schema of ours reads one, so dropping loses nothing a verification needs,
 * while refusing would turn a genuine callback that merely carries such a key inside free-form
 * data (Attestr's flow `result`, Socure's document data) into a 400, and Attestr sends each event
 * once. The body is then validated as exactly what a safe reader sees: an injected
 * `"__proto__": {"profile": …}` is an absent `profile`, refused by the schema with a 400 naming
 * that field. Signatures are checked over the raw bytes, which this does not touch, and a dead
 * letter keeps the raw body as it came.
 *
 * Written without recursion (a body nested 100,000 deep must cost no stack), and skipped when the
 * text cannot hold such a key: a key is spelt either literally, as a string followed by a colon,
 * or with a `\u` escape.
 */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAY_HOLD_PROTOTYPE_KEY = /"(?:__proto__|constructor|prototype)"\s*:|\\u/;

/** Parses JSON text from outside; throws `SyntaxError` as `JSON.parse` does. */
export function parseUntrustedJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  return MAY_HOLD_PROTOTYPE_KEY.test(text) ? withoutPrototypeKeys(value) : value;
}

/** Deletes every own `__proto__`, `constructor` and `prototype` member, at every depth, in place. */
function withoutPrototypeKeys(root: unknown): unknown {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const node = pending.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      for (const element of node) if (typeof element === 'object' && element !== null) pending.push(element);
      continue;
    }
    const members = node as Record<string, unknown>;
    // Own members only: a parsed object inherits nothing enumerable.
    for (const key in members) {
      if (PROTOTYPE_KEYS.has(key)) delete members[key];
      else if (typeof members[key] === 'object' && members[key] !== null) pending.push(members[key]);
    }
  }
  return root;
}
