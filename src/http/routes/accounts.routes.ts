import { type FastifyPluginAsyncTypebox, type Static, Type } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { AppContext } from '../../composition.js';
import type { TokenPurpose } from '../../db/schema/accounts.js';
import { resetThrottleMessage } from '../../domain/accounts/lockout.js';
import { DomainError } from '../../domain/shared/errors.js';
import { METROPOLITAN_ZONE, wallClock } from '../../domain/shared/time-zone.js';
import {
  acceptInvitation,
  checkToken,
  closeSession,
  completeSetup,
  invitedAccount,
  login,
  requestPasswordReset,
  resetPassword,
  setupLinkIfNeeded,
  TokenError,
} from '../../services/accounts/auth.service.js';
import { settleDeliveries } from '../../services/accounts/mail.service.js';
import { finishProconnect, startProconnect } from '../../services/accounts/proconnect.service.js';
import { html } from '../../web/html.js';
import {
  forgotPage,
  invitationPage,
  loginPage,
  resetPage,
  setupPage,
  tokenProblemPage,
} from '../../web/views/accounts/auth.views.js';
import type { FormError } from '../../web/views/accounts/forms.js';
import { messagePage } from '../../web/views/layout.js';
import { optionalText } from '../forms/fields.js';
import { redactUrl } from '../plugins/log-redaction.js';
import {
  clearSessionCookie,
  csrfField,
  SESSION_COOKIE,
  safeReturn,
  setSessionCookie,
} from '../plugins/session.js';
import { badForm, htmlReply } from '../reply.js';

const OIDC_COOKIE = 'maillage_oidc';
const Token = Type.Object({ jeton: optionalText(200) });
const PasswordBody = Type.Object({
  jeton: optionalText(200),
  password: optionalText(1000),
  confirmation: optionalText(1000),
  displayName: optionalText(1000),
  email: optionalText(1000),
});

const asFormError = (error: unknown): FormError => {
  if (error instanceof DomainError) return { field: error.field ?? null, message: error.message };
  throw error;
};

const tokenStatus = (reason: 'unknown' | 'expired' | 'used') => (reason === 'unknown' ? 404 : 410);

