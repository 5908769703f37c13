import { html, type SafeHtml } from '../../html.js';
import { page } from '../layout.js';
import { alert, errorFor, type FormError, field, submit, topError } from './forms.js';

/** Sign-in, password reset, invitation, first-run pages. */

const shell = (title: string, body: SafeHtml) =>
  page({
    title,
    nav: 'espace',
    breadcrumb: [
      { label: 'Accueil', href: '/' },
      { label: 'Espace France Services', href: '/espace' },
      { label: title },
    ],
    body: html`<div class="fr-grid-row fr-grid-row--center"><div class="fr-col-12 fr-col-md-8 fr-col-lg-6">${body}</div></div>`,
  });

export function loginPage(o: {
  csrf: SafeHtml;
  email?: string;
  error?: string | null;
  notice?: string | null;
  returnTo: string;
  proconnect: boolean;
}): string {
  return shell(
    'Connexion',
    html`<h1>Connexion à l’espace France Services</h1>
<p>Réservé aux agents et responsables des structures France Services, aux préfectures, à l’équipe nationale et aux auditeurs.</p>
${o.notice ? alert('info', o.notice) : null}
${o.error ? alert('error', o.error) : null}
${
  o.proconnect
    ? html`<div class="fr-connect-group">
  <form method="post" action="/espace/proconnect">${o.csrf}
    <button class="fr-connect" type="submit"><span class="fr-connect__login">S’identifier avec</span> <span class="fr-connect__brand">ProConnect</span></button>
  </form>
  <p><a href="https://www.proconnect.gouv.fr/" target="_blank" rel="noopener" title="Qu’est-ce que ProConnect ? - nouvelle fenêtre">Qu’est-ce que ProConnect ?</a></p>
</div>
<p class="fr-hr-or">ou</p>`
    : null
}
<form method="post" action="/espace/connexion" novalidate>
  ${o.csrf}
  <input type="hidden" name="retour" value="${o.returnTo}">
  <fieldset class="fr-fieldset" aria-labelledby="login-legend">
    <legend class="fr-fieldset__legend" id="login-legend">Se connecter avec son adresse électronique</legend>
    <div class="fr-fieldset__element">${field({ name: 'email', label: 'Adresse électronique', hint: 'Format attendu : prenom.nom@exemple.fr', type: 'email', autocomplete: 'username', value: o.email ?? '', required: true })}</div>
    <div class="fr-fieldset__element">${field({ name: 'password', label: 'Mot de passe', type: 'password', autocomplete: 'current-password', required: true })}</div>
    <div class="fr-fieldset__element"><p><a class="fr-link" href="/espace/mot-de-passe-oublie">Mot de passe oublié ?</a></p></div>
  </fieldset>
  ${submit('Se connecter')}
</form>`,
  );
}

export function forgotPage(o: {
  csrf: SafeHtml;
  sent?: boolean;
  email?: string;
  throttled?: string | null;
}): string {
  return shell(
    'Mot de passe oublié',
    html`<h1>Mot de passe oublié</h1>
${o.throttled ? alert('error', o.throttled) : null}
${
  o.sent
    ? alert(
        'success',
        'Si un compte existe pour cette adresse, un courriel vient de lui être envoyé avec un lien pour choisir un nouveau mot de passe. Le lien est valable une heure.',
      )
    : null
}
<form method="post" action="/espace/mot-de-passe-oublie" novalidate>
  ${o.csrf}
  ${field({ name: 'email', label: 'Adresse électronique de votre compte', hint: 'Format attendu : prenom.nom@exemple.fr', type: 'email', autocomplete: 'username', value: o.email ?? '', required: true })}
  ${submit('Recevoir un lien de réinitialisation')}
</form>
<p class="fr-mt-3w"><a class="fr-link" href="/espace/connexion">Revenir à la connexion</a></p>`,
  );
}

