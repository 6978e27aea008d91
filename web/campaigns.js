// onair operator console: the campaigns page (#/campaigns?from=YYYY-MM-DD&to=YYYY-MM-DD).
// The daemon's campaign report of the period (GET /api/v1/report, every campaign and channel):
// planned against aired per day and per channel as a stacked bar chart per campaign (inline
// SVG made with DOM calls), the same numbers in a table, the airings that did not air whole with
// the daemon's reason, and the campaign's report as a document (HTML or PDF) to download.
// When the config names the stations' shared database (control.national_db), the national
// view under them: every station's totals per campaign (GET /api/v1/report?national=1).
'use strict';

(function () {
  const oa = window.onair;
  const {$, t, st} = oa;
  const SVG = 'http://www.w3.org/2000/svg';
  const DAYS = 7;
  // the statuses stacked in a bar, bottom up; `on-air` is a row without a status yet
  const STACK = ['aired', 'truncated', 'interrupted', 'failed', 'skipped', 'on-air'];

  // rows: the report's item rows (campaign, channel, day, daypart, media and counts);
  // missed: its airings that did not air whole
  const cp = {active: false, defaulted: false, from: '', to: '', rows: [], missed: [], error: '',
    loading: false, seq: 0, national: null, nationalError: ''};

  function defaults() {
    const today = oa.todayIn(oa.channelOffset(st.order[0] || null));
    return {from: oa.addDays(today, -(DAYS - 1)), to: today};
  }

  function writeRoute() {
    oa.replaceRoute('#/campaigns?' + new URLSearchParams({from: cp.from, to: cp.to}).toString());
  }

  async function load() {
    const seq = ++cp.seq;
    cp.loading = true;
    cp.error = '';
    status();
    try {
      // the numbers only: the chain is checked on the as-run page and in the documents
      const q = new URLSearchParams({from: cp.from, to: cp.to, format: 'json', verify: '0'});
      const report = await oa.api('/api/v1/report?' + q.toString());
      if (seq !== cp.seq) {
        return;
      }
      cp.rows = (report.rows || []).filter((r) => r.row === 'item');
      cp.missed = report.missed || [];
    } catch (e) {
      if (seq !== cp.seq) {
        return;
      }
      cp.rows = [];
      cp.missed = [];
      cp.error = e.message;
    }
    cp.loading = false;
    render();
    loadNational(seq);
  }

  // null: the daemon has no national database (GET /channels says `national: false`), and the
  // section stays hidden
  async function loadNational(seq) {
    if (!st.national) {
      cp.national = null;
      renderNational();
      return;
    }
    try {
      const q = new URLSearchParams({national: '1', from: cp.from, to: cp.to, format: 'json'});
      const got = await oa.api('/api/v1/report?' + q.toString(), {ok: [404]});
      if (seq !== cp.seq) {
        return;
      }
      cp.national = got && got.totals ? got : null;
      cp.nationalError = '';
    } catch (e) {
      if (seq !== cp.seq) {
        return;
      }
      cp.national = {totals: []};
      cp.nationalError = e.message;
    }
    renderNational();
  }

  function renderNational() {
    const sec = $('#cp-national');
    sec.hidden = !cp.national;
    if (!cp.national) {
      return;
    }
    oa.setText($('#cp-national-status'), cp.nationalError
      ? t('campaigns.national_failed', {why: cp.nationalError}) : '');
    const cols = [['campaign', t('col.campaign_alone')], ['station', t('col.station')],
      ['planned', t('col.planned')], ['aired', t('status.aired')],
      ['made_good', t('col.made_good')], ['delivery_pct', t('col.delivery')]];
    const rows = cp.national.totals.map((r) => {
      const tr = document.createElement('tr');
      tr.dataset.campaign = r.campaign;
      tr.dataset.station = r.station;
      tr.append(...cols.map(([k, label]) => (k === 'campaign' || k === 'station'
        ? cell('c-' + k, label, r[k])
        : cell('n c-' + k, label, r[k] === null ? '–' : oa.number(r[k])))));
      return tr;
    });
    $('#cp-national-table').replaceChildren(table('national', cols, rows));
  }

  function status() {
    const s = $('#cp-status');
    if (cp.loading) {
      oa.setText(s, t('campaigns.loading'));
    } else if (cp.error) {
      oa.setText(s, t('campaigns.failed', {why: cp.error}));
    } else {
      const names = new Set(cp.rows.map((r) => r.campaign));
      oa.setText(s, names.size ? t('campaigns.summary', {count: oa.number(names.size),
        from: cp.from, to: cp.to}) : t('campaigns.none', {from: cp.from, to: cp.to}));
    }
  }

  function days() {
    const out = [];
    for (let d = cp.from; d <= cp.to && out.length < 400; d = oa.addDays(d, 1)) {
      out.push(d);
    }
    return out;
  }

  // {day -> {channel -> {planned, aired, ...}}} of one campaign's report rows (one per
  // daypart and spot: summed here)
  function counts(rows) {
    const byDay = new Map();
    for (const r of rows) {
      if (!byDay.has(r.day)) {
        byDay.set(r.day, new Map());
      }
      const m = byDay.get(r.day);
      if (!m.has(r.channel)) {
        m.set(r.channel, Object.fromEntries([['planned', 0]].concat(STACK.map((s) => [s, 0]))));
      }
      const c = m.get(r.channel);
      c.planned += r.planned;
      for (const s of STACK) {
        c[s] += r[s === 'on-air' ? 'on_air' : s] || 0;
      }
    }
    return byDay;
  }

  // The campaign's report as a document, fetched with the token when one is needed.
  function documentLinks(name) {
    const p = oa.el('p', 'documents');
    for (const format of ['html', 'pdf']) {
      const q = new URLSearchParams({campaign: name, from: cp.from, to: cp.to, format});
      const a = oa.el('a', 'btn', t('campaigns.document_' + format));
      a.href = '/api/v1/report?' + q.toString();
      a.download = `report-${name}-${cp.from}-${cp.to}.${format}`;
      a.addEventListener('click', async (ev) => {
        if (!st.token) {
          return; // the plain link downloads it
        }
        ev.preventDefault();
        if (a.getAttribute('aria-busy') === 'true') {
          return;
        }
        a.setAttribute('aria-busy', 'true');
        try {
          const r = await oa.api(a.getAttribute('href'), {raw: true, interactive: true});
          if (!r.ok) {
            throw new Error('HTTP ' + r.status);
          }
          oa.saveBlob(await r.blob(), a.download);
        } catch (e) {
          oa.setText($('#cp-status'), t('campaigns.failed', {why: e.message}));
        } finally {
          a.removeAttribute('aria-busy');
        }
      });
      p.append(a, ' ');
    }
    return p;
  }

  function sum(m) {
    const total = Object.fromEntries([['planned', 0]].concat(STACK.map((s) => [s, 0])));
    for (const c of (m ? m.values() : [])) {
      for (const k of Object.keys(total)) {
        total[k] += c[k] || 0;
      }
    }
    return total;
  }

  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      e.setAttribute(k, String(v));
    }
    if (text !== undefined) {
      e.textContent = text;
    }
    return e;
  }

  function chart(name, byDay, list) {
    const W = 640;
    const H = 200;
    const left = 32;
    const bottom = 22;
    const top = 18; // room for the number over the highest bar
    const totals = list.map((d) => sum(byDay.get(d)));
    const max = Math.max(1, ...totals.map((x) => x.planned));
    const slot = (W - left - 4) / Math.max(1, list.length);
    const bw = Math.max(4, Math.min(48, slot * 0.6));
    const scale = (n) => n * (H - top - bottom) / max;
    const root = svg('svg', {class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img',
      'aria-label': t('campaigns.chart', {name})});
    root.append(svg('line', {class: 'axis', x1: left, y1: H - bottom, x2: W, y2: H - bottom}));
    root.append(svg('text', {x: left - 4, y: top + 8, 'text-anchor': 'end'}, oa.number(max)));
    root.append(svg('text', {x: left - 4, y: H - bottom, 'text-anchor': 'end'}, '0'));
    list.forEach((d, i) => {
      const x = left + slot * i + (slot - bw) / 2;
      let y = H - bottom;
      const g = svg('g', {'data-day': d});
      for (const s of STACK) {
        const n = totals[i][s];
        if (!n) {
          continue;
        }
        const h = scale(n);
        y -= h;
        const rect = svg('rect', {class: 'seg-' + s, x: x.toFixed(1), y: y.toFixed(1),
          width: bw.toFixed(1), height: h.toFixed(1)});
        rect.append(svg('title', {}, t('status.' + s) + ': ' + oa.number(n)));
        g.append(rect);
      }
      if (totals[i].planned) {
        g.append(svg('text', {x: (x + bw / 2).toFixed(1), y: (y - 2).toFixed(1),
          'text-anchor': 'middle'}, oa.number(totals[i].planned)));
      }
      g.append(svg('text', {x: (x + bw / 2).toFixed(1), y: H - 6, 'text-anchor': 'middle'},
        d.slice(5)));
      root.append(g);
    });
    return root;
  }

  function legend() {
    const ul = oa.el('ul', 'legend');
    for (const s of STACK) {
      const li = document.createElement('li');
      const sw = oa.el('span', 'swatch seg-' + s);
      sw.setAttribute('aria-hidden', 'true');
      li.append(sw, oa.el('span', null, t('status.' + s)));
      ul.append(li);
    }
    return ul;
  }

  function table(cls, cols, rows) {
    const wrap = $('#grid').content.firstElementChild.cloneNode(true);
    const tbl = $('table', wrap);
    tbl.hidden = false;
    tbl.classList.add(cls);
    $('thead tr', wrap).replaceChildren(...cols.map(([, label]) => {
      const th = oa.el('th', null, label);
      th.scope = 'col';
      return th;
    }));
    $('tbody', wrap).replaceChildren(...rows);
    return wrap;
  }

  function cell(cls, label, text) {
    const td = oa.el('td', cls, text);
    td.dataset.label = label;
    return td;
  }

  function countTable(byDay, list) {
    const cols = [['day', t('col.day')], ['channel', t('col.channel')],
      ['planned', t('col.planned')]].concat(STACK.map((s) => [s, t('status.' + s)]));
    const rows = [];
    for (const d of list) {
      const m = byDay.get(d);
      if (!m) {
        continue;
      }
      for (const [ch, c] of [...m.entries()].sort()) {
        const tr = document.createElement('tr');
        tr.dataset.day = d;
        tr.dataset.channel = ch;
        tr.append(...cols.map(([k, label]) => (k === 'day' ? cell('c-time', label, d)
          : k === 'channel' ? cell('c-channel', label, ch)
            : cell('n c-' + k, label, oa.number(c[k] || 0)))));
        rows.push(tr);
      }
    }
    return table('counts', cols, rows);
  }

  function missedTable(rows) {
    const cols = [['scheduled', t('col.scheduled')], ['channel', t('col.channel')],
      ['title', t('col.title')], ['asrun', t('col.asrun')]];
    return table('missed', cols, rows.map((r) => {
      const tr = document.createElement('tr');
      tr.dataset.status = r.status;
      const asrun = cell('c-asrun', cols[3][1]);
      const badge = oa.el('span', 'badge', t('status.' + r.status));
      badge.dataset.status = r.status;
      asrun.append(badge);
      if (r.detail) {
        asrun.append(' ', oa.el('span', 'note', r.detail));
      }
      tr.append(cell('c-time', cols[0][1], oa.day(r.scheduled_start) + ' ' +
        oa.clock(r.scheduled_start)), cell('c-channel', cols[1][1], r.channel),
      cell('c-title', cols[2][1], r.title || r.media || ''), asrun);
      return tr;
    }));
  }

  function render() {
    status();
    const list = days();
    const names = [...new Set(cp.rows.map((r) => r.campaign))].sort();
    const blocks = names.map((name) => {
      const rows = cp.rows.filter((r) => r.campaign === name);
      const byDay = counts(rows);
      const block = oa.el('section', 'campaign-block');
      block.dataset.campaign = name;
      const total = sum(new Map([...byDay.values()].map((m, i) => [i, sum(m)])));
      block.append(oa.el('h3', null, name),
        oa.el('p', 'summary', t('campaigns.totals', {planned: oa.number(total.planned),
          aired: oa.number(total.aired)})),
        documentLinks(name), chart(name, byDay, list), legend(), countTable(byDay, list));
      const missed = cp.missed.filter((r) => r.campaign === name);
      block.append(oa.el('h4', null, t('campaigns.missed', {count: oa.number(missed.length)})));
      if (missed.length) {
        block.append(missedTable(missed));
      } else {
        block.append(oa.el('p', 'muted', t('campaigns.none_missed')));
      }
      return block;
    });
    $('#cp-list').replaceChildren(...blocks);
  }

  function fromInputs() {
    const f = $('#cp-from').value;
    const to = $('#cp-to').value;
    if (!oa.isDay(f) || !oa.isDay(to)) {
      return;
    }
    cp.from = f <= to ? f : to;
    cp.to = f <= to ? to : f;
    cp.defaulted = false;
    writeRoute();
    load();
  }

  oa.view('campaigns', {
    enter(parts, query) {
      cp.active = true;
      const d = defaults();
      const f = query.get('from');
      const to = query.get('to');
      const from = oa.isDay(f) ? f : d.from;
      const until = oa.isDay(to) ? to : (oa.isDay(f) ? oa.addDays(f, DAYS - 1) : d.to);
      cp.defaulted = !oa.isDay(f) && !oa.isDay(to);
      const changed = from !== cp.from || until !== cp.to || cp.error || !cp.rows.length;
      cp.from = from <= until ? from : until;
      cp.to = from <= until ? until : from;
      $('#cp-from').value = cp.from;
      $('#cp-to').value = cp.to;
      writeRoute();
      if (changed) {
        load();
      } else {
        render();
      }
    },
    leave() {
      cp.active = false;
    },
  });

  $('#cp-from').addEventListener('change', fromInputs);
  $('#cp-to').addEventListener('change', fromInputs);
  $('#cp-refresh').addEventListener('click', () => load());
  oa.on('lang', () => {
    if (cp.active && !cp.loading) {
      render();
    }
  });
  // the default week is the first channel's: once the channels are known, follow its zone
  oa.on('channels', () => {
    if (!cp.active || !cp.defaulted) {
      return;
    }
    const d = defaults();
    if (d.from !== cp.from || d.to !== cp.to) {
      cp.from = d.from;
      cp.to = d.to;
      $('#cp-from').value = cp.from;
      $('#cp-to').value = cp.to;
      writeRoute();
      load();
    }
  });
})();
