/**
 * How a call to a provider's API failed, decided once at the activity boundary. The workflow
 * branches on these `type`s, never on message text. Kept free of Node imports: workflow code
 * imports it.
 */
export const ProviderFailure = {
  /** 5xx, timeouts, connection errors: the provider is having an outage. Retried. */
  Unavailable: 'ProviderUnavailable',
  /** 429: retried after the provider's Retry-After. */
  RateLimited: 'ProviderRateLimited',
  /** 404, or an answer that does not yet carry the announced result. Retried while a result is expected. */
  NotReady: 'ProviderNotReady',
  /** The provider says a result exists but has not published it yet (processed, without a decision yet). Retried. */
  ResultPending: 'ProviderResultPending',
  /** 401/403 even with fresh credentials: configuration, not an outage. Not retried. */
  AuthRejected: 'ProviderAuthRejected',
  /** Another 4xx: our request is wrong for this reference. Not retried. */
  RequestRejected: 'ProviderRequestRejected',
  /** A 2xx whose body does not match the provider's documented shape. Not retried. */
  BadResponse: 'ProviderBadResponse',
  /** Credentials or URLs missing from our configuration. Not retried. */
  NotConfigured: 'ProviderNotConfigured',
} as const;
export type ProviderFailureType = (typeof ProviderFailure)[keyof typeof ProviderFailure];

export const PERMANENT_PROVIDER_FAILURES: ProviderFailureType[] = [
  ProviderFailure.AuthRejected,
  ProviderFailure.RequestRejected,
  ProviderFailure.BadResponse,
  ProviderFailure.NotConfigured,
];
