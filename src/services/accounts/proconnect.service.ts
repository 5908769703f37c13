import * as oidc from 'openid-client';
import type { AppContext } from '../../composition.js';
import * as accounts from '../../db/repositories/accounts.repository.js';
import { appendAudit } from '../../db/repositories/audit.repository.js';
import { DomainError } from '../../domain/shared/errors.js';
import { issueToken, openSession, useToken } from './auth.service.js';

/**
 * ProConnect, the State's OpenID Connect for public agents (authorization code + PKCE, state, nonce).
 * A ProConnect identity signs in to the account invited with the same e-mail; the `sub` is then
 * linked, so a later change of e-mail at the identity provider still finds the account.
 */
export const PROCONNECT_SCOPES = 'openid email given_name usual_name siret uid';

const configs = new Map<string, Promise<oidc.Configuration>>();

function configurationFor(ctx: AppContext): Promise<oidc.Configuration> {
  const pc = ctx.config.proconnect;
  if (!pc)
    throw new DomainError('unavailable', 'La connexion avec ProConnect n’est pas configurée sur ce serveur.');
  const key = `${pc.issuer}|${pc.clientId}`;
  let c = configs.get(key);
  if (!c) {
    const insecure = pc.issuer.startsWith('http:');
    c = oidc
      .discovery(
        new URL(pc.issuer),
        pc.clientId,
        { client_secret: pc.clientSecret, id_token_signed_response_alg: 'RS256' },
        undefined,
        insecure ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((error) => {
        configs.delete(key);
        ctx.logger.error({ err: error }, 'ProConnect : découverte impossible');
        throw new DomainError(
          'unavailable',
          'ProConnect ne répond pas. Réessayez dans un instant, ou connectez-vous avec votre mot de passe.',
        );
      });
    configs.set(key, c);
  }
  return c;
}

export const redirectUri = (ctx: AppContext) => `${ctx.config.publicUrl}/espace/proconnect/retour`;

/** Starts a sign-in: the browser gets `cookie` (binding the flow to it) and goes to `url`. */
export async function startProconnect(ctx: AppContext): Promise<{ url: string; cookie: string }> {
  const config = await configurationFor(ctx);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const cookie = await issueToken(ctx, 'oidc', null, { verifier, state, nonce });
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri(ctx),
    scope: PROCONNECT_SCOPES,
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    acr_values: 'eidas1',
  });
  return { url: url.href, cookie };
}

/** The return from ProConnect: a session token, or a French error naming what to do. */
export async function finishProconnect(
  ctx: AppContext,
  input: { cookie: string | undefined; currentUrl: URL; ip: string },
): Promise<string> {
  const config = await configurationFor(ctx);
  const flow = await useToken(ctx, input.cookie, 'oidc');
  const { verifier, state, nonce } = flow.payload as { verifier: string; state: string; nonce: string };
  let email: string;
  let sub: string;
  let name: string;
  try {
    const tokens = await oidc.authorizationCodeGrant(config, input.currentUrl, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('no id_token claims');
    sub = claims.sub;
    const info = await oidc.fetchUserInfo(config, tokens.access_token, sub);
    email = String(info.email ?? '')
      .trim()
      .toLowerCase();
    name = [info.given_name, info.usual_name]
      .filter((v) => typeof v === 'string')
      .join(' ')
      .slice(0, 120);
  } catch (error) {
    ctx.logger.warn({ err: error }, 'ProConnect : retour refusé');
    throw new DomainError(
      'unauthenticated',
      'La connexion avec ProConnect n’a pas abouti. Recommencez depuis la page de connexion.',
    );
  }
  const user =
    (await accounts.findUserByProconnectSub(ctx.db, sub)) ??
    (email ? await accounts.findUserByEmail(ctx.db, email) : undefined);
  if (!user?.active) {
    ctx.logger.warn({ email }, 'ProConnect : aucun compte invité pour cette adresse');
    throw new DomainError(
      'forbidden',
      `Aucun compte de l’espace France Services n’est ouvert pour ${email || 'cette identité'}. Demandez une invitation à votre responsable ou à votre préfecture.`,
    );
  }
  if (user.proconnect_sub !== sub) {
    await accounts.updateUser(ctx.db, user.id, {
      proconnect_sub: sub,
      ...(user.display_name ? {} : { display_name: name }),
    });
    await appendAudit(ctx.db, {
      at: ctx.clock.now(),
      actorId: user.id,
      actorLabel: 'ProConnect',
      entity: 'user',
      entityId: user.id,
      action: 'user.link_proconnect',
      ip: input.ip,
    });
  }
  return openSession(ctx, user.id, input.ip);
}
