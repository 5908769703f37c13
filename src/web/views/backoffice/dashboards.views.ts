import { mayEver } from '../../../domain/accounts/policy.js';
import { invitableRoles, ROLE_LABELS, type Role } from '../../../domain/accounts/roles.js';
import {
  OPERATING_STATUSES,
  type OperatingStatus,
  STATUS_LABELS,
  type StatusCounts,
} from '../../../domain/directory/structure.js';
import type { SessionUser } from '../../../services/accounts/auth.service.js';
import { html, type SafeHtml } from '../../html.js';
import { alert, type FormError, field, submit, topError } from '../accounts/forms.js';
import { backOfficePage, frDateTime, frDay } from './chrome.js';

/** The daily tools of one of the user's structures, each shown only if the policy allows it. */
function structureTools(u: SessionUser['principal'], structureId: string): SafeHtml | null {
  const links = [
    mayEver(u, 'accompagnement.record')
      ? html`<a class="fr-link fr-link--sm" href="/espace/accompagnements?structure=${structureId}">Enregistrer un accompagnement</a>`
      : null,
    mayEver(u, 'rappel.handle')
      ? html`<a class="fr-link fr-link--sm" href="/espace/rappels?structure=${structureId}">Demandes de rappel</a>`
      : null,
    mayEver(u, 'accompagnement.read')
      ? html`<a class="fr-link fr-link--sm" href="/espace/accompagnements/structure?structure=${structureId}">Tous les accompagnements</a>`
      : null,
  ].filter((l) => l !== null);
  return links.length ? html`<br>${links.map((l, i) => html`${i ? ' · ' : ''}${l}`)}` : null;
}

