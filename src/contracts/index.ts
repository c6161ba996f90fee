/**
 * The workflow contracts, one module every side imports: the ingress, the client, the worker's
 * activities, Temporal plumbing and the workflows themselves. IDs, signals, queries, updates,
 * search attributes, activity interfaces and payload types; no implementation. Workflow-safe.
 */
export * from './activities';
export * from './dead-letter';
export * from './late-verdict';
export * from './notification';
export * from './search-attributes';
export * from './verification';
