/**
 * Sends provider callbacks to an ingress the way real providers misbehave: some dropped, some
 * delivered twice, out of order, late. Used by the integration tests and the demo.
 */
export interface CallbackDelivery {
  body: unknown;
  headers?: Record<string, string>;
}

export interface DeliveryPlan {
  /** Indexes (into the original list) never sent. */
  drop?: number[];
  /** Indexes sent twice (the second right after the first). */
  duplicate?: number[];
  /** The order to send in, as original indexes; default the original order. */
  order?: number[];
  /** Pause between sends. */
  delayMs?: number;
}

export interface DeliveryResult {
  index: number;
  status: number;
  body: unknown;
}

export async function sendCallbacks(
  url: string,
  deliveries: CallbackDelivery[],
  plan: DeliveryPlan = {},
): Promise<DeliveryResult[]> {
  const order = plan.order ?? deliveries.map((_, i) => i);
  const results: DeliveryResult[] = [];
  for (const index of order) {
    if (plan.drop?.includes(index)) continue;
    const times = plan.duplicate?.includes(index) ? 2 : 1;
    for (let n = 0; n < times; n++) {
      results.push({ index, ...(await postJson(url, deliveries[index]!.body, deliveries[index]!.headers)) });
      if (plan.delayMs) await new Promise((r) => setTimeout(r, plan.delayMs));
    }
  }
  return results;
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, body: parsed };
}

/** What happened to one callback a retrying sender delivered. */
export interface ResendResult {
  /** Every attempt's HTTP status; 0 when the connection failed (refused, reset, timed out). */
  statuses: number[];
  /** Whether one attempt finally got a 2xx. */
  acknowledged: boolean;
  /** 503 answers without a Retry-After header (a provider would not know when to come back). */
  unavailableWithoutRetryAfter: number;
}

/**
 * Sends one callback the way providers that retry do: again and again (a fixed pause apart)
 * until it gets a 2xx, or until `giveUpAfterMs`. A connection the ingress drops or never
 * answers counts as a failed attempt, like any non-2xx.
 */
export async function sendUntilAcknowledged(
  url: string,
  delivery: CallbackDelivery,
  options: { retryDelayMs?: number; giveUpAfterMs?: number; attemptTimeoutMs?: number } = {},
): Promise<ResendResult> {
  const deadline = Date.now() + (options.giveUpAfterMs ?? 120_000);
  const statuses: number[] = [];
  let unavailableWithoutRetryAfter = 0;
  for (;;) {
    const status = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...delivery.headers },
      body: typeof delivery.body === 'string' ? delivery.body : JSON.stringify(delivery.body),
      signal: AbortSignal.timeout(options.attemptTimeoutMs ?? 10_000),
    }).then(
      async (response) => {
        await response.arrayBuffer();
        if (response.status === 503 && !response.headers.get('retry-after')) unavailableWithoutRetryAfter += 1;
        return response.status;
      },
      () => 0,
    );
    statuses.push(status);
    if (status >= 200 && status < 300) return { statuses, acknowledged: true, unavailableWithoutRetryAfter };
    if (Date.now() > deadline) return { statuses, acknowledged: false, unavailableWithoutRetryAfter };
    await new Promise((r) => setTimeout(r, options.retryDelayMs ?? 500));
  }
}
