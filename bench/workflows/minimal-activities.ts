/** The baseline's activity: a round trip through Temporal with no work in it. */
export function noop(): Promise<void> {
  return Promise.resolve();
}
