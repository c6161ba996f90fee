/**
 * Wraps a check (readiness: a call to Temporal) so that a flood of probes costs one call: callers
 * within `ttlMs` of the last answer get that answer, and callers while a check runs wait for it.
 * The check must not throw (return its failure as a value), so a failure is cached like success.
 *
 * @example
 *   const ready = cachedAnswer(1500, () => askTemporal());
 *   app.get('/readyz', async (_req, res) => res.json(await ready()));
 */
export function cachedAnswer<T>(
  ttlMs: number,
  check: () => Promise<T>,
  now: () => number = Date.now,
): () => Promise<T> {
  let last: { value: T; at: number } | undefined;
  let running: Promise<T> | undefined;
  return () => {
    if (last && now() - last.at < ttlMs) return Promise.resolve(last.value);
    running ??= check().then(
      (value) => {
        last = { value, at: now() };
        running = undefined;
        return value;
      },
      (err: unknown) => {
        running = undefined;
        throw err;
      },
    );
    return running;
  };
}