/** Sign-in, sign-out, password reset, invitation, first run and ProConnect, under /espace. */
export const accountsRoutes =
  (ctx: AppContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const proconnect = ctx.config.proconnect !== null;

    // Mails still being sent after their answer (reset requests) finish before the server stops.
    app.addHook('onClose', async () => settleDeliveries());

    // First run: no administrator yet → a one-time setup link in the console.
    app.addHook('onListen', async () => {
      const link = await setupLinkIfNeeded(ctx);
      if (!link) return;
      // The link itself goes to the console only, never to the log (finding 11).
      ctx.logger.warn(
        { link: redactUrl(link) },
        'aucun administrateur : lien d’installation à usage unique affiché sur la console',
      );
      if (ctx.config.nodeEnv !== 'test')
        process.stdout.write(
          `\nAucun administrateur n’existe encore. Créez le premier administrateur national ici (lien valable 24 h, à usage unique) :\n  ${link}\n\n`,
        );
    });

    const tokenProblem = (reply: FastifyReply, e: TokenError) =>
      htmlReply(reply, tokenStatus(e.reason), tokenProblemPage({ message: e.message, purpose: e.purpose }));

    app.get(
      '/espace/connexion',
      {
        schema: {
          hide: true,
          querystring: Type.Object({ retour: optionalText(500), deconnecte: optionalText(5) }),
        },
        attachValidation: true,
      },
      async (request, reply) => {
        if (request.user) return reply.redirect(safeReturn(request.query.retour), 303);
        return htmlReply(
          reply,
          200,
          loginPage({
            csrf: csrfField(ctx, request, reply),
            returnTo: safeReturn(request.query?.retour),
            proconnect,
            notice: request.query?.deconnecte ? 'Vous êtes déconnecté.' : null,
          }),
        );
      },
    );

    app.post(
      '/espace/connexion',
      {
        schema: {
          hide: true,
          body: Type.Object({
            email: optionalText(1000),
            password: optionalText(1000),
            retour: optionalText(1000),
          }),
        },
        attachValidation: true,
      },
      async (request, reply) => {
        if (badForm(request, reply)) return;
        const result = await login(ctx, {
          email: request.body.email,
          password: request.body.password,
          ip: request.ip,
        });
        if (!result.ok) {
          // Same page, same words for a wrong password and an unknown e-mail.
          return htmlReply(
            reply,
            result.locked ? 429 : 401,
            loginPage({
              csrf: csrfField(ctx, request, reply),
              email: typeof request.body.email === 'string' ? request.body.email.slice(0, 254) : '',
              error: result.message,
              returnTo: safeReturn(request.body.retour),
              proconnect,
            }),
          );
        }
        // Rotation: any session the browser had is closed; the new one gets a new id.
        const previous = request.cookies[SESSION_COOKIE];
        if (previous) await closeSession(ctx, previous);
        setSessionCookie(ctx, reply, result.sessionToken);
        return reply.redirect(safeReturn(request.body.retour), 303);
      },
    );

    app.post('/espace/deconnexion', { schema: { hide: true } }, async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await closeSession(ctx, token);
      clearSessionCookie(ctx, reply);
      return reply.redirect('/espace/connexion?deconnecte=1', 303);
    });

    app.get('/espace/mot-de-passe-oublie', { schema: { hide: true } }, async (request, reply) =>
      htmlReply(reply, 200, forgotPage({ csrf: csrfField(ctx, request, reply) })),
    );

    app.post(
      '/espace/mot-de-passe-oublie',
      { schema: { hide: true, body: Type.Object({ email: optionalText(1000) }) }, attachValidation: true },
      async (request, reply) => {
        if (badForm(request, reply)) return;
        const r = await requestPasswordReset(ctx, request.body.email, request.ip);
        if (r.throttledUntil)
          return htmlReply(
            reply,
            429,
            forgotPage({
              csrf: csrfField(ctx, request, reply),
              throttled: resetThrottleMessage(
                `${wallClock(r.throttledUntil, METROPOLITAN_ZONE).toFormat('HH:mm')} (heure de Paris)`,
              ),
            }),
          );
        return htmlReply(reply, 200, forgotPage({ csrf: csrfField(ctx, request, reply), sent: true }));
      },
    );

    /**
     * The three pages reached from a one-time link (reset, invitation, first administrator): each shows
     * its form if the link is valid, and on POST uses the link once, opens a session and goes on.
     * One definition each; the routes are the same.
     */
    type TokenForm = Static<typeof PasswordBody>;
    interface TokenPage {
      readonly path: string;
      readonly purpose: TokenPurpose;
      /** Who the link is for, as the page shows it (the invitation names the account); null: invalid link. */
      readonly subject: (token: unknown) => Promise<{ email: string | null; name: string | null } | null>;
      readonly render: (o: {
        csrf: ReturnType<typeof csrfField>;
        token: string;
        subject: { email: string | null; name: string | null };
        form?: TokenForm;
        error?: FormError;
      }) => string;
      readonly use: (form: TokenForm, ip: string) => Promise<string>;
      readonly done: string;
    }
    const validLink = async (token: unknown, purpose: TokenPurpose) =>
      (await checkToken(ctx, token, purpose)).ok ? { email: null, name: null } : null;
    const TOKEN_PAGES: readonly TokenPage[] = [
      {
        path: '/espace/reinitialiser',
        purpose: 'reset',
        subject: (token) => validLink(token, 'reset'),
        render: (o) => resetPage({ csrf: o.csrf, token: o.token, error: o.error }),
        use: (b, ip) =>
          resetPassword(ctx, { token: b.jeton, password: b.password, confirmation: b.confirmation, ip }),
        done: '/espace?message=mot-de-passe',
      },
      {
        path: '/espace/invitation',
        purpose: 'invitation',
        subject: async (token) => {
          const invited = await invitedAccount(ctx, token);
          return invited ? { email: invited.email, name: invited.displayName } : null;
        },
        render: (o) =>
          invitationPage({
            csrf: o.csrf,
            token: o.token,
            email: o.subject.email ?? '',
            name: o.form ? o.form.displayName : (o.subject.name ?? undefined),
            error: o.error,
          }),
        use: (b, ip) =>
          acceptInvitation(ctx, {
            token: b.jeton,
            displayName: b.displayName,
            password: b.password,
            confirmation: b.confirmation,
            ip,
          }),
        done: '/espace?message=bienvenue',
      },
      {
        path: '/espace/installation',
        purpose: 'setup',
        subject: (token) => validLink(token, 'setup'),
        render: (o) =>
          setupPage({
            csrf: o.csrf,
            token: o.token,
            email: o.form?.email,
            name: o.form?.displayName,
            error: o.error,
          }),
        use: (b, ip) =>
          completeSetup(ctx, {
            token: b.jeton,
            email: b.email,
            displayName: b.displayName,
            password: b.password,
            confirmation: b.confirmation,
            ip,
          }),
        done: '/espace?message=bienvenue',
      },
    ];

    for (const spec of TOKEN_PAGES) {
      app.get(
        spec.path,
        { schema: { hide: true, querystring: Token }, attachValidation: true },
        async (request, reply) => {
          const subject = await spec.subject(request.query.jeton);
          if (!subject) {
            const check = await checkToken(ctx, request.query.jeton, spec.purpose);
            return tokenProblem(reply, new TokenError(check.ok ? 'unknown' : check.reason, spec.purpose));
          }
          const token = request.query.jeton ?? '';
          return htmlReply(reply, 200, spec.render({ csrf: csrfField(ctx, request, reply), token, subject }));
        },
      );

      app.post(
        spec.path,
        { schema: { hide: true, body: PasswordBody }, attachValidation: true },
        async (request, reply) => {
          if (badForm(request, reply)) return;
          const form = request.body;
          try {
            setSessionCookie(ctx, reply, await spec.use(form, request.ip));
            return reply.redirect(spec.done, 303);
          } catch (error) {
            if (error instanceof TokenError) return tokenProblem(reply, error);
            const formError = asFormError(error);
            const subject = (await spec.subject(form.jeton)) ?? { email: null, name: null };
            return htmlReply(
              reply,
              400,
              spec.render({
                csrf: csrfField(ctx, request, reply),
                token: form.jeton ?? '',
                subject,
                form,
                error: formError,
              }),
            );
          }
        },
      );
    }

    app.post('/espace/proconnect', { schema: { hide: true } }, async (_request, reply) => {
      const { url, cookie } = await startProconnect(ctx);
      reply.setCookie(OIDC_COOKIE, cookie, {
        path: '/espace/proconnect',
        httpOnly: true,
        sameSite: 'lax',
        secure: ctx.config.publicUrl.startsWith('https:'),
        maxAge: 600,
      });
      return reply.redirect(url, 303);
    });

    app.get('/espace/proconnect/retour', { schema: { hide: true } }, async (request, reply) => {
      const currentUrl = new URL(request.url, ctx.config.publicUrl);
      reply.clearCookie(OIDC_COOKIE, { path: '/espace/proconnect' });
      try {
        const session = await finishProconnect(ctx, {
          cookie: request.cookies[OIDC_COOKIE],
          currentUrl,
          ip: request.ip,
        });
        const previous = request.cookies[SESSION_COOKIE];
        if (previous) await closeSession(ctx, previous);
        setSessionCookie(ctx, reply, session);
        return reply.redirect('/espace', 303);
      } catch (error) {
        if (error instanceof TokenError) return tokenProblem(reply, new TokenError(error.reason, 'oidc'));
        if (error instanceof DomainError)
          return htmlReply(
            reply,
            error.code === 'forbidden' ? 403 : 400,
            messagePage(
              'Connexion impossible',
              error.message,
              html`<p><a class="fr-btn" href="/espace/connexion">Revenir à la connexion</a></p>`,
            ),
          );
        throw error;
      }
    });
  };
