// onair operator console: the rundown page (#/rundown/CHANNEL/YYYY-MM-DD). The plan of a local
// day (GET /api/v1/channels/{id}/plan) with the as-run of that day laid over it (GET
// /api/v1/asrun, matched by scheduled start and media); the as-run is fetched again, debounced,
// when the stream says an item of the channel started or ended.
'use strict';

(function () {
  const oa = window.onair;
  const {$, t, st} = oa;
  const REFRESH_DEBOUNCE_MS = 1000;
  const PLAYED = ['aired', 'truncated', 'on-air']; // the statuses whose start error is shown

  const rd = {
    active: false,
    channel: null,
    day: null,
    plan: null,
    rows: [],
    error: '',
    asrunError: '',
    loading: false,
    seq: 0,
    asrunSeq: 0,
    nodes: new Map(), // entry key -> {tr, sig}
    entries: [],
    refreshTimer: 0,
    stale: false,
    offsets: new Map(), // channel -> UTC offset in minutes, from its plan
    nowKey: null,
    flash: 0,
    defaulted: false, // the day shown is "today", not one asked for
    pending: null, // the route asked for before the channels were known
    jumpAfterLoad: false,
  };

  function offset(id) {
    const off = oa.channelOffset(id);
    if (off !== null) {
      return off;
    }
    return rd.offsets.has(id) ? rd.offsets.get(id) : null;
  }

  function today(id) {
    return oa.todayIn(offset(id));
  }

  function hashFor(id, day) {
    return '#/rundown/' + encodeURIComponent(id) + '/' + day;
  }

  function go(id, day) {
    location.hash = hashFor(id, day);
  }

  function key(startIso, media) {
    return Date.parse(startIso) + '|' + (media || '');
  }

  // ---- loading ------------------------------------------------------------------------------

  function enter(parts) {
    rd.active = true;
    fillChannels();
    if (!st.loaded) {
      rd.pending = parts;
      status(t('rundown.waiting'));
      return;
    }
    rd.pending = null;
    if (st.order.length === 0) {
      status(t('channels.none'));
      return;
    }
    const id = st.order.includes(parts[0]) ? parts[0] : st.order[0];
    const day = oa.isDay(parts[1]) ? parts[1] : today(id);
    rd.defaulted = !oa.isDay(parts[1]);
    oa.replaceRoute(hashFor(id, day));
    $('#rd-channel').value = id;
    $('#rd-day').value = day;
    if (id !== rd.channel || day !== rd.day) {
      rd.channel = id;
      rd.day = day;
      load();
    } else if (rd.stale) {
      refreshAsrun();
    } else {
      render(); // the language or the time may have moved on while the page was hidden
    }
    renderHeading();
    updateNowButton();
  }

  function leave() {
    rd.active = false;
  }

  async function load() {
    const seq = ++rd.seq;
    const id = rd.channel;
    const day = rd.day;
    rd.plan = null;
    rd.rows = [];
    rd.error = '';
    rd.asrunError = '';
    rd.loading = true;
    rd.stale = false;
    status(t('rundown.loading'));
    render();
    const planning = oa.api('/api/v1/channels/' + encodeURIComponent(id) + '/plan?date=' + day);
    const reading = fetchAsrun(id, day);
    let plan = null;
    let rows = [];
    let error = '';
    let asrunError = '';
    try {
      plan = await planning;
    } catch (e) {
      error = e.message;
    }
    try {
      rows = await reading;
    } catch (e) {
      asrunError = e.message;
    }
    if (seq !== rd.seq) {
      return; // another day or channel was asked for meanwhile
    }
    Object.assign(rd, {plan, rows, error, asrunError, loading: false});
    // a channel that airs nothing now: its plan says its offset, and so which day is today
    if (plan && !rd.offsets.has(id)) {
      const off = oa.offsetOf(plan.from);
      if (off !== null) {
        rd.offsets.set(id, off);
        if (rd.defaulted && today(id) !== day) {
          enter([id, today(id)]);
          rd.defaulted = true;
          return;
        }
      }
    }
    render();
    if (rd.jumpAfterLoad) {
      rd.jumpAfterLoad = false;
      jumpToNow();
    }
  }

  function fetchAsrun(id, day) {
    const q = new URLSearchParams({channel: id, from: day, to: oa.addDays(day, 1), format: 'json'});
    return oa.api('/api/v1/asrun?' + q.toString()).then((a) => (Array.isArray(a) ? a : []));
  }

  // Only the as-run again: what aired changes, the plan does not.
  async function refreshAsrun() {
    if (!rd.channel || rd.loading) {
      return;
    }
    rd.stale = false;
    const seq = rd.seq;
    const aseq = ++rd.asrunSeq;
    try {
      const rows = await fetchAsrun(rd.channel, rd.day);
      if (seq !== rd.seq || aseq !== rd.asrunSeq) {
        return;
      }
      rd.rows = rows;
      rd.asrunError = '';
    } catch (e) {
      if (seq !== rd.seq) {
        return;
      }
      rd.asrunError = e.message;
    }
    render();
  }

  function scheduleRefresh() {
    clearTimeout(rd.refreshTimer);
    rd.refreshTimer = setTimeout(() => {
      if (rd.active) {
        refreshAsrun();
      } else {
        rd.stale = true;
      }
    }, REFRESH_DEBOUNCE_MS);
  }

  // ---- the rows -----------------------------------------------------------------------------

  // Plan items, dropped breaks and the as-run rows that match no plan item (inserts, items of
  // an earlier schedule), in time order.
  function buildEntries() {
    const plan = rd.plan || {items: [], dropped: []};
    const byKey = new Map();
    for (const r of rd.rows) {
      const k = key(r.scheduled_start, r.media);
      if (!byKey.has(k)) {
        byKey.set(k, []);
      }
      byKey.get(k).push(r);
    }
    const out = [];
    let n = 0;
    for (const it of plan.items || []) {
      const k = key(it.start, it.media);
      const rows = byKey.get(k) || [];
      byKey.delete(k);
      out.push({type: 'item', at: Date.parse(it.start), n: n++, key: 'i' + k, item: it, rows});
    }
    for (const d of plan.dropped || []) {
      out.push({type: 'dropped', at: Date.parse(d.at), n: n++, key: 'd' + d.break + '@' + d.at,
        drop: d});
    }
    for (const [k, rows] of byKey) {
      rows.forEach((r, i) => {
        out.push({type: 'extra', at: Date.parse(r.scheduled_start), n: n++, key: 'x' + k + '#' + i,
          item: {start: r.scheduled_start, end: r.scheduled_end, kind: r.kind, media: r.media,
            title: r.title, campaign: r.campaign, break: r.break}, rows: [r]});
      });
    }
    out.sort((a, b) => a.at - b.at || a.n - b.n);
    return out;
  }

  function startError(r) {
    return oa.startError(r.actual_start, r.scheduled_start);
  }

  // What one as-run row says, in words: its status and its start error or its detail.
  function rowStatus(r) {
    const status = r.status || (r.actual_start ? 'on-air' : 'pending');
    const notes = [];
    if (r.actual_start && PLAYED.includes(status)) {
      notes.push(startError(r));
    }
    if (r.detail) {
      notes.push(r.detail);
    }
    return {status, word: t('status.' + status), notes};
  }

  function dropReason(reason) {
    if (reason === 'empty' || reason === 'exception') {
      return t('dropped.' + reason);
    }
    const m = /^programme (.+)$/.exec(reason || '');
    return m ? t('dropped.programme', {id: m[1]}) : reason || '';
  }

  // The words of a row, from which its element is made (and by which an unchanged row is kept).
  function cells(e, now) {
    if (e.type === 'dropped') {
      return {
        state: 'dropped', time: oa.clock(e.drop.at), kind: t('rundown.dropped_kind'),
        title: t('rundown.dropped_title', {id: e.drop.break}), sub: '', camp: e.drop.break,
        statuses: [{
          status: 'dropped', word: t('status.dropped'), notes: [dropReason(e.drop.reason)],
        }],
      };
    }
    const it = e.item;
    let statuses = e.rows.map(rowStatus);
    if (statuses.length === 0) {
      const end = Date.parse(it.end);
      const st0 = e.at;
      const s = end <= now ? 'missing' : st0 <= now ? 'due' : 'planned';
      statuses = [{status: s, word: t('status.' + s), notes: []}];
    }
    // a make-good names the airing it stands in for
    const camp = [it.campaign, it.break, it.make_good_of ? '↺ ' + oa.clock(it.make_good_of) : '']
      .filter(Boolean).join(' · ');
    return {
      state: statuses[statuses.length - 1].status,
      time: oa.clock(it.start) + '–' + oa.clock(it.end),
      kind: t('item.' + (e.type === 'extra' && e.rows[0].kind === 'insert' ? 'insert' : it.kind)),
      title: it.title || it.media || '', sub: it.media || '', camp, statuses,
      extra: e.type === 'extra',
    };
  }

  function makeRow(c) {
    const tr = document.createElement('tr');
    tr.dataset.status = c.state;
    if (c.extra) {
      tr.dataset.extra = 'true';
    }
    tr.tabIndex = -1;
    const time = oa.el('td', 'c-time', c.time);
    time.dataset.label = t('col.time');
    const kind = oa.el('td', 'c-kind', c.kind);
    kind.dataset.label = t('col.kind');
    const title = oa.el('td', 'c-title');
    title.dataset.label = t('col.title');
    const words = oa.el('span'); // one box beside the label when the rows stack
    words.append(oa.el('span', 'title-text', c.title));
    if (c.sub && c.sub !== c.title) {
      words.append(' ', oa.el('span', 'media-id', c.sub));
    }
    title.append(words);
    const camp = oa.el('td', 'c-camp', c.camp);
    camp.dataset.label = t('col.campaign');
    const asrun = oa.el('td', 'c-asrun');
    asrun.dataset.label = t('col.asrun');
    const lines = oa.el('div');
    for (const s of c.statuses) {
      const line = oa.el('div', 'status-line');
      const badge = oa.el('span', 'badge', s.word);
      badge.dataset.status = s.status;
      line.append(badge);
      const notes = s.notes.filter(Boolean);
      if (notes.length) {
        line.append(' ', oa.el('span', 'note', notes.join(' · ')));
      }
      lines.append(line);
    }
    asrun.append(lines);
    tr.append(time, kind, title, camp, asrun);
    return tr;
  }

  function render() {
    if (!st.ready) {
      return;
    }
    renderHeading();
    const table = $('#rd-table');
    const body = $('#rd-rows');
    if (rd.loading) {
      return; // the old rows stay until the new ones are there
    }
    if (rd.error) {
      status(t('rundown.failed', {why: rd.error}), 'bad');
      table.hidden = true;
      body.replaceChildren();
      rd.nodes.clear();
      $('#rd-summary').hidden = true;
      return;
    }
    const now = Date.now();
    rd.entries = buildEntries();
    const nodes = new Map();
    const trs = rd.entries.map((e) => {
      const c = cells(e, now);
      const sig = st.lang + JSON.stringify(c);
      const old = rd.nodes.get(e.key);
      const tr = old && old.sig === sig ? old.tr : makeRow(c);
      tr.dataset.key = e.key;
      nodes.set(e.key, {tr, sig});
      return tr;
    });
    // rows whose words did not change stay the same elements, and the others are swapped one
    // by one: the page does not jump under the operator's eyes
    const shown = [...body.children];
    const sameRows = shown.length === trs.length &&
      shown.every((tr, i) => tr.dataset.key === trs[i].dataset.key);
    if (sameRows) {
      shown.forEach((tr, i) => {
        if (tr !== trs[i]) {
          tr.replaceWith(trs[i]);
        }
      });
    } else {
      body.replaceChildren(...trs);
    }
    rd.nodes = nodes;
    rd.nowKey = null;
    table.hidden = trs.length === 0;
    if (trs.length === 0) {
      status(t('rundown.empty'));
    } else if (rd.asrunError) {
      status(t('rundown.asrun_failed', {why: rd.asrunError}), 'bad');
    } else {
      status('');
    }
    renderSummary();
    markNow();
  }

  function renderSummary() {
    const s = $('#rd-summary');
    const items = rd.entries.filter((e) => e.type === 'item').length;
    const inserts = rd.entries.filter((e) => e.type === 'extra').length;
    const dropped = rd.entries.filter((e) => e.type === 'dropped').length;
    const counts = new Map();
    for (const r of rd.rows) {
      const k = r.status || 'on-air';
      counts.set(k, (counts.get(k) || 0) + 1);
    }
    const parts = [t('rundown.count_items', {count: oa.number(items)})];
    if (inserts) {
      parts.push(t('rundown.count_extra', {count: oa.number(inserts)}));
    }
    if (dropped) {
      parts.push(t('rundown.count_dropped', {count: oa.number(dropped)}));
    }
    for (const k of ['aired', 'truncated', 'failed', 'skipped', 'interrupted', 'on-air']) {
      if (counts.get(k)) {
        parts.push(t('status.' + k) + ': ' + oa.number(counts.get(k)));
      }
    }
    s.hidden = false;
    oa.setText(s, parts.join(' · '));
  }

  function renderHeading() {
    const e = rd.channel && st.channels.get(rd.channel);
    const name = e ? (e.data.name || rd.channel) : (rd.channel || '');
    oa.setTitle($('#rd-title'), rd.day ? name + ' — ' + rd.day : name);
  }

  function status(text, state) {
    const s = $('#rd-status');
    s.dataset.state = state || '';
    s.hidden = !text;
    oa.setText(s, text || '');
  }

  // ---- now ----------------------------------------------------------------------------------

  // The row of what the channel airs now (from the stream), else none.
  function nowEntry() {
    const c = st.channels.get(rd.channel);
    const item = c && c.data.now;
    if (!item) {
      return null;
    }
    const k = key(item.start, item.media);
    return rd.entries.find((e) => e.key === 'i' + k || e.key.startsWith('x' + k + '#')) || null;
  }

  function markNow() {
    const e = nowEntry();
    const k = e ? e.key : null;
    if (k === rd.nowKey) {
      return;
    }
    const old = rd.nowKey && rd.nodes.get(rd.nowKey);
    if (old) {
      old.tr.classList.remove('is-now');
      old.tr.removeAttribute('aria-current');
    }
    rd.nowKey = k;
    const node = k && rd.nodes.get(k);
    if (node) {
      node.tr.classList.add('is-now');
      node.tr.setAttribute('aria-current', 'time');
    }
  }

  // On another day the button goes to today, then jumps.
  function updateNowButton() {
    $('#rd-now').disabled = !rd.channel;
  }

  function jumpToNow() {
    if (rd.day !== today(rd.channel)) {
      rd.jumpAfterLoad = true;
      go(rd.channel, today(rd.channel));
      return;
    }
    if (rd.loading) {
      rd.jumpAfterLoad = true;
      return;
    }
    let e = nowEntry();
    if (!e) {
      const now = Date.now();
      e = rd.entries.find((x) => x.at >= now) || rd.entries[rd.entries.length - 1];
    }
    const node = e && rd.nodes.get(e.key);
    if (!node) {
      return;
    }
    node.tr.scrollIntoView({block: 'center'});
    node.tr.focus({preventScroll: true});
    node.tr.classList.add('flash');
    clearTimeout(rd.flash);
    rd.flash = setTimeout(() => node.tr.classList.remove('flash'), 2000);
  }

  // ---- the controls -------------------------------------------------------------------------

  function fillChannels() {
    const sel = $('#rd-channel');
    const want = st.order.join('\n') + st.lang;
    if (sel.dataset.filled === want) {
      return;
    }
    sel.dataset.filled = want;
    sel.replaceChildren(...st.order.map((id) => {
      const e = st.channels.get(id);
      const o = oa.el('option', null, (e && e.data.name ? e.data.name + ' — ' : '') + id);
      o.value = id;
      return o;
    }));
    if (rd.channel) {
      sel.value = rd.channel;
    }
  }

  $('#rd-channel').addEventListener('change', (ev) => {
    const id = ev.target.value;
    // the same day on another channel, unless the day shown was today
    const day = rd.day && rd.day !== today(rd.channel) ? rd.day : today(id);
    go(id, day);
  });
  $('#rd-day').addEventListener('change', (ev) => {
    if (oa.isDay(ev.target.value)) {
      go(rd.channel, ev.target.value);
    }
  });
  $('#rd-prev').addEventListener('click', () => go(rd.channel, oa.addDays(rd.day, -1)));
  $('#rd-next').addEventListener('click', () => go(rd.channel, oa.addDays(rd.day, 1)));
  $('#rd-today').addEventListener('click', () => go(rd.channel, today(rd.channel)));
  $('#rd-now').addEventListener('click', jumpToNow);
  $('#rd-form').addEventListener('submit', (ev) => ev.preventDefault());

  oa.on('item', (ev) => {
    if (ev.channel === rd.channel && rd.day) {
      const d = oa.day(ev.item && ev.item.start);
      if (!d || d === rd.day || d === oa.addDays(rd.day, 1) || d === oa.addDays(rd.day, -1)) {
        scheduleRefresh();
      }
    }
  });
  oa.on('channel', (id) => {
    if (rd.active && id === rd.channel && !rd.loading) {
      markNow();
    }
  });
  oa.on('channels', () => {
    fillChannels();
    if (rd.active && rd.pending) {
      enter(rd.pending);
    } else if (rd.active) {
      renderHeading();
      updateNowButton();
    }
  });
  oa.on('reload', (r) => {
    if (r && r.status === 'reloaded' && rd.channel) {
      if (rd.active) {
        load(); // the schedule may have changed: the plan too
      } else {
        rd.day = null; // loaded again on the next visit
      }
    }
  });
  oa.on('lang', () => {
    fillChannels();
    if (rd.active && !rd.loading && rd.channel) {
      render();
    }
  });

  oa.view('rundown', {enter, leave});
  // the status of past rows moves from planned to missing as time goes by
  setInterval(() => {
    if (rd.active && !rd.loading && rd.channel && rd.day === today(rd.channel)) {
      render();
    }
  }, 30000);
})();
