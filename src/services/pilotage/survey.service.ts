import type { Db } from '../../db/database.js';
import { findStructureById } from '../../db/repositories/directory.repository.js';
import * as repo from '../../db/repositories/pilotage.repository.js';
import { can } from '../../domain/accounts/policy.js';
import type { Principal } from '../../domain/accounts/roles.js';
import {
  parseSurveyAnswer,
  type SurveyAnswer,
  surveyExpiry,
  surveyScores,
} from '../../domain/pilotage/index.js';
import { conflict, DomainError, notFound } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/shared/time.js';
import { randomToken, sha256 } from '../accounts/tokens.js';
import type { ResolvedTerritory } from './pilotage.service.js';

const TOKEN = /^[A-Za-z0-9_-]{20,64}$/;

export type SurveyLinkState =
  | { readonly state: 'open'; readonly structureName: string }
  | { readonly state: 'expired' | 'answered' };

/** The satisfaction survey (issue 14): links handed by agents, anonymous answers, results per structure. */
export class SurveyService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly publicUrl: string,
  ) {}

  /** A new link for one person just helped: the short URL and its QR code (SVG, drawn here). */
  async createLink(principal: Principal, structureId: string) {
    const s = /^[0-9a-f-]{36}$/i.test(structureId) ? await findStructureById(this.db, structureId) : null;
    if (!s || !can(principal, 'pilotage.survey', { structureId: s.id, departement: s.departement }))
      throw notFound('Cette structure ne fait pas partie de votre périmètre.');
    const token = randomToken();
    const createdAt = this.clock.now();
    const expiresAt = surveyExpiry(createdAt);
    await repo.insertSurveyLink(this.db, {
      hash: sha256(token),
      structureId: s.id,
      departement: s.departement,
      createdAt,
      expiresAt,
    });
    const url = `${this.publicUrl.replace(/\/$/, '')}/avis/${token}`;
    const { default: QRCode } = await import('qrcode'); // on first use, not at start (issue 16, item 3)
    const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return { token, url, svg, expiresAt, structure: { id: s.id, name: s.name } };
  }

  async #link(token: string) {
    if (!TOKEN.test(token)) throw notFound('Ce lien d’enquête n’existe pas.');
    const link = await repo.findSurveyLink(this.db, sha256(token));
    if (!link) throw notFound('Ce lien d’enquête n’existe pas.');
    return link;
  }

  async open(token: string): Promise<SurveyLinkState> {
    const link = await this.#link(token);
    if (link.answered) return { state: 'answered' };
    if (link.expiresAt <= this.clock.now()) return { state: 'expired' };
    const s = await findStructureById(this.db, link.structureId);
    return { state: 'open', structureName: s?.name ?? 'France Services' };
  }

  /** Records the answer: validated first; refused when expired or already answered (one per link). */
  async answer(token: string, input: Record<string, unknown>): Promise<SurveyAnswer> {
    const link = await this.#link(token);
    if (link.expiresAt <= this.clock.now())
      throw new DomainError('not_found', 'Ce lien a expiré : il était valable 14 jours.', 'jeton');
    if (link.answered) throw conflict('Une réponse a déjà été donnée avec ce lien. Merci !', 'jeton');
    const answer = parseSurveyAnswer(input);
    const inserted = await repo.insertSurveyAnswer(this.db, {
      enqueteId: link.id,
      structureId: link.structureId,
      departement: link.departement,
      at: this.clock.now(),
      ...answer,
    });
    if (!inserted) throw conflict('Une réponse a déjà été donnée avec ce lien. Merci !', 'jeton');
    return answer;
  }

  /**
   * Results of a territory (already authorised) over local days: the whole territory and each
   * structure with its count; no score below 11 answers.
   */
  async results(t: ResolvedTerritory, from: string, to: string) {
    const rows = await repo.surveyTotals(this.db, {
      ...(t.structure ? { structureId: t.structure.id } : { departements: t.departements }),
      // Answers are anonymous and carry no place: counted by the UTC day they were given.
      from: new Date(`${from}T00:00:00Z`),
      to: new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000),
    });
    const sum = rows.reduce(
      (a, r) => ({
        count: a.count + r.count,
        satisfied: a.satisfied + r.satisfied,
        advanced: a.advanced + r.advanced,
        recommend: a.recommend + r.recommend,
      }),
      { count: 0, satisfied: 0, advanced: 0, recommend: 0 },
    );
    const perStructure =
      t.kind === 'dep' || t.kind === 'structure'
        ? await Promise.all(
            rows
              .sort((a, b) => b.count - a.count)
              .slice(0, 200)
              .map(async (r) => ({
                name: (await findStructureById(this.db, r.structureId))?.name ?? r.structureId,
                ...surveyScores(r),
              })),
          )
        : [];
    return { total: surveyScores(sum), perStructure };
  }
}
