/* kcap report / inspect: the page's script, hand-written, no dependency
 * (docs/LOOKING.md). The page shows everything without it; with it, the
 * events table follows a click on a process or a brush on the timeline,
 * and on inspect's live page (data.live) queries the server's /api/events
 * with the filter box, the brush, the process and the pager. */
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('kcap-data').textContent);
  var byId = function (id) { return document.getElementById(id); };
  var tbody = document.querySelector('#evtable tbody');
  var desc = byId('qdesc');
  var token = new URLSearchParams(location.search).get('token') || '';
  var q = { expr: '', from: '', to: '', pid: '', page: 0, what: '' };
  var done = 0, asked = 0;

  function settle() { done++; document.body.setAttribute('data-done', String(done)); }

  function showRows(rows) {
    tbody.textContent = '';
    rows.forEach(function (r) {
      var tr = document.createElement('tr');
      r.forEach(function (c) {
        var td = document.createElement('td');
        td.textContent = c;
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
  }

  /* ns since the epoch, as decimal strings (beyond a double's precision) */
  function secToNs(s) { return String(s) + '000000000'; }

  function describe() {
    var parts = [];
    if (q.expr) parts.push('matching ' + q.expr);
    if (q.pid) parts.push('of pid ' + q.pid);
    if (q.from || q.to) parts.push('in the time range chosen');
    return parts.join(', ');
  }

  /* ---- static page: the embedded first events, narrowed in place ---- */
  var all = data.query.rows;
  function localShow() {
    var from = q.from ? Number(q.from.slice(0, -6)) : -Infinity;
    var to = q.to ? Number(q.to.slice(0, -6)) : Infinity;
    var rows = all.filter(function (r) {
      var ms = Date.parse(r[1]);
      return (!q.pid || r[3] === q.pid) && ms >= from && ms < to;
    });
    showRows(rows);
    desc.textContent = rows.length + ' of the ' + all.length + ' events of the page' +
      (describe() ? ' ' + describe() : '');
    settle();
  }

  /* ---- live page: one page of events from the server ---- */
  function query() {
    var p = new URLSearchParams();
    p.set('expr', q.expr);
    if (q.from) p.set('from', q.from);
    if (q.to) p.set('to', q.to);
    if (q.pid) p.set('pid', q.pid);
    p.set('page', String(q.page));
    if (token) p.set('token', token);
    byId('qstate').textContent = 'querying...';
    var t0 = performance.now(), mine = ++asked;
    fetch('api/events?' + p.toString()).then(function (r) { return r.json(); }).then(function (res) {
      if (mine !== asked) return; /* a later query was asked meanwhile: its answer counts */
      var err = byId('qerror');
      if (res.error) {
        var col = res.error.column > 0 ? res.error.column : 1;
        err.textContent = 'column ' + col + ': ' + res.error.message + '\n' + q.expr + '\n' +
          ' '.repeat(Array.from(q.expr.slice(0, col - 1)).length) + '^';
        err.hidden = false;
        showRows([]);
        byId('qstate').textContent = '';
        desc.textContent = 'no events: the expression has an error';
      } else {
        err.hidden = true;
        showRows(res.rows);
        byId('pageno').textContent = 'page ' + (res.page + 1);
        byId('prev').disabled = res.page === 0;
        byId('next').disabled = !res.more;
        byId('qstate').textContent = res.rows.length + ' events on this page' + (res.more ? ', more follow' : '') +
          ' (' + Math.round(performance.now() - t0) + ' ms)';
        desc.textContent = 'events' + (describe() ? ' ' + describe() : '');
      }
      settle();
    }).catch(function (e) {
      if (mine !== asked) return;
      byId('qstate').textContent = 'query failed: ' + e;
      settle();
    });
  }

  var run = data.live ? query : localShow;

  /* ---- processes: a click shows the process's events ---- */
  document.querySelectorAll('button.pev').forEach(function (b) {
    b.addEventListener('click', function (ev) {
      ev.preventDefault();
      var p = b.closest('.proc');
      document.querySelectorAll('.proc.picked').forEach(function (x) { x.classList.remove('picked'); });
      p.classList.add('picked');
      q.pid = p.getAttribute('data-pid');
      var s = p.getAttribute('data-start'), e = p.getAttribute('data-end');
      q.from = s !== '0' ? s : '';
      q.to = e !== '0' ? String(BigInt(e) + 1n) : '';
      q.page = 0;
      run();
      byId('events').scrollIntoView();
    });
  });

  /* ---- the timeline's brush: a time range ---- */
  var svg = byId('tl'), brush = byId('brush');
  var nb = Number(svg.getAttribute('data-bins')), start = Number(svg.getAttribute('data-start'));
  var step = Number(svg.getAttribute('data-step'));
  var down = null;
  function binAt(ev) {
    var r = svg.getBoundingClientRect();
    var i = Math.floor((ev.clientX - r.left) / r.width * nb);
    return Math.max(0, Math.min(nb - 1, i));
  }
  function drawBrush(a, b) {
    var lo = Math.min(a, b), hi = Math.max(a, b);
    brush.setAttribute('x', String(lo * 1000 / nb));
    brush.setAttribute('width', String((hi - lo + 1) * 1000 / nb));
    return [lo, hi];
  }
  svg.addEventListener('mousedown', function (ev) { if (nb) { down = binAt(ev); drawBrush(down, down); } });
  svg.addEventListener('mousemove', function (ev) { if (down !== null) drawBrush(down, binAt(ev)); });
  window.addEventListener('mouseup', function (ev) {
    if (down === null) return;
    var r = drawBrush(down, binAt(ev));
    down = null;
    q.from = secToNs(start + r[0] * step);
    q.to = secToNs(start + (r[1] + 1) * step);
    q.pid = '';
    q.page = 0;
    run();
  });
  svg.addEventListener('dblclick', function () {
    brush.setAttribute('width', '0');
    q.from = q.to = '';
    q.page = 0;
    run();
  });

  /* ---- the filter box and the pager (live page) ---- */
  if (data.live) {
    byId('qform').addEventListener('submit', function (ev) {
      ev.preventDefault();
      q.expr = byId('expr').value.trim();
      q.page = 0;
      query();
    });
    byId('qclear').addEventListener('click', function () {
      byId('expr').value = '';
      brush.setAttribute('width', '0');
      q = { expr: '', from: '', to: '', pid: '', page: 0 };
      document.querySelectorAll('.proc.picked').forEach(function (x) { x.classList.remove('picked'); });
      query();
    });
    byId('prev').addEventListener('click', function () { if (q.page > 0) { q.page--; query(); } });
    byId('next').addEventListener('click', function () { q.page++; query(); });
    query();
  } else {
    settle();
  }
}());
