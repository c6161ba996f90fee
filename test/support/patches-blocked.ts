/**
 * `@temporalio/workflow` as the workflow code sees it in a bundle that stands for the code before
 * its patches (test/support/before-patches.ts): `patched()` answers false and records no marker,
 * exactly what a run started before a patch does for as long as it is open. Everything else is
 * the SDK's own.
 */
export * from '@temporalio/workflow/lib/index';

export function patched(_patchId: string): boolean {
  return false;
}