const passwordFields = (e: FormError | null | undefined) => html`
  ${field({ name: 'password', label: 'Nouveau mot de passe', hint: 'Au moins 12 caractères. Une phrase de plusieurs mots est un bon choix.', type: 'password', autocomplete: 'new-password', error: errorFor(e, 'password'), required: true })}
  ${field({ name: 'confirmation', label: 'Confirmez le mot de passe', type: 'password', autocomplete: 'new-password', error: errorFor(e, 'confirmation'), required: true })}`;

export function resetPage(o: { csrf: SafeHtml; token: string; error?: FormError | null }): string {
  return shell(
    'Nouveau mot de passe',
    html`<h1>Choisir un nouveau mot de passe</h1>
${topError(o.error, ['password', 'confirmation'])}
<form method="post" action="/espace/reinitialiser" novalidate>
  ${o.csrf}<input type="hidden" name="jeton" value="${o.token}">
  ${passwordFields(o.error)}
  ${submit('Enregistrer le mot de passe')}
</form>`,
  );
}

export function invitationPage(o: {
  csrf: SafeHtml;
  token: string;
  email: string;
  error?: FormError | null;
  name?: string;
}): string {
  return shell(
    'Activer votre compte',
    html`<h1>Activer votre compte</h1>
<p>Compte : <strong>${o.email}</strong></p>
${topError(o.error, ['password', 'confirmation', 'displayName'])}
<form method="post" action="/espace/invitation" novalidate>
  ${o.csrf}<input type="hidden" name="jeton" value="${o.token}">
  ${field({ name: 'displayName', label: 'Prénom et nom', autocomplete: 'name', value: o.name ?? '', maxlength: 120, error: errorFor(o.error, 'displayName') })}
  ${passwordFields(o.error)}
  ${submit('Activer mon compte')}
</form>`,
  );
}

export function setupPage(o: {
  csrf: SafeHtml;
  token: string;
  error?: FormError | null;
  email?: string;
  name?: string;
}): string {
  return shell(
    'Installation',
    html`<h1>Créer le premier administrateur national</h1>
<p>Ce lien à usage unique crée le compte de l’équipe nationale qui invitera ensuite les préfectures et les structures.</p>
${topError(o.error, ['password', 'confirmation', 'email', 'displayName'])}
<form method="post" action="/espace/installation" novalidate>
  ${o.csrf}<input type="hidden" name="jeton" value="${o.token}">
  ${field({ name: 'email', label: 'Adresse électronique', type: 'email', autocomplete: 'username', value: o.email ?? '', error: errorFor(o.error, 'email'), required: true })}
  ${field({ name: 'displayName', label: 'Prénom et nom', autocomplete: 'name', value: o.name ?? '', maxlength: 120 })}
  ${passwordFields(o.error)}
  ${submit('Créer le compte administrateur')}
</form>`,
  );
}

/** Expired, reused or unknown link: say so plainly, and offer the way to get a new one. */
export function tokenProblemPage(o: {
  message: string;
  purpose: 'reset' | 'invitation' | 'setup' | 'oidc';
}): string {
  const next =
    o.purpose === 'reset'
      ? html`<p><a class="fr-btn" href="/espace/mot-de-passe-oublie">Demander un nouveau lien</a></p>`
      : o.purpose === 'invitation'
        ? html`<p>Demandez une nouvelle invitation à la personne qui vous a invité (votre responsable de structure ou votre préfecture). Si votre compte est déjà activé, <a href="/espace/mot-de-passe-oublie">demandez un nouveau mot de passe</a> ou <a href="/espace/connexion">connectez-vous</a>.</p>`
        : o.purpose === 'setup'
          ? html`<p>Redémarrez le serveur pour afficher un nouveau lien d’installation dans la console, ou lancez <code>npx maillage users create-admin &lt;adresse&gt;</code>.</p>`
          : html`<p><a class="fr-btn" href="/espace/connexion">Revenir à la connexion</a></p>`;
  return shell(
    'Lien invalide',
    html`<h1>Ce lien ne peut plus servir</h1>${alert('warning', o.message)}${next}`,
  );
}
