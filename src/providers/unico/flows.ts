import { z } from 'zod';
import { rawWord } from '../common';

/**
 * Which of Unico's capabilities a flow uses, as far as the verdict reads them. "All
 * `authenticationInfo` response parameters will be returned regardless of the flow used. If you do
 * not use a specific capability, be aware that the response will always be `UNSPECIFIED`"
 * (by-Unico API, "Response Scenarios"): a sub-result is read only for a capability the flow uses,
 * so an unused one is never taken for a failed one.
 *
 * - `liveness`: `livenessResult` (IDLive);
 * - `authentication`: `authenticationResult`, the face against the CPF holder's (IDUnico, IDCheck);
 * - `fraudsters`: `identityFraudstersResult` and `faceWithOtherIdResult` (IDTrust, "Behavioral Alerts");
 * - `score`: `scoreEngineResult`, the risk score (IDCheck).
 */
export const UNICO_CAPABILITIES = ['liveness', 'authentication', 'fraudsters', 'score'] as const;
export type UnicoCapability = (typeof UNICO_CAPABILITIES)[number];

/** Flow names (GetProcess `flow`, the webhook's `flow`) and capacity names (`capacities`) → capabilities. */
export type UnicoFlowTable = Record<string, readonly UnicoCapability[]>;

const LIVENESS: readonly UnicoCapability[] = ['liveness'];
const LIVENESS_TRUST: readonly UnicoCapability[] = ['liveness', 'fraudsters'];
const IDENTITY: readonly UnicoCapability[] = ['liveness', 'authentication'];
const IDENTITY_TRUST: readonly UnicoCapability[] = ['liveness', 'authentication', 'fraudsters'];
const CHECK: readonly UnicoCapability[] = ['liveness', 'authentication', 'score'];
const CHECK_TRUST: readonly UnicoCapability[] = ['liveness', 'authentication', 'score', 'fraudsters'];

/**
 * The shipped table. Unico lists its flows ("idlive, id, idlivetrust, idtrust, idcheck, …",
 * developer.unico.io, Liveness) but publishes no capability table per flow: these sets are read off
 * the names (`live`: liveness only; `id`/`unico`: the face against the CPF; `trust`: the fraudster
 * base; `check`: the risk score; `docs`/`sign`: documents and signature, which the verdict does not
 * read), and `UNICO_FLOWS` corrects or extends them. `PROCESS_CAPACITY_IDLIVE` is GetProcess's
 * `capacities` word in Unico's idlive example. Flows left out (`creditoconsignado`, `idsmart`) and
 * the IDToken result (`bioTokenEngineResult`, whose words Unico does not publish) are not guessed.
 */
export const DEFAULT_UNICO_FLOWS: Readonly<UnicoFlowTable> = Object.freeze({
  idlive: LIVENESS,
  idlivetrust: LIVENESS_TRUST,
  id: IDENTITY,
  iddocs: IDENTITY,
  idsign: IDENTITY,
  iddocssign: IDENTITY,
  idunicodocs: IDENTITY,
  idunicosign: IDENTITY,
  idunicodocssign: IDENTITY,
  idunicoserprodocssign: IDENTITY,
  idtrust: IDENTITY_TRUST,
  idtrustdocs: IDENTITY_TRUST,
  idtrustsign: IDENTITY_TRUST,
  idtrustdocssign: IDENTITY_TRUST,
  idcheck: CHECK,
  idcheckserpro: CHECK,
  idcheckserprodocs: CHECK,
  idcheckserprodocssign: CHECK,
  idchecktrust: CHECK_TRUST,
  idchecktrustdocs: CHECK_TRUST,
  idchecktrustsign: CHECK_TRUST,
  idchecktrustdocssign: CHECK_TRUST,
  idtoken: LIVENESS,
  idtokensign: LIVENESS,
  idtokentrust: LIVENESS_TRUST,
  PROCESS_CAPACITY_IDLIVE: LIVENESS,
});

/** `UNICO_FLOWS`: `{"<flow or capacity>": ["liveness", …], …}`; strict, so a misspelt capability stops start-up. */
export const unicoFlowTableSchema = z.record(
  z.string().regex(/^[\x21-\x7e]{1,100}$/, 'must be a flow or capacity name'),
  z.array(z.enum(UNICO_CAPABILITIES)),
);

/**
 * What the verdict knows of the flow that ran: its capabilities (`uses`), or a flow no table
 * lists (`unknown`, its raw name kept), or no flow named at all (`unnamed`: every capability is
 * read, Unico's whole decision table).
 */
export type UnicoFlowReading =
  | { kind: 'known'; name: string; uses: ReadonlySet<UnicoCapability> }
  | { kind: 'unknown'; name: string }
  | { kind: 'unnamed' };

export interface UnicoFlowNames {
  /** GetProcess `process.flow`. */
  flow?: string;
  /** GetProcess `capacities`. */
  capacities?: readonly string[];
  /** The webhook's `flow`, kept in the verification's context, for an answer that names none. */
  contextFlow?: string;
}

/**
 * The flow behind an answer: GetProcess's own `flow` when the table knows it, else its
 * `capacities` when the table knows every one of them, else the webhook's `flow`. A name the
 * table does not know is an unknown flow.
 */
export function unicoFlowOf(table: Readonly<UnicoFlowTable>, names: UnicoFlowNames): UnicoFlowReading {
  const known = (name: string | undefined) =>
    name !== undefined && Object.hasOwn(table, name) ? { name, uses: new Set(table[name]) } : undefined;
  const byFlow = known(names.flow);
  if (byFlow) return { kind: 'known', ...byFlow };
  const capacities = names.capacities ?? [];
  if (capacities.length > 0 && capacities.every((name) => known(name))) {
    return {
      kind: 'known',
      name: rawWord(capacities.join('+')),
      uses: new Set(capacities.flatMap((name) => [...table[name]!])),
    };
  }
  const byContext = names.flow === undefined ? known(names.contextFlow) : undefined;
  if (byContext) return { kind: 'known', ...byContext };
  const named = names.flow ?? names.contextFlow ?? (capacities.length > 0 ? rawWord(capacities.join('+')) : undefined);
  return named !== undefined ? { kind: 'unknown', name: named } : { kind: 'unnamed' };
}
