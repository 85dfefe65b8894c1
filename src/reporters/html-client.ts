/**
 * The html report's own script, inlined after uPlot. Plain ES5-style JavaScript in a string (no
 * template literals inside), so what runs in the browser is exactly what is written here; the
 * Chromium test runs it for real. It reads the JSON payload (chart-data.ts), draws one uPlot chart
 * per monitor and location with SLA lines, anomaly, failure and deploy markers, and wires the
 * monitor / tag / location filters (kept in the URL hash, so a filtered view can be linked).
 */
export const CLIENT_JS = `(function () {
  'use strict';
  var payload = JSON.parse(document.getElementById('observer-data').textContent);
  var COLORS = ['#2563eb', '#0d9488', '#9333ea', '#ea580c', '#db2777', '#65a30d', '#0891b2', '#ca8a04', '#4f46e5', '#be123c', '#15803d', '#7c3aed'];
  var SEVERITY = { critical: '#dc2626', warning: '#d97706', info: '#2563eb' };
  var HEIGHT = 230;
  var plots = [];

  function fmtMs(v) {
    if (v === null || v === undefined) return '\\u2014';
    if (v < 1000) return Math.round(v) + ' ms';
    return (v / 1000).toFixed(v < 10000 ? 2 : 1) + ' s';
  }

  function nearest(xs, x) {
    var best = 0;
    for (var i = 1; i < xs.length; i++) if (Math.abs(xs[i] - x) < Math.abs(xs[best] - x)) best = i;
    return best;
  }

  function label(ctx, text, x, y, align, color, px) {
    ctx.textAlign = align;
    var w = ctx.measureText(text).width, h = 12 * px;
    var left = align === 'right' ? x - w : x;
    ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
    ctx.fillRect(left - 2 * px, y - h + 2 * px, w + 4 * px, h);
    ctx.fillStyle = color;
    ctx.fillText(text, x, y);
  }

  function overlays(u, spec) {
    var ctx = u.ctx, b = u.bbox, px = uPlot.pxRatio;
    var xmin = u.scales.x.min, xmax = u.scales.x.max;
    ctx.save();
    ctx.beginPath();
    ctx.rect(b.left, b.top, b.width, b.height);
    ctx.clip();
    ctx.font = (10 * px) + 'px system-ui, -apple-system, Segoe UI, sans-serif';
    spec.sla.forEach(function (s) {
      var y = Math.round(u.valToPos(s.ms, 'y', true)) + 0.5;
      var color = s.level === 'max' ? '#dc2626' : '#d97706';
      ctx.strokeStyle = color;
      ctx.lineWidth = px;
      ctx.setLineDash([6 * px, 4 * px]);
      ctx.beginPath();
      ctx.moveTo(b.left, y);
      ctx.lineTo(b.left + b.width, y);
      ctx.stroke();
      ctx.setLineDash([]);
      label(ctx, s.label, b.left + b.width - 4 * px, y - 4 * px, 'right', color, px);
    });
    payload.deploys.forEach(function (d) {
      if (d.at < xmin || d.at > xmax) return;
      var x = Math.round(u.valToPos(d.at, 'x', true)) + 0.5;
      ctx.strokeStyle = '#7c3aed';
      ctx.lineWidth = px;
      ctx.setLineDash([2 * px, 3 * px]);
      ctx.beginPath();
      ctx.moveTo(x, b.top);
      ctx.lineTo(x, b.top + b.height);
      ctx.stroke();
      ctx.setLineDash([]);
      label(ctx, '\\u25B2 ' + d.label, x + 3 * px, b.top + 12 * px, 'left', '#7c3aed', px);
    });
    spec.status.forEach(function (st, i) {
      if (st !== 'failed') return;
      var x = u.valToPos(spec.x[i], 'x', true), y = b.top + b.height;
      ctx.fillStyle = '#dc2626';
      ctx.beginPath();
      ctx.moveTo(x, y - 9 * px);
      ctx.lineTo(x - 5 * px, y);
      ctx.lineTo(x + 5 * px, y);
      ctx.closePath();
      ctx.fill();
    });
    spec.anomalies.forEach(function (a) {
      if (a.at < xmin || a.at > xmax) return;
      var x = u.valToPos(a.at, 'x', true), y = b.top + 18 * px;
      if (a.series >= 0) {
        var v = spec.series[a.series].values[nearest(spec.x, a.at)];
        if (v !== null && v !== undefined) y = u.valToPos(v, 'y', true);
      }
      var color = SEVERITY[a.severity] || '#2563eb';
      ctx.beginPath();
      ctx.arc(x, y, 6 * px, 0, 2 * Math.PI);
      if (a.resolved) {
        // Resolved: a ring in the severity color.
        ctx.fillStyle = '#ffffff';
        ctx.fill();
        ctx.strokeStyle = color;
        ctx.lineWidth = 2.5 * px;
        ctx.stroke();
      } else {
        ctx.fillStyle = color;
        ctx.fill();
        ctx.strokeStyle = '#ffffff';
        ctx.lineWidth = 2 * px;
        ctx.stroke();
      }
    });
    ctx.restore();
  }

  /** Anomaly and deploy markers within a few pixels of the cursor, explained under the chart. */
  function explainMarker(u, spec, note) {
    var left = u.cursor.left;
    var texts = [];
    var near = function (at) { return Math.abs(u.valToPos(at, 'x') - left) <= 7; };
    if (left !== null && left !== undefined && left >= 0) {
      spec.anomalies.forEach(function (a) {
        if (near(a.at)) texts.push((a.resolved ? 'resolved ' : '') + a.severity + ' ' + a.kind.replace(/_/g, ' ') + ': ' + a.text);
      });
      payload.deploys.forEach(function (dep) {
        if (near(dep.at)) texts.push('deploy ' + dep.label + ' at ' + new Date(dep.at * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC');
      });
    }
    note.textContent = texts.join(' \u00B7 ');
    note.hidden = texts.length === 0;
  }

  function makeChart(spec) {
    var el = document.getElementById(spec.id + '-plot');
    var note = document.getElementById(spec.id + '-note');
    if (!el) return;
    var slaMax = 0;
    spec.sla.forEach(function (s) { if (s.ms > slaMax) slaMax = s.ms; });
    var data = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
    var opts = {
      width: Math.max(280, el.clientWidth),
      height: HEIGHT,
      // Times in UTC, like every table of the report.
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      scales: {
        x: { time: true },
        y: { range: function (u, min, max) { var hi = Math.max(max || 0, slaMax) * 1.12; return [0, hi > 0 ? hi : 1]; } }
      },
      axes: [
        { stroke: '#64748b', grid: { stroke: '#eef1f5', width: 1 }, ticks: { stroke: '#e2e8f0', width: 1 } },
        { stroke: '#64748b', grid: { stroke: '#eef1f5', width: 1 }, ticks: { stroke: '#e2e8f0', width: 1 }, size: 64,
          values: function (u, vals) { return vals.map(fmtMs); } }
      ],
      series: [{ label: 'UTC' }].concat(spec.series.map(function (s, i) {
        return {
          label: s.label,
          stroke: COLORS[i % COLORS.length],
          width: 1.75,
          spanGaps: false,
          points: { show: spec.x.length <= 48, size: 5 },
          value: function (u, v) { return fmtMs(v); }
        };
      })),
      legend: { live: true },
      cursor: { drag: { x: true, y: false }, sync: { key: 'observer' } },
      hooks: {
        draw: [function (u) { overlays(u, spec); }],
        setCursor: [function (u) { if (note) explainMarker(u, spec, note); }]
      }
    };
    plots.push({ el: el, plot: new uPlot(opts, data, el) });
  }

  function resize() {
    plots.forEach(function (p) {
      if (p.el.offsetParent === null) return;
      var w = Math.max(280, p.el.clientWidth);
      if (Math.abs(w - p.plot.width) > 1) p.plot.setSize({ width: w, height: HEIGHT });
    });
  }

  var selects = {
    monitor: document.getElementById('filter-monitor'),
    tag: document.getElementById('filter-tag'),
    location: document.getElementById('filter-location')
  };

  function applyFilters() {
    var m = selects.monitor.value, t = selects.tag.value, l = selects.location.value;
    var shown = 0;
    var items = document.querySelectorAll('[data-monitor]');
    for (var i = 0; i < items.length; i++) {
      var el = items[i];
      var tags = JSON.parse(el.getAttribute('data-tags') || '[]');
      var locations = JSON.parse(el.getAttribute('data-locations') || '[]');
      var ok = (!m || el.getAttribute('data-monitor') === m) && (!t || tags.indexOf(t) >= 0) && (!l || locations.indexOf(l) >= 0);
      // Per-monitor signal blocks show only while a filter is set; the all-monitors block only while none is.
      el.hidden = !ok || (el.hasAttribute('data-filtered') && !(m || t || l));
      if (ok && el.classList.contains('chart-card')) shown++;
    }
    var unfiltered = document.querySelectorAll('[data-unfiltered]');
    for (var u = 0; u < unfiltered.length; u++) unfiltered[u].hidden = !!(m || t || l);
    // The system's services: those whose monitors the monitor filter selects.
    var services = document.querySelectorAll('#system .service');
    for (var v = 0; v < services.length; v++) {
      var ids = (services[v].getAttribute('data-monitors') || '').split(' ');
      services[v].hidden = !!m && ids.indexOf(m) < 0;
    }
    var empty = document.getElementById('charts-empty');
    if (empty) empty.hidden = shown > 0 || payload.charts.length === 0;
    var parts = [];
    if (m) parts.push('monitor=' + encodeURIComponent(m));
    if (t) parts.push('tag=' + encodeURIComponent(t));
    if (l) parts.push('location=' + encodeURIComponent(l));
    if (history.replaceState) history.replaceState(null, '', parts.length ? '#' + parts.join('&') : location.pathname + location.search);
    resize();
  }

  function readHash() {
    var h = location.hash.replace(/^#/, '');
    if (!h) return;
    h.split('&').forEach(function (kv) {
      var i = kv.indexOf('=');
      if (i < 0) return;
      var key = kv.slice(0, i), value = decodeURIComponent(kv.slice(i + 1));
      var sel = selects[key];
      if (!sel) return;
      for (var j = 0; j < sel.options.length; j++) if (sel.options[j].value === value) sel.value = value;
    });
  }

  payload.charts.forEach(makeChart);
  readHash();
  Object.keys(selects).forEach(function (k) { selects[k].addEventListener('change', applyFilters); });
  document.getElementById('filter-reset').addEventListener('click', function () {
    Object.keys(selects).forEach(function (k) { selects[k].value = ''; });
    applyFilters();
  });
  applyFilters();
  var timer = 0;
  function onResize() { clearTimeout(timer); timer = setTimeout(resize, 100); }
  window.addEventListener('resize', onResize);
  // The live dashboard (src/live) re-runs this script on a fresh page body; it calls dispose() first.
  window.observerBoard = { dispose: function () {
    window.removeEventListener('resize', onResize);
    clearTimeout(timer);
    plots.forEach(function (p) { p.plot.destroy(); });
    plots = [];
  } };
})();
`;
