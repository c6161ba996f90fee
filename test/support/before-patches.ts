/**
 * A workflow bundle of the verification workflow as it ran before its patches: the same code with
 * `patched()` answering false (test/support/patches-blocked.ts), so a run it starts takes every old
 * branch and records no patch marker, as one started by an older deployment did.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../../src/temporal/data-converter';

/** The bundle's file (a worker's `workflowBundle.codePath`). */
export async function workflowBundleBeforePatches(): Promise<{ codePath: string }> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/all-workflows'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    webpackConfigHook: (config) => {
      config.resolve = {
        ...config.resolve,
        // Only the bare specifier the workflow code imports; the wrapper reaches the SDK by its own path.
        alias: { ...(config.resolve?.alias as object), '@temporalio/workflow$': require.resolve('./patches-blocked') },
      };
      return config;
    },
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
  });
  const codePath = join(mkdtempSync(join(tmpdir(), 'kyc-before-patches-')), 'workflow-bundle.js');
  writeFileSync(codePath, code);
  return { codePath };
}
