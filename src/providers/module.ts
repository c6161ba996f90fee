import type { EnvReader } from '../config/env-reader';
import type { WebhookAuthKind } from '../config/webhook-auth';
import type { CanonicalMeaning } from '../verification/model';
import type { CallbackParser, RetrievalClient } from './types';

/**
 * Defaults of the settings every provider has (`<ID>_CALLBACK_GRACE`, `<ID>_POLL_SCHEDULE`, …;
 * src/providers/settings.ts names them).
 */
export interface ProviderDefaults {
  apiBaseUrl: string;
  callbackGrace: string;
  pollSchedule: string;
  expiresAfter: string;
  /** How long a verification the provider never settles may stay open; default 30d. */
  maxLifetime?: string;
  /** Retrieval calls per second across all workers; default 5. */
  maxPollsPerSecond?: number;
  /** How long a provisional decision waits for the provider's final one; default 30d. */
  reviewWindow?: string;
}

/** One of the provider's own variables (the ones every provider has are in src/providers/settings.ts). */
export interface ProviderVariable {
  /** `<ID>_…`. */
  name: string;
  /** What .env.example shows ('' for unset). */
  example: string;
  /** One line for .env.example and docs/configuration.md. */
  description: string;
  /**
   * Only a development default stands in when it is unset (KYC_DEV_DEFAULTS=1): in production the
   * provider needs it. With none of these set, a production deployment runs without the provider.
   */
  requiredInProduction?: boolean;
  /** A credential: never printed. */
  secret?: boolean;
}

/** How the provider's callbacks prove where they come from (`<ID>_WEBHOOK_AUTH`, docs/configuration.md). */
export interface ProviderWebhookAuth {
  /** The rule kinds that fit what the provider sends. */
  kinds: readonly WebhookAuthKind[];
  /** A rule that stands when `<ID>_WEBHOOK_AUTH` is unset, in every environment (a published address list). */
  default?: string;
  /** What the provider sends, in a sentence. */
  note: string;
}

/**
 * One line of the documented status mapping (docs/providers.md): the provider's words, where they
 * come from, and what they mean. `probe` asks the mapping code itself, so the checklist test can
 * hold the documentation and the code to each other.
 */
export interface MappingLine {
  words: readonly string[];
  /** Where the words arrive: `callback`, `webhook`, `retrieval`, `poll`, … */
  from: string;
  /** The canonical meaning; `{ informational: true }` or `{}` for "recorded, no change". */
  meaning: CanonicalMeaning;
  note?: string;
  probe?: (word: string) => CanonicalMeaning | undefined;
}

/**
 * What the rest of the system needs from one provider. Adding a provider is one folder with such a
 * module, and a line in src/providers/registry.ts (docs/providers.md, "Add a provider").
 */
export interface ProviderModule<Settings = unknown> {
  /** `[a-z][a-z0-9]*`: the webhook route, the middle of workflow IDs, the variables' prefix (upper case). */
  id: string;
  /** The provider's name as its documentation writes it. */
  displayName: string;
  /** The provider's own ID of a verification, which the app starts it with and the callbacks name. */
  reference: { description: string; example: string };
  /**
   * Context keys a verification must carry from its start for the provider's retrieval API to be
   * asked at all. Without them a lost callback could never be confirmed, so the client refuses such
   * a start instead of letting it wait forever.
   */
  requiredContext?: readonly { key: string; example: string; description: string }[];
  /**
   * The reference a verification is registered under, from the reference and context the app
   * starts it with. For a provider whose IDs come in kinds that share one ID space (Concedus's
   * customer, contract, person and ident keys), the kind is part of the reference, so the app's
   * start and the provider's callbacks name one verification. Throws an Error whose message is for
   * the app when the two disagree. Absent: the reference as given.
   */
  canonicalReference?(reference: string, context: Readonly<Record<string, string>>): string;
  /**
   * References whose verifications only the app starts: the provider's callbacks for them join a
   * registered verification and are kept as `unroutable` dead letters otherwise, and the app's
   * start replays those letters. Absent: a callback may start any verification.
   */
  appStartsOnly?(reference: string): boolean;
  defaults: ProviderDefaults;
  webhookAuth: ProviderWebhookAuth;
  /**
   * The provider resends a callback that got no 2xx. A provider that does not has its callbacks
   * kept in the local inbox while Temporal is away (the default of KYC_INBOX_PROVIDERS).
   */
  retriesCallbacks: boolean;
  /** Every variable of its own that `readSettings` reads; reading another one throws. */
  variables: readonly ProviderVariable[];
  /** Reads the provider's own settings (credentials, API flavour), through a reader of `variables` only. */
  readSettings(env: EnvReader, common: { apiBaseUrl: string; production: boolean }): Settings;
  createCallbackParser(settings: Settings): CallbackParser;
  createRetrievalClient(settings: Settings): RetrievalClient;
  /** The documented status mapping, line by line. */
  vocabulary: readonly MappingLine[];
}

/**
 * Keeps a module's settings type and its literal ID (the registry checks its key against it) while
 * storing modules of different providers in one list.
 */
export function defineProvider<Settings, const Id extends string>(
  module: ProviderModule<Settings> & { id: Id },
): ProviderModule<Settings> & { id: Id } {
  return module;
}
