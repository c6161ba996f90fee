import type { EnvReader } from '../config/env-reader';
import type { ProviderId } from '../verification/model';
import type { CallbackParser, RetrievalClient } from './types';

/** Defaults of the settings every provider has (`P_CALLBACK_GRACE`, `P_POLL_SCHEDULE`, …). */
export interface ProviderDefaults {
  apiBaseUrl: string;
  callbackGrace: string;
  pollSchedule: string;
  expiresAfter: string;
  /** A production default for `P_WEBHOOK_AUTH` (only Jumio has one: its published callback IPs). */
  webhookAuth?: string;
}

/** What the rest of the system needs from one provider; adding a provider is one such module and a registry line. */
export interface ProviderModule<Settings = unknown> {
  id: ProviderId;
  /** The provider's name as its documentation writes it. */
  displayName: string;
  defaults: ProviderDefaults;
  /**
   * Context keys a verification must carry from its start for the provider's retrieval API to be
   * asked at all (Jumio: `accountId`, part of every retrieval URL). Without them a lost callback
   * could never be confirmed, so the client refuses such a start instead of letting it wait forever.
   */
  requiredContext?: readonly string[];
  /** Reads the provider's own settings (credentials, API flavour) from `P_*` variables. */
  readSettings(env: EnvReader, apiBaseUrl: string): Settings;
  createCallbackParser(settings: Settings): CallbackParser;
  createRetrievalClient(settings: Settings): RetrievalClient;
}

/** Keeps a module's settings type while storing modules of different providers in one list. */
export function defineProvider<Settings>(module: ProviderModule<Settings>): ProviderModule<Settings> {
  return module;
}
