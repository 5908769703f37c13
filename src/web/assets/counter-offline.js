// Counter form island: recording goes on when the network drops (a bus between two villages).
// - Online, the form is a plain form: this script does nothing to it.
// - Offline, a submit is kept in the browser (IndexedDB) with its client-generated id, the page says
//   how many records wait, and the form is ready for the next one (with a new id).
// - When the network returns (and on every page load), waiting records are sent to
//   POST /api/v1/accompagnements with the session's CSRF token. The API is idempotent by id: a send
//   cut off half-way and retried never records twice. A record the server refuses is kept aside and
//   shown, never silently dropped.
const form = document.getElementById('form-accompagnement');
const counter = document.getElementById('file-attente');
if (form && counter && 'indexedDB' in window && form.dataset.idFs) {
  const idFs = form.dataset.idFs;
  const DB_NAME = 'maillage-accompagnements';
  const STORE = 'en-attente';
  let sending = false;

  const open = () =>
    new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'item.id' });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  const tx = async (mode, run) => {
    const db = await open();
    return new Promise((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const result = run(t.objectStore(STORE));
      t.oncomplete = () => {
        db.close();
        resolve(result && 'result' in result ? result.result : undefined);
      };
      t.onerror = () => reject(t.error);
    });
  };
  const all = () => tx('readonly', (s) => s.getAll());
  const put = (entry) => tx('readwrite', (s) => s.put(entry));
  const remove = (ids) =>
    tx('readwrite', (s) => {
      for (const id of ids) s.delete(id);
    });

  const show = async (extra) => {
    const entries = (await all()) ?? [];
    const waiting = entries.filter((e) => !e.refus).length;
    const refused = entries.filter((e) => e.refus);
    const parts = [];
    if (waiting > 0)
      parts.push(
        `${waiting} accompagnement${waiting > 1 ? 's' : ''} en attente d’envoi (enregistré${waiting > 1 ? 's' : ''} sur cet appareil).`,
      );
    for (const e of refused) parts.push(`Refusé par le serveur, à ressaisir : ${e.refus}`);
    if (extra) parts.unshift(extra);
    counter.textContent = parts.join(' ');
    counter.hidden = parts.length === 0;
  };

  const value = (name) => {
    const el = form.elements.namedItem(name);
    if (!el) return '';
    if (el instanceof RadioNodeList) return el.value;
    return el.value ?? '';
  };
  const orNull = (v) => (v === '' ? null : v);

  /** The form as an API item; the start is today at the time typed (this device's clock), or now. */
  const toItem = () => {
    const choice = value('choix');
    const fromChoice = choice !== '' && choice !== 'autre';
    const [choicePartner, choiceDemarche] = choice.split('|');
    const start = new Date();
    const hm = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value('heure'));
    if (hm) start.setHours(Number(hm[1]), Number(hm[2]), 0, 0);
    const visit = value('premiere_visite');
    return {
      id: value('id') || crypto.randomUUID(),
      id_fs: idFs,
      debut: start.toISOString(),
      duree_min: Number(value('duree_min') || '15'),
      canal: value('canal') || 'guichet',
      partenaire: fromChoice ? choicePartner : value('partenaire'),
      demarche: orNull(fromChoice ? choiceDemarche : value('demarche')),
      resultat: value('resultat') || 'resolu',
      tranche_age: orNull(value('tranche_age')),
      commune_usager: orNull(value('commune_usager')),
      premiere_visite: visit === '' ? null : visit === 'oui',
      autonomie: orNull(value('autonomie')),
      note: orNull(value('note')),
    };
  };

  const post = (items) =>
    fetch('/api/v1/accompagnements', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': value('_csrf') },
      body: JSON.stringify({ items }),
    });

  /** Sends what waits, one record at a time (a refusal then names its record). */
  const flush = async () => {
    if (sending || !navigator.onLine) return;
    sending = true;
    let sent = 0;
    try {
      for (const entry of (await all()) ?? []) {
        if (entry.refus) continue;
        let answer;
        try {
          answer = await post([entry.item]);
        } catch {
          break; // the network dropped again: keep the rest for later
        }
        if (answer.ok) {
          await remove([entry.item.id]);
          sent++;
        } else if (answer.status === 401 || answer.status === 403) {
          await show('Session expirée : reconnectez-vous pour envoyer les accompagnements en attente.');
          return;
        } else if (answer.status >= 500 || answer.status === 429) {
          break;
        } else {
          const body = await answer.json().catch(() => ({}));
          await put({ ...entry, refus: body.message ?? `erreur ${answer.status}` });
        }
      }
    } finally {
      sending = false;
    }
    await show(sent > 0 ? `${sent} accompagnement${sent > 1 ? 's' : ''} envoyé${sent > 1 ? 's' : ''}.` : '');
  };

  form.addEventListener('submit', async (event) => {
    if (navigator.onLine) return; // online: the plain form does it
    event.preventDefault();
    const item = toItem();
    await put({ item, refus: null });
    // Ready for the next person: a new id, the time back to "now".
    const idInput = form.elements.namedItem('id');
    if (idInput) idInput.value = crypto.randomUUID();
    const heure = form.elements.namedItem('heure');
    if (heure) heure.value = '';
    await show('Hors connexion : accompagnement gardé sur cet appareil.');
  });

  window.addEventListener('online', () => void flush());
  void show('').then(flush);
}
