// onair operator console: the as-run page (#/asrun?channel=&from=&to=&campaign=&status=&page=).
// GET /api/v1/asrun for the channel and days, read as it streams in (one row object per line),
// kept slim; campaign and status filter in the browser; only the page shown is rendered (100
// rows), so a week of ten busy channels stays quick. The chain check (GET /api/v1/asrun/verify)
// is shown above. Downloads: the daemon's export of the same filter; when the token is needed,
// or the campaign or status filter applies, the file is made here and offered as a blob.
'use strict';

(function () {
  const oa = window.onair;
  const {$, t, st} = oa;
  const PAGE_ROWS = 100;
  const PROGRESS_MS = 300;
  const VERIFY_AGAIN_MS = 60000;
  // the columns of SPEC section 5, for an export that has no row to take them from
  const COLUMNS = ['channel', 'kind', 'media', 'campaign', 'break', 'title', 'file',
    'scheduled_start', 'scheduled_end', 'actual_start', 'actual_end', 'status', 'detail',
    'media_sha256', 'chain'];

  const ar = {
    active: false,
    channel: '',
    from: '',
    to: '', // included: the API's `to` is the day after
    campaign: '',
    status: '',
    page: 0,
    loadedKey: null,
    rows: [],
    filtered: [],
    campaigns: new Set(),
    loading: null, // AbortController of the export being read
    error: '',
    verifiedAt: 0,
  };

  // ---- the filter and the route -------------------------------------------------------------

  function defaults() {
    const d = oa.todayIn(oa.channelOffset(null));
    return {from: d, to: d};
  }

  function enter(parts, q) {
    ar.active = true;
    fillChannels();
    const d = defaults();
    const from = oa.isDay(q.get('from')) ? q.get('from') : d.from;
    let to = oa.isDay(q.get('to')) ? q.get('to') : (q.get('from') ? from : d.to);
    if (to < from) {
      to = from;
    }
    ar.channel = q.get('channel') || '';
    ar.from = from;
    ar.to = to;
    ar.campaign = q.get('campaign') || '';
    ar.status = q.get('status') || '';
    ar.page = Math.max(0, (parseInt(q.get('page'), 10) || 1) - 1);
    writeForm();
    writeRoute();
    apply(false);
    if (Date.now() - ar.verifiedAt > VERIFY_AGAIN_MS) {
      verify();
    }
  }

  function leave() {
    ar.active = false;
  }

  function writeForm() {
    const sel = $('#ar-channel');
    if (ar.channel && !st.loaded && ![...sel.options].some((o) => o.value === ar.channel)) {
      const o = oa.el('option', null, ar.channel); // the channels are not known yet
      o.value = ar.channel;
      sel.append(o);
    }
    sel.value = ar.channel;
    if (sel.value !== ar.channel) {
      ar.channel = ''; // a channel that is no more: all
      sel.value = '';
    }
    $('#ar-from').value = ar.from;
    $('#ar-to').value = ar.to;
    $('#ar-campaign').value = ar.campaign;
    $('#ar-status').value = ar.status;
  }

  function readForm() {
    ar.channel = $('#ar-channel').value;
    const from = $('#ar-from').value;
    const to = $('#ar-to').value;
    ar.from = oa.isDay(from) ? from : ar.from;
    ar.to = oa.isDay(to) ? to : ar.to;
    if (ar.to < ar.from) {
      ar.to = ar.from;
      $('#ar-to').value = ar.to;
    }
    ar.campaign = $('#ar-campaign').value.trim();
    ar.status = $('#ar-status').value;
  }

  function routeQuery() {
    const q = new URLSearchParams();
    if (ar.channel) {
      q.set('channel', ar.channel);
    }
    q.set('from', ar.from);
    q.set('to', ar.to);
    if (ar.campaign) {
      q.set('campaign', ar.campaign);
    }
    if (ar.status) {
      q.set('status', ar.status);
    }
    if (ar.page > 0) {
      q.set('page', String(ar.page + 1));
    }
    return q.toString();
  }

  function writeRoute() {
    oa.replaceRoute('#/asrun?' + routeQuery());
  }

  // What the daemon is asked for: channel and days (the rest filters here).
  function serverQuery(format) {
    const q = new URLSearchParams();
    if (ar.channel) {
      q.set('channel', ar.channel);
    }
    q.set('from', ar.from);
    q.set('to', oa.addDays(ar.to, 1));
    q.set('format', format);
    return q;
  }

  function apply(fromForm) {
    if (fromForm) {
      readForm();
      ar.page = 0;
      writeRoute();
    }
    const k = serverQuery('json').toString();
    if (k !== ar.loadedKey) {
      load(k);
    } else {
      filter();
    }
    renderDownloads();
  }

  // ---- reading the export -------------------------------------------------------------------

  // Repeated values (channel, kind, media, title, ...) share one string.
  const interned = new Map();
  function intern(s) {
    if (typeof s !== 'string') {
      return s;
    }
    let v = interned.get(s);
    if (v === undefined) {
      interned.set(s, s);
      v = s;
    }
    return v;
  }

  function slim(o) {
    return {
      channel: intern(o.channel), kind: intern(o.kind), media: intern(o.media),
      campaign: intern(o.campaign), brk: intern(o.break), title: intern(o.title),
      ss: o.scheduled_start, as: o.actual_start, status: intern(o.status), detail: o.detail,
    };
  }

  // Reads the JSON export row by row as it arrives (the daemon writes one object per line),
  // calling `row` with each object; a body in another layout is parsed whole at the end.
  async function readRows(response, row, progress) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    let whole = '';
    let byLine = true;
    const line = (text) => {
      let s = text.trim();
      if (s.startsWith('[')) {
        s = s.slice(1).trim();
      }
      if (s.endsWith(']')) {
        s = s.slice(0, -1).trim();
      }
      if (s.endsWith(',')) {
        s = s.slice(0, -1);
      }
      if (!s) {
        return;
      }
      row(JSON.parse(s));
    };
    let lastProgress = performance.now();
    for (;;) {
      const {value, done} = await reader.read();
      const text = done ? decoder.decode() : decoder.decode(value, {stream: true});
      if (!byLine) {
        whole += text;
      } else {
        buf += text;
        const lines = buf.split('\n');
        buf = done ? '' : lines.pop();
        for (let i = 0; i < lines.length; i++) {
          try {
            line(lines[i]);
          } catch (e) {
            byLine = false; // not one object per line: take the rest whole
            whole = lines.slice(i).join('\n') + (done ? '' : '\n' + buf);
            buf = '';
            break;
          }
        }
      }
      if (progress && performance.now() - lastProgress > PROGRESS_MS) {
        lastProgress = performance.now();
        progress();
      }
      if (done) {
        break;
      }
    }
    if (!byLine) {
      const all = JSON.parse(whole);
      (Array.isArray(all) ? all : []).forEach(row);
    }
  }

  async function load(k) {
    if (ar.loading) {
      ar.loading.abort();
    }
    const ctrl = new AbortController();
    ar.loading = ctrl;
    ar.loadedKey = k;
    ar.rows = [];
    ar.campaigns = new Set();
    ar.error = '';
    filter();
    status(t('asrun.loading', {count: 0}));
    try {
      const r = await oa.api('/api/v1/asrun?' + k, {raw: true, signal: ctrl.signal});
      if (!r.ok) {
        let why = 'HTTP ' + r.status;
        try {
          why = (await r.json()).error || why;
        } catch (e) { /* not JSON */ }
        throw new Error(why);
      }
      let shown = false;
      await readRows(r, (o) => {
        ar.rows.push(slim(o));
        if (o.campaign) {
          ar.campaigns.add(o.campaign);
        }
      }, () => {
        if (ar.loading !== ctrl) {
          return;
        }
        status(t('asrun.loading', {count: oa.number(ar.rows.length)}));
        // the first page as soon as it can be filled; then the counts now and then
        if (!shown || ar.rows.length < (ar.page + 1) * PAGE_ROWS * 4) {
          filter();
          shown = true;
        }
      });
    } catch (e) {
      if (ctrl.signal.aborted) {
        return;
      }
      ar.error = e.message;
      ar.loadedKey = null;
    }
    if (ar.loading !== ctrl) {
      return;
    }
    ar.loading = null;
    fillCampaigns();
    filter();
  }

  // ---- filtering and the page shown ---------------------------------------------------------

  function matches(status, campaign) {
    const c = campaign.toLowerCase();
    return (r) => (!status || (status === 'on-air' ? !r.status : r.status === status)) &&
      (!c || (r.campaign || '').toLowerCase().includes(c));
  }

  function filter() {
    const keep = matches(ar.status, ar.campaign);
    ar.filtered = ar.status || ar.campaign ? ar.rows.filter(keep) : ar.rows;
    const pages = Math.max(1, Math.ceil(ar.filtered.length / PAGE_ROWS));
    if (!ar.loading && ar.page >= pages) {
      ar.page = pages - 1;
      writeRoute();
    }
    renderPage();
  }

  function startError(r) {
    return oa.startError(r.as, r.ss);
  }

  function makeRow(r) {
    const tr = document.createElement('tr');
    const status = r.status || (r.as ? 'on-air' : 'pending');
    tr.dataset.status = status;
    const cell = (cls, label, text) => {
      const td = oa.el('td', cls, text);
      td.dataset.label = t(label);
      return td;
    };
    const title = cell('c-title', 'col.title');
    const words = oa.el('span'); // one box beside the label when the rows stack
    words.append(oa.el('span', 'title-text', r.title || r.media || ''));
    if (r.media && r.media !== r.title) {
      words.append(' ', oa.el('span', 'media-id', r.media));
    }
    title.append(words);
    const asrun = cell('c-asrun', 'col.asrun');
    const line = oa.el('div', 'status-line');
    const badge = oa.el('span', 'badge', t('status.' + status));
    badge.dataset.status = status;
    line.append(badge);
    const notes = [];
    if (r.as && ['aired', 'truncated', 'on-air'].includes(status)) {
      notes.push(startError(r));
    }
    if (r.detail) {
      notes.push(r.detail);
    }
    if (notes.length) {
      line.append(' ', oa.el('span', 'note', notes.join(' · ')));
    }
    asrun.append(line);
    tr.append(
      cell('c-channel', 'col.channel', r.channel),
      cell('c-time', 'col.scheduled', oa.day(r.ss) + ' ' + oa.clock(r.ss)),
      cell('c-kind', 'col.kind', t('item.' + (r.kind || 'spot'))),
      title,
      cell('c-camp', 'col.campaign', [r.campaign, r.brk].filter(Boolean).join(' · ')),
      asrun);
    return tr;
  }

  function renderPage() {
    if (!st.ready) {
      return;
    }
    const n = ar.filtered.length;
    const pages = Math.max(1, Math.ceil(n / PAGE_ROWS));
    const page = Math.min(ar.page, pages - 1);
    const first = page * PAGE_ROWS;
    const rows = ar.filtered.slice(first, first + PAGE_ROWS);
    $('#ar-rows').replaceChildren(...rows.map(makeRow));
    $('#ar-table').hidden = rows.length === 0;
    const pager = $('#ar-pager');
    pager.hidden = n <= PAGE_ROWS;
    oa.setText($('#ar-page-text'), t('pager.text', {
      page: oa.number(page + 1), pages: oa.number(pages), first: oa.number(n ? first + 1 : 0),
      last: oa.number(first + rows.length), count: oa.number(n),
    }));
    for (const b of pager.querySelectorAll('button')) {
      const back = b.dataset.page === 'first' || b.dataset.page === 'prev';
      b.disabled = back ? page === 0 : page >= pages - 1;
    }
    if (ar.loading) {
      return; // the status says how far the reading is
    }
    if (ar.error) {
      status(t('asrun.failed', {why: ar.error}), 'bad');
    } else if (ar.rows.length === 0) {
      status(t('asrun.none'));
    } else if (n === 0) {
      status(t('asrun.none_match', {count: oa.number(ar.rows.length)}));
    } else {
      status(n === ar.rows.length ? t('asrun.count', {count: oa.number(n)})
        : t('asrun.count_of', {count: oa.number(n), total: oa.number(ar.rows.length)}));
    }
  }

  function turn(to) {
    const pages = Math.max(1, Math.ceil(ar.filtered.length / PAGE_ROWS));
    const page = {first: 0, prev: ar.page - 1, next: ar.page + 1, last: pages - 1}[to];
    ar.page = Math.max(0, Math.min(pages - 1, page));
    writeRoute();
    renderPage();
  }

  function status(text, state) {
    const s = $('#ar-info');
    s.dataset.state = state || '';
    s.hidden = !text;
    oa.setText(s, text || '');
  }

  function fillChannels() {
    const sel = $('#ar-channel');
    if (!st.loaded) {
      return;
    }
    const want = st.order.join('\n') + st.lang;
    if (sel.dataset.filled === want) {
      return;
    }
    sel.dataset.filled = want;
    const all = oa.el('option', null, t('asrun.all_channels'));
    all.value = '';
    sel.replaceChildren(all, ...st.order.map((id) => {
      const o = oa.el('option', null, id);
      o.value = id;
      return o;
    }));
    sel.value = ar.channel;
    if (sel.value !== ar.channel && ar.active) {
      apply(true); // a channel the station no longer has: all
    }
  }

  function fillCampaigns() {
    $('#ar-campaigns').replaceChildren(...[...ar.campaigns].sort().map((c) => {
      const o = document.createElement('option');
      o.value = c;
      return o;
    }));
  }

  // ---- downloads ----------------------------------------------------------------------------

  function fileName(format) {
    const parts = ['asrun', ar.channel || 'all', ar.from];
    if (ar.to !== ar.from) {
      parts.push(ar.to);
    }
    if (ar.status) {
      parts.push(ar.status);
    }
    if (ar.campaign) {
      parts.push(ar.campaign.replace(/[^\w.-]+/g, '_'));
    }
    return parts.join('-') + '.' + format;
  }

  function renderDownloads() {
    for (const format of ['csv', 'json']) {
      const a = $('#ar-' + format);
      a.href = '/api/v1/asrun?' + serverQuery(format).toString();
      a.download = fileName(format);
    }
    const local = ar.status || ar.campaign;
    $('#ar-download-note').dataset.i18n = local ? 'asrun.download_local' : '';
    oa.setText($('#ar-download-note'), local ? t('asrun.download_local') : '');
  }

  function csvField(v) {
    if (v === null || v === undefined) {
      return '';
    }
    const s = String(v);
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  // The export made here: the daemon's rows of the channel and days, filtered as shown, in the
  // daemon's own layout (CSV: its header and columns; JSON: one object per line).
  async function localExport(format) {
    const r = await oa.api('/api/v1/asrun?' + serverQuery('json').toString(), {raw: true});
    if (!r.ok) {
      throw new Error('HTTP ' + r.status);
    }
    const keep = matches(ar.status, ar.campaign);
    const out = [];
    let columns = null;
    await readRows(r, (o) => {
      columns = columns || Object.keys(o);
      if (keep({status: o.status, campaign: o.campaign})) {
        out.push(format === 'csv'
          ? columns.map((c) => csvField(o[c])).join(',') : JSON.stringify(o));
      }
    });
    if (format === 'csv') {
      return [(columns || COLUMNS).join(',')].concat(out).join('\n') + '\n';
    }
    return out.length ? '[\n' + out.join(',\n') + '\n]\n' : '[]\n';
  }

  async function download(ev, format) {
    const local = ar.status || ar.campaign;
    if (!local && !st.token) {
      return; // the plain link: the browser downloads the daemon's export itself
    }
    ev.preventDefault();
    const a = ev.currentTarget;
    if (a.getAttribute('aria-busy') === 'true') {
      return;
    }
    a.setAttribute('aria-busy', 'true');
    const name = fileName(format);
    const type = format === 'csv' ? 'text/csv;charset=utf-8' : 'application/json';
    try {
      let blob;
      if (local) {
        blob = new Blob([await localExport(format)], {type});
      } else {
        const r = await oa.api(a.getAttribute('href'), {raw: true, interactive: true});
        if (!r.ok) {
          throw new Error('HTTP ' + r.status);
        }
        blob = await r.blob();
      }
      oa.saveBlob(blob, name);
    } catch (e) {
      status(t('asrun.download_failed', {why: e.message}), 'bad');
    } finally {
      a.removeAttribute('aria-busy');
    }
  }

  // ---- the chain check ----------------------------------------------------------------------

  async function verify() {
    ar.verifiedAt = Date.now();
    const box = $('#ar-verify');
    box.dataset.state = 'unknown';
    setVerifyText(t('verify.checking'));
    $('#ar-verify-again').disabled = true;
    try {
      const v = await oa.api('/api/v1/asrun/verify');
      ar.verify = v;
    } catch (e) {
      ar.verify = {failed: e.message};
    } finally {
      $('#ar-verify-again').disabled = false;
    }
    renderVerify();
  }

  function setVerifyText(text) {
    oa.setText($('#ar-verify-text'), text);
  }

  function renderVerify() {
    const v = ar.verify;
    const box = $('#ar-verify');
    if (!v) {
      return;
    }
    if (v.failed) {
      box.dataset.state = 'degraded';
      setVerifyText(t('verify.failed', {why: v.failed}));
      $('#ar-head').textContent = '';
      $('#ar-faults').replaceChildren();
      return;
    }
    box.dataset.state = v.ok ? 'ok' : 'degraded';
    setVerifyText(v.ok
      ? t('verify.ok', {rows: oa.number(v.rows), open: oa.number(v.open)})
      : t('verify.faults', {count: oa.number(v.fault_count), rows: oa.number(v.rows)}));
    $('#ar-head').textContent = v.head || '';
    const faults = (v.faults || []).slice(0, 5).map((f) =>
      oa.el('li', null, t('verify.fault', {id: f.id, channel: f.channel || '', what: f.what})));
    if ((v.fault_count || 0) > faults.length && faults.length) {
      const more = oa.number(v.fault_count - faults.length);
      faults.push(oa.el('li', 'muted', t('verify.more', {count: more})));
    }
    $('#ar-faults').replaceChildren(...faults);
  }

  // ---- wiring -------------------------------------------------------------------------------

  let typing = 0;
  $('#ar-form').addEventListener('submit', (ev) => ev.preventDefault());
  for (const id of ['#ar-channel', '#ar-from', '#ar-to', '#ar-status']) {
    $(id).addEventListener('change', () => apply(true));
  }
  $('#ar-campaign').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => apply(true), 250);
  });
  $('#ar-refresh').addEventListener('click', () => {
    ar.loadedKey = null;
    apply(true);
  });
  $('#ar-pager').addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-page]');
    if (b) {
      turn(b.dataset.page);
    }
  });
  $('#ar-csv').addEventListener('click', (ev) => download(ev, 'csv'));
  $('#ar-json').addEventListener('click', (ev) => download(ev, 'json'));
  $('#ar-verify-again').addEventListener('click', verify);

  oa.on('channels', () => {
    fillChannels();
  });
  oa.on('lang', () => {
    fillChannels();
    renderDownloads();
    renderPage();
    renderVerify();
  });

  oa.view('asrun', {enter, leave});
})();