export function homePage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  message?: string | null;
  structures: readonly {
    id: string;
    id_fs: string;
    name: string;
    commune_name: string;
    status: OperatingStatus;
  }[];
}): string {
  const u = o.user.principal;
  const tools = [
    u.role === 'animateur_departemental' && u.departement
      ? html`<li><a class="fr-link" href="/espace/departements/${u.departement}">Les structures de mon département (${u.departement})</a></li>`
      : null,
    mayEver(u, 'national.dashboard')
      ? html`<li><a class="fr-link" href="/espace/national">Vue nationale des statuts</a></li>`
      : null,
    mayEver(u, 'department.dashboard') && u.role !== 'animateur_departemental'
      ? html`<li><form method="get" action="/espace/departements" class="fr-grid-row fr-grid-row--bottom">
          <div class="fr-col-auto">${field({ name: 'code', label: 'Vue d’un département (code)', hint: 'Exemple : 02, 2A, 971', maxlength: 3 })}</div>
          <div class="fr-col-auto fr-ml-1w fr-mb-3w"><button class="fr-btn fr-btn--secondary" type="submit">Afficher</button></div></form></li>`
      : null,
    invitableRoles(u.role).some((r) => r !== 'agent' && r !== 'responsable')
      ? html`<li><a class="fr-link" href="/espace/inviter">Inviter une personne</a></li>`
      : null,
    mayEver(u, 'application.file') ||
    mayEver(u, 'application.review') ||
    mayEver(u, 'audit.fill') ||
    mayEver(u, 'application.label')
      ? html`<li><a class="fr-link" href="/espace/labellisation">Labellisation : campagnes, candidatures et audits</a></li>`
      : null,
    mayEver(u, 'department.dashboard') || mayEver(u, 'national.dashboard')
      ? html`<li><a class="fr-link" href="/territoires">Couverture territoriale et planification</a></li>`
      : null,
    mayEver(u, 'directory.import')
      ? html`<li><a class="fr-link" href="/espace/import">Importer la liste officielle des France Services (CSV)</a></li>`
      : null,
    u.role === 'agent' || u.role === 'responsable'
      ? html`<li><a class="fr-link" href="/espace/rattachements">Invitations à rejoindre une structure</a></li>`
      : null,
    mayEver(u, 'accompagnement.catalogue')
      ? html`<li><a class="fr-link" href="/espace/accompagnements/demarches">Catalogue des démarches (accompagnements)</a></li>`
      : null,
    mayEver(u, 'outbox.read')
      ? html`<li><a class="fr-link" href="/espace/courriels">Courriels en attente (boîte d’envoi)</a></li>`
      : null,
    // Escalation to partner référents (issue 13)
    mayEver(u, 'dossier.read')
      ? html`<li><a class="fr-link" href="/espace/escalade">Dossiers transmis aux partenaires (escalade)</a></li>`
      : null,
    mayEver(u, 'dossier.counts')
      ? html`<li><a class="fr-link" href="/espace/escalade/suivi${u.role === 'animateur_departemental' && u.departement ? `?departement=${u.departement}` : ''}">Escalade : dossiers en cours et départements sans référent</a></li>`
      : null,
    mayEver(u, 'dossier.figures')
      ? html`<li><a class="fr-link" href="/espace/escalade/chiffres">Escalade : délais de réponse des partenaires</a></li>`
      : null,
    mayEver(u, 'referents.read')
      ? html`<li><a class="fr-link" href="/espace/escalade/referents">Référents des partenaires</a></li>`
      : null,
    mayEver(u, 'pilotage.dashboard')
      ? html`<li><a class="fr-link" href="/espace/pilotage">Tableau de bord de pilotage : activité, part à distance, indicateurs de crise</a></li>`
      : null,
    mayEver(u, 'pilotage.survey') && u.structureIds.length > 0
      ? html`<li><a class="fr-link" href="/espace/pilotage/enquete">Remettre une enquête de satisfaction (QR code) après un accompagnement</a></li>`
      : null,
    mayEver(u, 'rendezvous.agenda')
      ? html`<li><a class="fr-link" href="/espace/rendez-vous">Rendez-vous : agenda, prise de rendez-vous, motifs et plages</a></li>`
      : null,
    mayEver(u, 'rendezvous.stats')
      ? html`<li><a class="fr-link" href="/espace/rendez-vous/statistiques">Rendez-vous non honorés : taux par structure et par motif</a></li>`
      : null,
  ].filter(Boolean);
  return backOfficePage({
    title: 'Mon espace',
    user: o.user,
    csrf: o.csrf,
    body: html`<h1>Mon espace France Services</h1>
${o.message ? alert('success', o.message) : null}
${
  o.structures.length
    ? html`<h2>Mes structures</h2><ul>${o.structures.map(
        (s) =>
          html`<li><a href="/espace/structures/${s.id}">${s.name}</a> — ${s.commune_name} · <span class="fr-badge fr-badge--sm${s.status === 'ouverte' ? ' fr-badge--success' : s.status === 'accueil_a_distance' ? ' fr-badge--info' : ' fr-badge--warning'}">${STATUS_LABELS[s.status]}</span>${structureTools(u, s.id)}</li>`,
      )}</ul>`
    : u.role === 'agent' || u.role === 'responsable'
      ? html`<p>Aucune structure n’est rattachée à votre compte. Demandez à votre responsable ou à votre préfecture de vous y rattacher.</p>`
      : null
}
${tools.length ? html`<h2>Outils</h2><ul class="fr-links-group">${tools}</ul>` : null}`,
  });
}

export interface DepartmentRow {
  id: string;
  id_fs: string;
  name: string;
  commune_name: string;
  status: OperatingStatus;
  status_until: string | null;
  updated_at: Date;
  last_actor: string | null;
  last_reviewed_at: Date | null;
  stale: boolean;
}

