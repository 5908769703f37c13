// Audit grid island: nothing typed is lost on a network drop.
// - every change is kept in localStorage (per audit), restored on load if newer than the server copy;
// - changes are also saved to the server in the background (same form URL, JSON answer), with the
//   grid's version: a concurrent save elsewhere is reported, never overwritten.
const form = document.getElementById('audit-grid');
if (form) {
  const auditId = form.dataset.auditId;
  const key = `maillage:grille:${auditId}`;
  const status = document.getElementById('grid-status');
  const versionInput = form.querySelector('input[name="version"]');
  const say = (text, kind = 'info') => {
    if (!status) return;
    status.className = `fr-alert fr-alert--${kind} fr-alert--sm fr-mb-2w`;
    status.textContent = text;
  };
  const read = () => {
    const values = {};
    for (const el of form.elements) {
      if (!el.name || (!el.name.startsWith('verdict_') && !el.name.startsWith('comment_'))) continue;
      if (el.type === 'radio') {
        if (el.checked) values[el.name] = el.value;
      } else values[el.name] = el.value;
    }
    return values;
  };
  const apply = (values) => {
    for (const el of form.elements) {
      if (!el.name || !(el.name in values)) continue;
      if (el.type === 'radio') el.checked = el.value === values[el.name];
      else el.value = values[el.name];
    }
  };
  const load = () => {
    try {
      return JSON.parse(localStorage.getItem(key) || 'null');
    } catch {
      return null;
    }
  };
  const store = () => {
    try {
      localStorage.setItem(
        key,
        JSON.stringify({ values: read(), version: Number(versionInput.value), at: Date.now() }),
      );
    } catch {
      /* storage full or disabled: the server save still runs */
    }
  };

  const draft = load();
  if (draft?.values) {
    if (JSON.stringify({ ...read(), ...draft.values }) !== JSON.stringify(read())) {
      apply(draft.values);
      say('Brouillon restauré depuis cet appareil : vos saisies non enregistrées ont été reprises.', 'info');
    }
  }

  let timer = null;
  let saving = false;
  const save = async () => {
    if (saving) return;
    saving = true;
    const body = new URLSearchParams(new FormData(form));
    try {
      const res = await fetch(form.action, {
        method: 'POST',
        body,
        headers: { accept: 'application/json', 'x-csrf-token': form.dataset.csrf },
        credentials: 'same-origin',
      });
      const data = await res.json().catch(() => ({}));
      if (res.ok) {
        versionInput.value = String(data.version);
        form.dataset.version = String(data.version);
        localStorage.removeItem(key);
        say('Enregistré.', 'success');
      } else if (res.status === 409) {
        say(`${data.message || 'La grille a été modifiée par ailleurs.'} Rechargez la page.`, 'warning');
      } else {
        say(data.message || 'Enregistrement refusé.', 'error');
      }
    } catch {
      say(
        'Hors connexion : vos saisies sont gardées sur cet appareil et seront envoyées au retour du réseau.',
        'warning',
      );
    } finally {
      saving = false;
    }
  };
  const changed = () => {
    store();
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  };
  form.addEventListener('input', changed);
  form.addEventListener('change', changed);
  window.addEventListener('online', () => {
    if (load()) save();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    store();
    clearTimeout(timer);
    save();
  });
}
