// "Autour de moi": fills the search form with the browser's position and submits it.
// Without JavaScript (or without geolocation) the button stays hidden; the form works as is.
const form = document.getElementById('recherche');
const box = form?.querySelector('.maillage-geoloc');
const button = document.getElementById('autour-de-moi');
const status = document.getElementById('autour-de-moi-etat');

function setHidden(name, value) {
  let input = form.querySelector(`input[type="hidden"][name="${name}"]`);
  if (!input) {
    input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    form.append(input);
  }
  input.value = value;
}

if (form && box && button && status && 'geolocation' in navigator) {
  box.hidden = false;
  // Typing a place again (e.g. after going back) must not reuse a position found earlier.
  form.querySelector('#q')?.addEventListener('input', () => {
    for (const input of form.querySelectorAll(
      'input[type="hidden"][name="lat"], input[type="hidden"][name="lon"]',
    )) {
      input.remove();
    }
  });
  button.addEventListener('click', () => {
    button.disabled = true;
    status.textContent = 'Recherche de votre position…';
    navigator.geolocation.getCurrentPosition(
      (position) => {
        setHidden('lat', position.coords.latitude.toFixed(5));
        setHidden('lon', position.coords.longitude.toFixed(5));
        const q = form.querySelector('#q');
        if (q) q.value = '';
        status.textContent = 'Position trouvée, recherche des France Services proches…';
        form.submit();
      },
      (error) => {
        button.disabled = false;
        status.textContent =
          error.code === error.PERMISSION_DENIED
            ? 'Vous n’avez pas autorisé l’accès à votre position. Saisissez une commune ou un code postal.'
            : 'Votre position n’a pas pu être trouvée. Saisissez une commune ou un code postal.';
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 },
    );
  });
}
