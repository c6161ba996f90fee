import type { DataConverter } from '@temporalio/common';
import type { TemporalSettings } from '../app-config';
import { EncryptionCodec } from './encryption-codec';

/** The failure converter module; bundlers of the workflow code must include it as well. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * The data converter client and worker share: payloads are encrypted when KYC_PAYLOAD_KEY is set
 * (older keys still decrypt), and failure texts always travel as payloads so they are encrypted too.
 */
export function dataConverter(config: {
  temporal: Pick<TemporalSettings, 'payloadKey' | 'payloadOldKeys'>;
}): DataConverter {
  const { payloadKey, payloadOldKeys } = config.temporal;
  return {
    failureConverterPath: FAILURE_CONVERTER_PATH,
    ...(payloadKey ? { payloadCodecs: [new EncryptionCodec(payloadKey, payloadOldKeys)] } : {}),
  };
}
