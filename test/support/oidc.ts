import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/**
 * A local OpenID Connect provider playing ProConnect (no test reaches the internet).
 * Its interaction step signs in `identity` at once and grants the requested scopes.
 */
export interface ProConnectIdentity {
  sub: string;
  email: string;
  given_name: string;
  usual_name: string;
  siret: string;
  uid: string;
}

export interface LocalProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  identity: ProConnectIdentity;
  /** Follows the provider's redirects from `url` until it sends the browser back to the client. */
  authorize(url: string): Promise<string>;
  close(): Promise<void>;
}

export async function startProvider(redirectUri: string): Promise<LocalProvider> {
  const clientId = 'maillage-test';
  const clientSecret = 'secret-de-test-pour-le-client-maillage';
  let handler: (req: IncomingMessage, res: ServerResponse) => void = () => {};
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const state: { identity: ProConnectIdentity } = {
    identity: {
      sub: 'pc-sub-1',
      email: 'agent@example.fr',
      given_name: 'Camille',
      usual_name: 'Martin',
      siret: '21020691900016',
      uid: 'u1',
    },
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    scopes: ['openid', 'email', 'given_name', 'usual_name', 'siret', 'uid'],
    claims: {
      email: ['email'],
      given_name: ['given_name'],
      usual_name: ['usual_name'],
      siret: ['siret'],
      uid: ['uid'],
    },
    acrValues: ['eidas1'],
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({ ...state.identity, sub }),
    }),
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['cle-de-test-des-cookies'] },
  });
  const callback = provider.callback();
  handler = async (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      const details = await provider.interactionDetails(req, res);
      const accountId = state.identity.sub;
      const grant = new provider.Grant({ accountId, clientId });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    callback(req, res);
  };

  const jar = new Map<string, string>();
  return {
    issuer,
    clientId,
    clientSecret,
    get identity() {
      return state.identity;
    },
    set identity(v) {
      state.identity = v;
    },
    async authorize(start) {
      jar.clear();
      let url = start;
      for (let i = 0; i < 10; i++) {
        if (url.startsWith(redirectUri)) return url;
        const res = await fetch(url, {
          redirect: 'manual',
          headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
        });
        for (const c of res.headers.getSetCookie()) {
          const [pair] = c.split(';');
          const [k, ...v] = (pair ?? '').split('=');
          if (k) jar.set(k.trim(), v.join('='));
        }
        const location = res.headers.get('location');
        if (!location)
          throw new Error(`provider answered ${res.status} without redirect: ${await res.text()}`);
        url = new URL(location, url).href;
      }
      throw new Error('too many redirects');
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