export function departmentPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  departement: string;
  rows: readonly DepartmentRow[];
  staleSince: string;
}): string {
  const stale = o.rows.filter((r) => r.stale).length;
  return backOfficePage({
    title: `Département ${o.departement}`,
    user: o.user,
    csrf: o.csrf,
    body: html`<h1>Structures du département ${o.departement}</h1>
<p><a class="fr-link" href="/espace/pilotage?territoire=dep:${o.departement}">Tableau de bord de pilotage du département</a></p>
<p>${o.rows.length} structure(s). <strong>${stale}</strong> n’ont pas été mises à jour depuis plus de 6 mois (avant le ${frDay(o.staleSince)}) : relancez-les.</p>
<p><a class="fr-link" href="/espace/escalade/suivi?departement=${o.departement}">Escalade : dossiers en cours et partenaires sans référent dans le département</a></p>
<div class="fr-table"><table>
  <caption>Structures, état et dernière mise à jour</caption>
  <thead><tr><th scope="col">Structure</th><th scope="col">Commune</th><th scope="col">Statut</th><th scope="col">Dernière mise à jour</th><th scope="col">Par</th><th scope="col">À relancer</th></tr></thead>
  <tbody>${o.rows.map(
    (r) => html`<tr${r.stale ? html` class="maillage-stale"` : null}>
      <td><a href="/espace/structures/${r.id}">${r.name}</a></td><td>${r.commune_name}</td>
      <td>${STATUS_LABELS[r.status]}${r.status_until ? html` (jusqu’au ${frDay(r.status_until)})` : null}</td>
      <td>${frDateTime(r.last_reviewed_at ?? r.updated_at)}</td><td>${r.last_actor ?? 'import des données officielles'}</td>
      <td>${r.stale ? html`<span class="fr-badge fr-badge--warning fr-badge--sm">Données de plus de 6 mois</span>` : 'Non'}</td></tr>`,
  )}</tbody></table></div>`,
  });
}

const pct = (n: number, d: number) => (d === 0 ? '—' : `${Math.round((100 * n) / d)} %`);

export function nationalPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  date: string;
  counts: StatusCounts;
  error?: string | null;
}): string {
  const c = o.counts;
  const receiving = c.byStatus.ouverte + c.byStatus.accueil_a_distance;
  const notClosedForGood = c.total - c.byStatus.fermee_definitivement;
  return backOfficePage({
    title: 'Vue nationale',
    user: o.user,
    csrf: o.csrf,
    body: html`<h1>Vue nationale des statuts</h1>
<p><a class="fr-link" href="/espace/pilotage?territoire=FR">Tableau de bord national de pilotage (activité, indicateurs de crise)</a></p>
${o.error ? alert('error', o.error) : null}
${c.total === 0 ? alert('info', 'Aucune structure n’était enregistrée dans Maillage à cette date : l’historique des statuts commence à l’import de l’annuaire.') : null}
<p><a class="fr-link" href="/espace/escalade/suivi">Escalade : dossiers en cours et départements sans référent</a></p>
<form method="get" action="/espace/national" class="fr-grid-row fr-grid-row--bottom">
  <div class="fr-col-auto">${field({ name: 'date', label: 'À la date du', type: 'date', value: o.date })}</div>
  <div class="fr-col-auto fr-ml-1w fr-mb-3w"><button class="fr-btn fr-btn--secondary" type="submit">Afficher</button></div>
</form>
<p class="fr-text--lead">Le ${frDay(o.date)} : <strong>${c.byStatus.ouverte}</strong> ouvertes, <strong>${c.byStatus.accueil_a_distance}</strong> en accueil à distance uniquement, <strong>${c.byStatus.fermee_temporairement + c.byStatus.fermee_definitivement}</strong> fermées.</p>
<p><strong>${pct(receiving, notClosedForGood)}</strong> des structures reçoivent encore le public (sur place ou à distance) ; parmi elles, <strong>${pct(c.byStatus.accueil_a_distance, receiving)}</strong> le reçoivent par téléphone ou courriel uniquement (${c.remoteWithContact} joignables).</p>
<div class="fr-table"><table>
  <caption>Nombre de structures par statut le ${frDay(o.date)}</caption>
  <thead><tr><th scope="col">Statut</th><th scope="col">Structures</th><th scope="col">Part</th></tr></thead>
  <tbody>${OPERATING_STATUSES.map((s) => html`<tr><td>${STATUS_LABELS[s]}</td><td>${String(c.byStatus[s])}</td><td>${pct(c.byStatus[s], c.total)}</td></tr>`)}
  <tr><th scope="row">Total</th><td>${String(c.total)}</td><td>${c.total === 0 ? '—' : '100 %'}</td></tr></tbody></table></div>`,
  });
}

