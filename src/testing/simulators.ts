/**
 * Every provider's simulator on loopback at once (the demo, the bench's schedules and tests), with
 * the RSA key pair Unico's token requests are signed with: the simulator holds the public half.
 */
import { generateKeyPairSync } from 'node:crypto';
import { startAttestrSimulator, type AttestrSimulator } from '../providers/attestr/testing/simulator';
import { startConcedusSimulator, type ConcedusSimulator } from '../providers/concedus/testing/simulator';
import { startJumioSimulator, type JumioSimulator } from '../providers/jumio/testing/simulator';
import { startSocureSimulator, type SocureSimulator } from '../providers/socure/testing/simulator';
import { startUnicoSimulator, type UnicoSimulator } from '../providers/unico/testing/simulator';

export interface AllSimulators {
  jumio: JumioSimulator;
  socure: SocureSimulator;
  attestr: AttestrSimulator;
  unico: UnicoSimulator;
  concedus: ConcedusSimulator;
  /** The service account's key (PKCS#8 PEM) the stack signs Unico's token requests with. */
  unicoPrivateKey: string;
  close(): Promise<void>;
}

export async function startAllSimulators(): Promise<AllSimulators> {
  const unicoKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const [jumio, socure, attestr, unico, concedus] = await Promise.all([
    startJumioSimulator(),
    startSocureSimulator(),
    startAttestrSimulator(),
    startUnicoSimulator({ publicKey: unicoKeys.publicKey }),
    startConcedusSimulator(),
  ]);
  const unicoPrivateKey = unicoKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const close = async () => {
    await Promise.all([jumio, socure, attestr, unico, concedus].map((sim) => sim.close()));
  };
  return { jumio, socure, attestr, unico, concedus, unicoPrivateKey, close };
}
