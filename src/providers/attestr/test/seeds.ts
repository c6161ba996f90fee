/**
 * Attestr's documented payloads, where the hostile-body tests and the fuzzer start
 * (test/support/hostile-bodies.ts): its completed flow with the result signed by the secret the
 * ingress is given, so the signature is checked on every bent body too.
 */
import { fixture, type FuzzSeeds } from '../../../../test/support/seeds';
import { signResult } from '../signature';

const CLIENT_SECRET = 'hostile-client-secret';

function signedCompleted(): unknown {
  const body = structuredClone(fixture('attestr', 'flowx-completed.providers-md.json')) as {
    payload: { result: unknown; resultSignature: string };
  };
  body.payload.resultSignature = signResult(body.payload.result, CLIENT_SECRET);
  return body;
}

export const seeds: FuzzSeeds = {
  bodies: () => [signedCompleted(), fixture('attestr', 'factx-query.docs.json')],
  // A background-check event other than `factx.query`: any `factx.*` is recorded, its `profile`
  // optional there and the reference when present.
  variants: () => [{ ...(fixture('attestr', 'factx-query.docs.json') as object), event: 'factx.updated' }],
  variables: { ATTESTR_CLIENT_SECRET: CLIENT_SECRET },
};
