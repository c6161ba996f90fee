import { defineProvider } from '../module';
import { createUnicoCallbackParser } from './callback';
import { createUnicoRetrievalClient } from './retrieval';
import { readUnicoSettings, type UnicoSettings } from './settings';

export const unico = defineProvider<UnicoSettings>({
  id: 'unico',
  displayName: 'Unico',
  defaults: {
    // GetProcess of the Web & SDK ("by Unico") contract; sandbox: https://api.idcloud.uat.unico.app
    apiBaseUrl: 'https://api.idcloud.unico.app',
    // Unico's webhook fires only when a process finishes, so the whole user session is silence:
    // the first look waits long enough for a typical capture to end.
    callbackGrace: '30m',
    // Unico publishes no polling interval; GetProcess may be called repeatedly. Backs off to twice
    // a day, then the workflow's daily poll, until the process's own expiry.
    pollSchedule: '15m,30m,1h,2h,4h,8h,12h',
    // Inferred from GetProcess's example (expiresAt = createdAt + 7 days); Unico states no default.
    expiresAfter: '7d',
    // No production default: Unico's webhook auth (Basic, an API-key header, OAuth2 bearer) is
    // chosen at registration, so UNICO_WEBHOOK_AUTH must say which.
  },
  readSettings: (env, apiBaseUrl) => readUnicoSettings(env, apiBaseUrl),
  createCallbackParser: (settings) => createUnicoCallbackParser(settings.events),
  createRetrievalClient: (settings) => createUnicoRetrievalClient(settings),
});