export function agentsPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  structure: { id: string; name: string };
  members: readonly {
    id: string;
    email: string;
    display_name: string;
    role: Role;
    active: boolean;
    last_login_at: Date | null;
  }[];
  error?: FormError | null;
  message?: string | null;
  email?: string;
}): string {
  const roles = invitableRoles(o.user.principal.role).filter((r) => r === 'agent' || r === 'responsable');
  return backOfficePage({
    title: `Agents — ${o.structure.name}`,
    user: o.user,
    csrf: o.csrf,
    crumbs: [{ label: o.structure.name, href: `/espace/structures/${o.structure.id}` }],
    body: html`<h1>Agents de ${o.structure.name}</h1>
${o.message ? alert('success', o.message) : null}
${topError(o.error, ['email'])}
<div class="fr-table"><table>
  <caption>Personnes rattachées à la structure</caption>
  <thead><tr><th scope="col">Personne</th><th scope="col">Rôle</th><th scope="col">Dernière connexion</th><th scope="col">Compte</th></tr></thead>
  <tbody>${o.members.map(
    (
      m,
    ) => html`<tr><td>${m.display_name || '—'} &lt;${m.email}&gt;</td><td>${ROLE_LABELS[m.role]}</td><td>${frDateTime(m.last_login_at)}</td>
      <td>${
        m.id === o.user.principal.id
          ? 'Vous'
          : html`<form method="post" action="/espace/structures/${o.structure.id}/agents/${m.id}/retirer">${o.csrf}
          <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit">Retirer de la structure<span class="fr-sr-only"> : ${m.email}</span></button></form>
          ${
            mayEver(o.user.principal, 'users.set_active')
              ? html`<form method="post" action="/espace/structures/${o.structure.id}/agents/${m.id}/${m.active ? 'desactiver' : 'reactiver'}">${o.csrf}
          <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit">${m.active ? 'Désactiver le compte' : 'Réactiver le compte'}<span class="fr-sr-only"> de ${m.email}</span></button></form>`
              : m.active
                ? null
                : html`<span class="fr-badge fr-badge--sm">Compte désactivé</span>`
          }`
      }</td></tr>`,
  )}</tbody></table></div>
<h2>Inviter une personne</h2>
<form method="post" action="/espace/structures/${o.structure.id}/agents" novalidate>
  ${o.csrf}
  ${field({ name: 'email', label: 'Adresse électronique', type: 'email', autocomplete: 'off', value: o.email ?? '', error: o.error?.field === 'email' ? o.error.message : null })}
  <div class="fr-select-group"><label class="fr-label" for="role">Rôle</label>
    <select class="fr-select" id="role" name="role">${roles.map((r) => html`<option value="${r}">${ROLE_LABELS[r]}</option>`)}</select></div>
  ${submit('Envoyer l’invitation')}
</form>`,
  });
}

export function invitePage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  error?: FormError | null;
  message?: string | null;
}): string {
  const roles = invitableRoles(o.user.principal.role).filter(
    (r) => r !== 'agent' && r !== 'responsable' && r !== 'referent_partenaire',
  );
  return backOfficePage({
    title: 'Inviter une personne',
    user: o.user,
    csrf: o.csrf,
    body: html`<h1>Inviter une personne</h1>
<p>Pour un agent ou un responsable, passez par la page « Agents » de sa structure ; pour le référent d’un partenaire, par la page <a href="/espace/escalade/referents">Référents des partenaires</a>.</p>
${o.message ? alert('success', o.message) : null}
${topError(o.error, [])}
<form method="post" action="/espace/inviter" novalidate>
  ${o.csrf}
  ${field({ name: 'email', label: 'Adresse électronique', type: 'email', autocomplete: 'off' })}
  <div class="fr-select-group"><label class="fr-label" for="role">Rôle</label>
    <select class="fr-select" id="role" name="role">${roles.map((r) => html`<option value="${r}">${ROLE_LABELS[r]}</option>`)}</select></div>
  ${field({ name: 'departement', label: 'Département (animateur départemental)', hint: 'Code, par exemple 02, 2A ou 971', maxlength: 3 })}
  ${submit('Envoyer l’invitation')}
</form>`,
  });
}

export function structureInvitationsPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  invitations: readonly {
    id: string;
    structure_name: string;
    invited_by_label: string;
    created_at: Date;
  }[];
  message?: string | null;
  error?: FormError | null;
}): string {
  return backOfficePage({
    title: 'Invitations à rejoindre une structure',
    user: o.user,
    csrf: o.csrf,
    body: html`<h1>Invitations à rejoindre une structure</h1>
${o.message ? alert('success', o.message) : null}
${topError(o.error, [])}
<p>Vous n’êtes rattaché à une structure qu’après avoir accepté son invitation. Refusez une invitation que vous n’attendiez pas.</p>
${
  o.invitations.length === 0
    ? html`<p>Aucune invitation en attente.</p>`
    : html`<ul>${o.invitations.map(
        (
          i,
        ) => html`<li class="fr-mb-2w"><strong>${i.structure_name}</strong>, invitation de ${i.invited_by_label} le ${frDateTime(i.created_at)}
  <ul class="fr-btns-group fr-btns-group--inline-sm fr-mt-1w">
    <li><form method="post" action="/espace/rattachements/${i.id}/accepter">${o.csrf}<button class="fr-btn fr-btn--sm" type="submit">Accepter<span class="fr-sr-only"> : ${i.structure_name}</span></button></form></li>
    <li><form method="post" action="/espace/rattachements/${i.id}/refuser">${o.csrf}<button class="fr-btn fr-btn--sm fr-btn--secondary" type="submit">Refuser<span class="fr-sr-only"> : ${i.structure_name}</span></button></form></li>
  </ul></li>`,
      )}</ul>`
}`,
  });
}

export function outboxPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  smtp: boolean;
  mails: readonly {
    id: number;
    recipient: string;
    subject: string;
    body: string;
    created_at: Date;
    error: string | null;
  }[];
}): string {
  return backOfficePage({
    title: 'Boîte d’envoi',
    user: o.user,
    csrf: o.csrf,
    body: html`<h1>Boîte d’envoi</h1>
<p>${o.smtp ? 'Un serveur SMTP est configuré : seuls les courriels qu’il a refusés apparaissent ici.' : 'Aucun serveur SMTP n’est configuré (MAILLAGE_SMTP_URL) : les courriels sont conservés ici. Les liens personnels (invitation, réinitialisation) en sont retirés : pour en remettre un à son destinataire, lancez sur le serveur « npx maillage users lien <adresse> ».'}</p>
${
  o.mails.length === 0
    ? html`<p>Aucun courriel.</p>`
    : o.mails.map(
        (m) => html`<section class="fr-mb-4w"><h2 class="fr-h5">${m.subject}</h2>
  <p class="fr-text--sm">À ${m.recipient} — ${frDateTime(m.created_at)}${m.error ? html` — <strong>${m.error}</strong>` : null}</p>
  <pre class="maillage-mail">${m.body}</pre></section>`,
      )
}`,
  });
}
