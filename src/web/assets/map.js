// Map island (progressive enhancement): the list on the page holds the same information.
// Points come from the JSON island #carte-donnees; tiles from the configured URL, or, offline,
// the department outlines so that the points still have a background.
// Leaflet's minified build is loaded before this module (a classic script that sets window.L).
const L = window.L;

const TONES = { open: '#18753c', closed: '#ce0500', remote: '#0063cb' };

/** Popup content as DOM nodes: names come from the data, never through innerHTML. */
function popup(point, newTab) {
  const box = document.createElement('div');
  const title = document.createElement('p');
  title.className = 'fr-mb-1v';
  const link = document.createElement('a');
  link.href = point.url;
  link.textContent = point.rank ? `${point.rank}. ${point.name}` : point.name;
  if (newTab) {
    link.target = '_blank';
    link.rel = 'noopener';
    link.title = `${point.name} — nouvelle fenêtre`;
  }
  title.append(link);
  const state = document.createElement('p');
  state.className = 'fr-text--sm fr-mb-0';
  state.textContent = point.label;
  box.append(title, state);
  return box;
}

function label(text) {
  const span = document.createElement('span');
  span.textContent = text;
  return span;
}

const element = document.getElementById('carte');
const island = document.getElementById('carte-donnees');
if (element && island && L) {
  const data = JSON.parse(island.textContent || '{}');
  const points = Array.isArray(data.points) ? data.points : [];
  element.hidden = false;
  const map = L.map(element, { scrollWheelZoom: false, attributionControl: Boolean(data.tileUrl) });
  map.attributionControl?.setPrefix(false);
  if (data.tileUrl) {
    L.tileLayer(data.tileUrl, { maxZoom: 18, attribution: String(data.attribution || '') }).addTo(map);
  } else if (data.outlinesUrl) {
    element.classList.add('maillage-map--outlines');
    map.createPane('contours');
    map.getPane('contours').style.zIndex = '350';
    fetch(data.outlinesUrl)
      .then((r) => (r.ok ? r.json() : null))
      .then((geojson) => {
        if (!geojson) return;
        L.geoJSON(geojson, {
          pane: 'contours',
          interactive: false,
          style: { color: '#7b7b7b', weight: 1, fillColor: '#ffffff', fillOpacity: 1 },
        }).addTo(map);
      })
      .catch(() => {});
  }
  const bounds = [];
  for (const p of points) {
    if (typeof p.lat !== 'number' || typeof p.lon !== 'number') continue;
    const color = TONES[p.tone] || TONES.closed;
    L.circleMarker([p.lat, p.lon], {
      radius: 8,
      color: '#ffffff',
      weight: 2,
      fillColor: color,
      fillOpacity: 1,
    })
      .bindPopup(popup(p, Boolean(data.newTab)))
      .bindTooltip(label(p.rank ? `${p.rank}. ${p.name}` : p.name))
      .addTo(map);
    bounds.push([p.lat, p.lon]);
  }
  if (data.center && typeof data.center.lat === 'number') {
    L.circleMarker([data.center.lat, data.center.lon], {
      radius: 6,
      color: '#161616',
      weight: 2,
      fillColor: '#ffffff',
      fillOpacity: 1,
    })
      .bindTooltip(label(`Point de recherche : ${data.center.label}`))
      .addTo(map);
    bounds.push([data.center.lat, data.center.lon]);
  }
  if (bounds.length === 1) map.setView(bounds[0], data.tileUrl ? 14 : 9);
  else if (bounds.length > 1) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 });
  else map.setView([46.6, 2.4], 5);
}
