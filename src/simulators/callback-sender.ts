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
