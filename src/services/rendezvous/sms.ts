/**
 * The SMS adapter (docs/sms-adapter.md): one HTTP call per message to the provider configured by
 * MAILLAGE_SMS_URL (and MAILLAGE_SMS_TOKEN, sent as a bearer token):
 *
 *   POST <url>  {"to": "+33612345678", "text": "…", "reference": "<appointment id>"}
 *   → any 2xx is success; anything else, or no answer within 5 s, is a failure (recorded, not retried).
 */
export interface SmsSender {
  send(message: { to: string; text: string; reference: string }): Promise<void>;
}

export class HttpSmsSender implements SmsSender {
  constructor(
    private readonly url: string,
    private readonly token: string | null,
    private readonly timeoutMs = 5_000,
  ) {}

  async send(message: { to: string; text: string; reference: string }): Promise<void> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new Error(`fournisseur SMS : HTTP ${res.status}`);
  }
}
