/**
 * The html report's own script, inlined after uPlot. Plain ES5-style JavaScript in a string (no
 * template literals inside), so what runs in the browser is exactly what is written here; the
 * Chromium test runs it for real. It reads the JSON payload (chart-data.ts), draws one uPlot chart
 * per monitor and location with SLA lines, anomaly, failure and deploy markers, the web-vitals
 * trends with their good / needs-improvement / poor bands, and wires the monitor / tag / location
 * filters (kept in the URL hash, so a filtered view can be linked).
 *
 * Every time is shown in the payload's `timeZone` (24-hour clock), the same zone as the tables.
 * `window.observerBoard.dispose()` destroys the charts and removes the listeners: the live
 * dashboard (src/live) calls it, swaps the page body and runs this script again.
 */
/** Line colours by series index; the page's legends (web vitals) use the same. */
export const SERIES_COLORS = ['#2563eb', '#0d9488', '#9333ea', '#ea580c', '#db2777', '#65a30d', '#0891b2', '#ca8a04', '#4f46e5', '#be123c', '#15803d', '#7c3aed'];

export const CLIENT_JS = `(function () {
  'use strict';
  var COLORS = ${JSON.stringify(SERIES_COLORS)};
  var SEVERITY = { critical: '#dc2626', warning: '#d97706', info: '#2563eb' };
  var BAND = { good: 'rgba(22, 163, 74, 0.13)', ni: 'rgba(217, 119, 6, 0.14)', poor: 'rgba(220, 38, 38, 0.12)' };
  var HEIGHT = 230;
  var MINI_HEIGHT = 150;
  /** A chart with one run shows an hour around it, never years. */
  var SINGLE_POINT_PAD_S = 1800;
  var payload = null;
  var plots = [];
  var theme = {};
  var dateParts = null;

  function css(name, fallback) {
    var v = getComputedStyle(document.documentElement).getPropertyValue(name);
    return v && v.trim() ? v.trim() : fallback;
  }

  function readTheme() {
    theme = {
      text: css('--text', '#0f172a'),
      muted: css('--muted', '#64748b'),
      grid: css('--grid', '#eef1f5'),
      panel: css('--panel', '#ffffff'),
      labelBg: css('--label-bg', 'rgba(255, 255, 255, 0.85)')
    };
  }

  /** Year, month, day, hour, minute, second of an epoch-seconds instant in the page's zone, 24-hour. */
  function partsOf(ts) {
    var out = {};
    dateParts.formatToParts(new Date(ts * 1000)).forEach(function (p) { out[p.type] = p.value; });
    if (out.hour === '24') out.hour = '00';
    return out;
  }

  function fmtDateTime(ts) {
    if (ts === null || ts === undefined) return '\\u2014';
    var p = partsOf(ts);
    return p.year + '-' + p.month + '-' + p.day + ' ' + p.hour + ':' + p.minute;
  }

  /** Axis labels: the date where the day changes (and on the first tick), the time of day otherwise. */
  function axisValues(u, splits, axisIdx, space, incr) {
    var lastDay = null;
    return splits.map(function (ts) {
      if (ts === null || ts === undefined) return null;
      var p = partsOf(ts);
      var day = p.year + '-' + p.month + '-' + p.day;
      var time = p.hour + ':' + p.minute + (incr < 60 ? ':' + p.second : '');
      var text;
      if (incr >= 86400 * 28) text = p.year + '-' + p.month;
      else if (incr >= 86400) text = p.month + '-' + p.day;
      else text = day !== lastDay ? time + '\\n' + p.month + '-' + p.day : time;
      lastDay = day;
      return text;
    });
  }

  function fmtMs(v) {
    if (v === null || v === undefined) return '\\u2014';
    if (v < 1000) return Math.round(v) + ' ms';
    return (v / 1000).toFixed(v < 10000 ? 2 : 1) + ' s';
  }

  function fmtVital(unit, v) {
    if (v === null || v === undefined) return '\\u2014';
    return unit === 'ms' ? fmtMs(v) : (Math.round(v * 1000) / 1000).toString();
  }

  function label(ctx, text, x, y, align, color, px) {
    ctx.textAlign = align;
    var w = ctx.measureText(text).width, h = 12 * px;
    var left = align === 'right' ? x - w : x;
    ctx.fillStyle = theme.labelBg;
    ctx.fillRect(left - 2 * px, y - h + 2 * px, w + 4 * px, h);
    ctx.fillStyle = color;
    ctx.fillText(text, x, y);
  }

  function seriesColor(i) { return COLORS[i % COLORS.length]; }

  /** Labels stacked so none hides another: y moves down (or up) until it clears the ones placed. */
  function placeLabel(placed, y, step, lo, hi) {
    var tries = 0;
    while (tries < 12 && placed.some(function (p) { return Math.abs(p - y) < step; })) {
      y += step;
      if (y > hi) y = lo;
      tries++;
    }
    placed.push(y);
    return y;
  }

  function overlays(u, spec) {
    var ctx = u.ctx, b = u.bbox, px = uPlot.pxRatio;
    var xmin = u.scales.x.min, xmax = u.scales.x.max;
    ctx.save();
    ctx.beginPath();
    ctx.rect(b.left, b.top, b.width, b.height);
    ctx.clip();
    ctx.font = (10 * px) + 'px system-ui, -apple-system, Segoe UI, sans-serif';
    // Limits: dashed, in the colour of the step they are about (long dashes: max, short: degraded).
    var slaLabels = [];
    spec.sla.forEach(function (s) {
      var y = Math.round(u.valToPos(s.ms, 'y', true)) + 0.5;
      var color = s.series >= 0 && spec.series.length > 1 ? seriesColor(s.series) : s.level === 'max' ? '#dc2626' : '#d97706';
      ctx.strokeStyle = color;
      ctx.lineWidth = (s.level === 'max' ? 1.5 : 1) * px;
      ctx.setLineDash(s.level === 'max' ? [8 * px, 4 * px] : [3 * px, 3 * px]);
      ctx.beginPath();
      ctx.moveTo(b.left, y);
      ctx.lineTo(b.left + b.width, y);
      ctx.stroke();
      ctx.setLineDash([]);
      var ly = placeLabel(slaLabels, y - 4 * px, 13 * px, b.top + 12 * px, b.top + b.height - 4 * px);
      label(ctx, s.label, b.left + b.width - 4 * px, ly, 'right', color, px);
    });
    var deployLabels = [];
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
      // Deploys close together get their labels one under the other.
      var ly = b.top + 12 * px;
      deployLabels.forEach(function (p) { if (Math.abs(p.x - x) < p.w + 8 * px && p.y >= ly) ly = p.y + 13 * px; });
      var text = '\\u25B2 ' + d.label;
      var right = x + 3 * px + ctx.measureText(text).width > b.left + b.width;
      label(ctx, text, right ? x - 3 * px : x + 3 * px, ly, right ? 'right' : 'left', '#7c3aed', px);
      deployLabels.push({ x: x, y: ly, w: ctx.measureText(text).width });
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
    // Anomalies sit on the point of the run they are anchored to (chart-data.ts), on the time axis when that run drew none.
    spec.anomalies.forEach(function (a) {
      if (a.at < xmin || a.at > xmax) return;
      var x = u.valToPos(a.at, 'x', true);
      var y = a.value === null || a.value === undefined ? b.top + b.height - 12 * px : u.valToPos(a.value, 'y', true);
      var color = SEVERITY[a.severity] || '#2563eb';
      ctx.beginPath();
      ctx.arc(x, y, 6 * px, 0, 2 * Math.PI);
      if (a.resolved) {
        // Resolved: a ring in the severity colour around the point.
        ctx.strokeStyle = color;
        ctx.lineWidth = 2.5 * px;
        ctx.stroke();
      } else {
        ctx.fillStyle = color;
        ctx.fill();
        ctx.strokeStyle = theme.panel;
        ctx.lineWidth = 2 * px;
        ctx.stroke();
      }
    });
    ctx.restore();
  }

  /** Anomaly and deploy markers within a few pixels of the cursor, explained over the chart. */
  function explainMarker(u, spec, note) {
    var left = u.cursor.left;
    var texts = [];
    var near = function (at) { return Math.abs(u.valToPos(at, 'x') - left) <= 7; };
    if (left !== null && left !== undefined && left >= 0) {
      spec.anomalies.forEach(function (a) {
        if (near(a.at)) texts.push((a.resolved ? 'resolved ' : '') + a.severity + ' ' + a.kind.replace(/_/g, ' ') + ': ' + a.text);
      });
      payload.deploys.forEach(function (dep) {
        if (near(dep.at)) texts.push('deploy ' + dep.label + ' at ' + fmtDateTime(dep.at) + ' ' + payload.timeZone);
      });
    }
    note.textContent = texts.join(' \\u00B7 ');
    note.hidden = texts.length === 0;
  }

  /** The options every chart shares: the time axis in the page's zone, 24-hour, and a sane window for one run. */
  function baseOpts(el, height) {
    return {
      width: Math.max(240, el.clientWidth),
      height: height,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), payload.timeZone); },
      scales: {
        x: {
          time: true,
          // uPlot widens a single instant by 86400 / ms (1000 days in seconds): pad it by the hour instead.
          range: function (u, min, max) {
            var xs = u.data && u.data[0];
            if (xs && xs.length && xs[xs.length - 1] - xs[0] < 60) return [xs[0] - SINGLE_POINT_PAD_S, xs[xs.length - 1] + SINGLE_POINT_PAD_S];
            return [min, max];
          }
        }
      },
      axes: [
        { stroke: theme.muted, grid: { stroke: theme.grid, width: 1 }, ticks: { stroke: theme.grid, width: 1 }, values: axisValues, space: 60 },
        { stroke: theme.muted, grid: { stroke: theme.grid, width: 1 }, ticks: { stroke: theme.grid, width: 1 }, size: 64 }
      ],
      cursor: { drag: { x: true, y: false }, sync: { key: 'observer' } }
    };
  }

  function makeChart(spec) {
    var el = document.getElementById(spec.id + '-plot');
    var note = document.getElementById(spec.id + '-note');
    if (!el) return;
    var slaMax = 0;
    spec.sla.forEach(function (s) { if (s.ms > slaMax) slaMax = s.ms; });
    var data = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
    var opts = baseOpts(el, HEIGHT);
    opts.scales.y = { range: function (u, min, max) { var hi = Math.max(max || 0, slaMax) * 1.12; return [0, hi > 0 ? hi : 1]; } };
    opts.axes[1].values = function (u, vals) { return vals.map(fmtMs); };
    opts.series = [{ label: payload.timeZone, value: function (u, ts) { return fmtDateTime(ts); } }].concat(spec.series.map(function (s, i) {
      return {
        label: s.label,
        stroke: seriesColor(i),
        width: 1.75,
        spanGaps: false,
        points: { show: spec.x.length <= 48, size: 5 },
        value: function (u, v) { return fmtMs(v); }
      };
    }));
    opts.legend = { live: true };
    opts.hooks = {
      draw: [function (u) { overlays(u, spec); }],
      setCursor: [function (u) { if (note) explainMarker(u, spec, note); }]
    };
    plots.push({ id: spec.id, el: el, height: HEIGHT, plot: new uPlot(opts, data, el) });
  }

  /** Good / needs-improvement / poor as bands behind the lines (web.dev thresholds). */
  function bands(u, m) {
    var ctx = u.ctx, b = u.bbox;
    var top = u.scales.y.max;
    var edges = [[0, m.good, BAND.good], [m.good, m.poor, BAND.ni], [m.poor, Math.max(top, m.poor), BAND.poor]];
    ctx.save();
    edges.forEach(function (e) {
      var lo = Math.min(e[0], top), hi = Math.min(e[1], top);
      if (hi <= lo) return;
      var y0 = u.valToPos(hi, 'y', true), y1 = u.valToPos(lo, 'y', true);
      ctx.fillStyle = e[2];
      ctx.fillRect(b.left, y0, b.width, y1 - y0);
    });
    ctx.restore();
  }

  function makeVitalsChart(group, m) {
    var el = document.getElementById(group.id + '-' + m.key);
    if (!el) return;
    var data = [group.x].concat(m.series.map(function (s) { return s.values; }));
    var opts = baseOpts(el, MINI_HEIGHT);
    opts.scales.y = { range: function (u, min, max) { var hi = Math.max(max || 0, m.poor * 1.15); return [0, hi]; } };
    opts.axes[1].size = 60;
    opts.axes[1].values = function (u, vals) { return vals.map(function (v) { return fmtVital(m.unit, v); }); };
    opts.series = [{ label: payload.timeZone, value: function (u, ts) { return fmtDateTime(ts); } }].concat(m.series.map(function (s) {
      return {
        label: s.label,
        stroke: seriesColor(s.index),
        width: 1.5,
        spanGaps: true,
        points: { show: group.x.length <= 48, size: 4 },
        value: function (u, v) { return fmtVital(m.unit, v); }
      };
    }));
    opts.legend = { show: false };
    opts.hooks = { drawAxes: [function (u) { bands(u, m); }] };
    plots.push({ id: group.id + '-' + m.key, el: el, height: MINI_HEIGHT, plot: new uPlot(opts, data, el) });
  }

  function resize() {
    plots.forEach(function (p) {
      if (p.el.offsetParent === null) return;
      var w = Math.max(240, p.el.clientWidth);
      if (Math.abs(w - p.plot.width) > 1) p.plot.setSize({ width: w, height: p.height });
    });
  }

  var selects = {};

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

  /** Draw everything from the payload element (again when the colour scheme changes). */
  function render() {
    plots.forEach(function (p) { p.plot.destroy(); });
    plots.length = 0;
    payload = JSON.parse(document.getElementById('observer-data').textContent);
    dateParts = new Intl.DateTimeFormat('en-GB', { timeZone: payload.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    readTheme();
    payload.charts.forEach(makeChart);
    (payload.vitals || []).forEach(function (g) { g.metrics.forEach(function (m) { makeVitalsChart(g, m); }); });
    var previous = selects.monitor ? { monitor: selects.monitor.value, tag: selects.tag.value, location: selects.location.value } : null;
    selects = {
      monitor: document.getElementById('filter-monitor'),
      tag: document.getElementById('filter-tag'),
      location: document.getElementById('filter-location')
    };
    if (previous) Object.keys(previous).forEach(function (k) { if (selects[k] && !selects[k].value) selects[k].value = previous[k]; });
    else readHash();
    Object.keys(selects).forEach(function (k) { selects[k].onchange = applyFilters; });
    document.getElementById('filter-reset').onclick = function () {
      Object.keys(selects).forEach(function (k) { selects[k].value = ''; });
      applyFilters();
    };
    applyFilters();
  }

  render();
  var timer = 0;
  function onResize() { clearTimeout(timer); timer = setTimeout(resize, 100); }
  window.addEventListener('resize', onResize);
  // Light and dark follow the system: redraw with the other palette when it changes.
  var scheme = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  function onScheme() { readTheme(); render(); }
  if (scheme && scheme.addEventListener) scheme.addEventListener('change', onScheme);
  // The live dashboard (src/live) re-runs this script on a fresh page body; it calls dispose() first.
  window.observerBoard = { dispose: function () {
    window.removeEventListener('resize', onResize);
    if (scheme && scheme.removeEventListener) scheme.removeEventListener('change', onScheme);
    clearTimeout(timer);
    plots.forEach(function (p) { p.plot.destroy(); });
    plots.length = 0;
  } };
})();
`;
