// Small island for the deployment timeline: moving the pointer (or focusing the chart and using
// the arrow keys) reads the cumulative count of the month below it. The table below the chart
// gives the same figures without JavaScript.
for (const svg of document.querySelectorAll('svg.maillage-timeline')) {
  const months = JSON.parse(svg.dataset.months || '[]');
  if (!months.length) continue;
  const readout = document.createElement('p');
  readout.className = 'maillage-timeline__readout';
  readout.setAttribute('aria-live', 'polite');
  svg.after(readout);
  svg.setAttribute('tabindex', '0');
  let current = months.length - 1;
  const show = (i) => {
    current = Math.max(0, Math.min(months.length - 1, i));
    const [month, cumulative] = months[current];
    readout.textContent = `${month} : ${cumulative.toLocaleString('fr-FR')} structures labellisées en cumul`;
  };
  svg.addEventListener('pointermove', (event) => {
    const box = svg.getBoundingClientRect();
    const ratio = (event.clientX - box.left - (48 / 640) * box.width) / (box.width * (1 - 58 / 640));
    show(Math.round(ratio * (months.length - 1)));
  });
  svg.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowLeft') show(current - 1);
    else if (event.key === 'ArrowRight') show(current + 1);
    else return;
    event.preventDefault();
  });
  show(current);
}
