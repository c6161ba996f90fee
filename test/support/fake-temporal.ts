/**
 * For in-process ingress tests with a fake Temporal client: the namespace's retention as
 * `DescribeNamespace` answers it, years long, so documented callbacks (timestamped 2025) are not
 * stale there. Staleness itself is tested with a retention of a day
 * (test/unit/ingress-credential-holder.test.ts, test/integration/credential-holder.test.ts).
 */
export const describeNamespaceKeepingYears = async () => ({
  config: { workflowExecutionRetentionTtl: { seconds: 10 * 365 * 86_400 } },
});
