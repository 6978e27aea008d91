// onair operator console: the station page. Plain JavaScript, no framework, no build step.
//
// Data: one GET /api/v1/channels (+ /api/v1/health) when the event stream says hello (so the
// snapshot is taken after the stream is subscribed: nothing falls between them), again on
// `resync` and `reload`; everything else comes from the stream /api/v1/events. There is no
// polling loop: the progress bars move on the client clock (performance.now()) from the
// elapsed_ms / remaining_ms of the last update.
'use strict';

(function () {
  const LANGS = ['lo', 'en'];
  const STORE_KEY = 'onair.lang';
  const TICK_MS = 250;
  const FIRST_FETCH_MS = 1500; // fetch anyway when the stream has not said hello by then
  const RETRY_MIN_MS = 2000;
  const RETRY_MAX_MS = 30000;
  const LAO = /[\u0E80-\u0EFF]/;

  const st = {
    lang: 'en',
    cat: {},
    catalogues: {},
    channels: new Map(), // id -> {data, at (performance.now() when data arrived)}
    order: [],
    cards: new Map(), // id -> card elements
    loaded: false,
    station: '',
    health: null,
    link: 'connecting',
    fetching: null,
    refetch: false,
    buffer: null, // channel events that arrive while a snapshot is being fetched
    es: null,
    retryMs: RETRY_MIN_MS,
    retryTimer: 0,
    failure: '',
    notice: null,
    noticeTimer: 0,
    lostAt: 0,
    ready: false, // a catalogue is loaded
  };

  const $ = (sel, root) => (root || document).querySelector(sel);

  // ---- language -------------------------------------------------------------------------

  function storedLang() {
    try {
      const s = localStorage.getItem(STORE_KEY);
      return LANGS.includes(s) ? s : null;
    } catch (e) {
      return null; // storage disabled: the choice lasts for this page only
    }
  }

  function preferredLang() {
    const asked = navigator.languages && navigator.languages.length
      ? navigator.languages : [navigator.language || 'en'];
    for (const tag of asked) {
      const primary = String(tag).toLowerCase().split('-')[0];
      if (primary === 'lo' || primary === 'en') {
        return primary;
      }
    }
    return 'en';
  }

  function t(key, params) {
    let s = Object.prototype.hasOwnProperty.call(st.cat, key) ? st.cat[key] : key;
    if (params) {
      s = s.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
    }
    return s;
  }

  async function loadCatalogue(lang) {
    if (!st.catalogues[lang]) {
      st.catalogues[lang] = await getJSON('/static/i18n/' + lang + '.json');
    }
    return st.catalogues[lang];
  }

  async function setLang(lang, remember) {
    if (remember) {
      try {
        localStorage.setItem(STORE_KEY, lang);
      } catch (e) { /* storage disabled */ }
    }
    try {
      st.cat = await loadCatalogue(lang);
      st.lang = lang;
    } catch (e) {
      showNotice('Could not load the ' + lang + ' translations: ' + e.message, false);
      if (st.ready) {
        return;
      }
      lang = st.lang; // no catalogue at all: the page shows the keys rather than nothing
    }
    st.ready = true;
    document.documentElement.lang = lang;
    document.title = t('page.title');
    translate(document);
    for (const b of document.querySelectorAll('.lang button')) {
      b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
    }
    renderAll();
  }

  function translate(root) {
    for (const el of root.querySelectorAll('[data-i18n]')) {
      el.textContent = t(el.dataset.i18n);
    }
  }

  // ---- formatting -------------------------------------------------------------------------

  // The server writes times in the channel's zone: show that local part, not the browser's.
  function clock(iso) {
    const m = /T(\d{2}:\d{2}:\d{2})/.exec(iso || '');
    return m ? m[1] : '';
  }

  function zone(iso) {
    const m = /(Z|[+-]\d{2}:\d{2})$/.exec(iso || '');
    if (!m) {
      return '';
    }
    return m[1] === 'Z' ? 'UTC' : 'UTC' + m[1];
  }

  // The wall clock in the zone of the first channel (the station's), else the browser's.
  function stationClock() {
    const first = st.channels.get(st.order[0]);
    const item = first && (first.data.now || first.data.next);
    const m = item && /(?:([+-])(\d{2}):(\d{2})|Z)$/.exec(item.start);
    if (!m) {
      return new Date().toTimeString().slice(0, 8);
    }
    const offset = m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60000 : 0;
    return new Date(Date.now() + offset).toISOString().slice(11, 19);
  }

  function span(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(s / 3600);
    const mm = Math.floor((s % 3600) / 60);
    const ss = String(s % 60).padStart(2, '0');
    return h > 0 ? h + ':' + String(mm).padStart(2, '0') + ':' + ss : mm + ':' + ss;
  }

  function setText(el, text) {
    if (el.textContent !== text) {
      el.textContent = text;
    }
  }

  // Lao titles are marked so screen readers and the Lao font stack apply to them.
  function setTitle(el, text) {
    setText(el, text);
    if (LAO.test(text)) {
      el.lang = 'lo';
    } else {
      el.removeAttribute('lang');
    }
  }

  // ---- network ------------------------------------------------------------------------------

  async function getJSON(url, okStatuses) {
    const r = await fetch(url, {cache: 'no-store', headers: {Accept: 'application/json'}});
    if (!r.ok && !(okStatuses || []).includes(r.status)) {
      let why = 'HTTP ' + r.status;
      try {
        why = (await r.json()).error || why;
      } catch (e) { /* not JSON */ }
      throw new Error(why);
    }
    return r.json();
  }

  // Takes a snapshot of every channel and the health. Channel events that come while it is on
  // its way are kept and applied after it, so a stale snapshot never undoes a newer event.
  function resync() {
    if (st.fetching) {
      st.refetch = true;
      return st.fetching;
    }
    st.buffer = [];
    st.fetching = (async () => {
      try {
        const [list, health] = await Promise.all([
          getJSON('/api/v1/channels'),
          getJSON('/api/v1/health', [503]),
        ]);
        applySnapshot(list);
        st.health = health;
        st.failure = '';
        const later = st.buffer || [];
        st.buffer = null;
        later.forEach(applyChannel);
      } catch (e) {
        st.buffer = null;
        st.failure = e.message;
      } finally {
        st.fetching = null;
        renderAll();
        if (st.refetch) {
          st.refetch = false;
          resync();
        }
      }
    })();
    return st.fetching;
  }

  function connect() {
    clearTimeout(st.retryTimer);
    const es = new EventSource('/api/v1/events');
    st.es = es;
    es.addEventListener('hello', () => {
      st.retryMs = RETRY_MIN_MS;
      setLink('live');
      resync();
    });
    es.addEventListener('channel', (ev) => {
      const ch = parse(ev);
      if (!ch || !ch.id) {
        return;
      }
      if (st.buffer) {
        st.buffer.push(ch);
      } else {
        applyChannel(ch);
      }
    });
    es.addEventListener('item', (ev) => applyItem(parse(ev)));
    es.addEventListener('health', (ev) => {
      const h = parse(ev);
      if (h && h.status) {
        st.health = h;
        renderHealth();
      }
    });
    es.addEventListener('reload', (ev) => {
      const r = parse(ev) || {};
      const time = stationClock();
      if (r.status === 'reloaded') {
        showNotice(t('notice.reloaded', {time}), true);
      } else {
        const why = (r.diagnostics || []).slice(0, 3).map((d) =>
          (d.file ? d.file + ':' + d.line + ':' + d.column + ': ' : '') + d.message).join(' ');
        showNotice(t('notice.refused', {time, why}), false);
      }
      resync(); // channels may have come or gone
    });
    es.addEventListener('resync', () => {
      resync();
    });
    es.addEventListener('error', () => {
      setLink('lost');
      if (es.readyState === EventSource.CLOSED) {
        // the browser gave up (an HTTP error, not an event stream): try again ourselves
        es.close();
        st.retryTimer = setTimeout(connect, st.retryMs);
        st.retryMs = Math.min(RETRY_MAX_MS, st.retryMs * 2);
      }
    });
  }

  function parse(ev) {
    try {
      return JSON.parse(ev.data);
    } catch (e) {
      return null;
    }
  }

  // ---- model ----------------------------------------------------------------------------------

  function applySnapshot(list) {
    const channels = Array.isArray(list.channels) ? list.channels : [];
    const now = performance.now();
    st.station = typeof list.station === 'string' ? list.station : st.station;
    st.order = channels.map((c) => c.id);
    st.channels = new Map(channels.map((c) => [c.id, {data: c, at: now}]));
    for (const [id, card] of st.cards) {
      if (!st.channels.has(id)) {
        card.root.remove();
        st.cards.delete(id);
      }
    }
    st.loaded = true;
  }

  function applyChannel(ch) {
    st.channels.set(ch.id, {data: ch, at: performance.now()});
    if (!st.order.includes(ch.id)) {
      st.order.push(ch.id);
    }
    renderCard(ch.id);
    renderHealth(); // the reasons in words come with the stream's `health` event
  }

  // `item` events say what started or ended; the `channel` event that follows carries the whole
  // picture, so this only keeps the card right in between.
  function applyItem(ev) {
    if (!ev || !ev.item || st.buffer) {
      return;
    }
    const entry = st.channels.get(ev.channel);
    if (!entry) {
      return;
    }
    const ch = Object.assign({}, entry.data);
    const item = ev.item;
    if (ev.event === 'started') {
      ch.now = Object.assign({elapsed_ms: 0, remaining_ms: length(item)}, item);
      if (ch.next && ch.next.start === item.start && ch.next.media === item.media) {
        ch.next = null;
      }
    } else if (ev.event === 'ended' && ch.now && ch.now.start === item.start &&
               ch.now.media === item.media) {
      ch.now = null;
    } else {
      return;
    }
    st.channels.set(ev.channel, {data: ch, at: performance.now()});
    renderCard(ev.channel);
  }

  function length(item) {
    const ms = Date.parse(item.end) - Date.parse(item.start);
    return Number.isFinite(ms) && ms > 0 ? ms : 0;
  }

  // ---- view -----------------------------------------------------------------------------------

  function setLink(link) {
    if (st.link === link) {
      return;
    }
    st.link = link;
    st.lostAt = link === 'lost' ? performance.now() : 0;
    renderAll();
  }

  function showNotice(text, fades) {
    const el = $('#notice');
    clearTimeout(st.noticeTimer);
    el.textContent = text;
    el.hidden = false;
    if (fades) {
      st.noticeTimer = setTimeout(() => { el.hidden = true; }, 60000);
    }
  }

  function renderAll() {
    if (!st.ready) {
      return; // nothing to say before a catalogue is there; setLang renders then
    }
    const link = $('#link');
    link.dataset.state = st.link;
    $('#link-text').dataset.i18n = 'link.' + st.link;
    setText($('#link-text'), t('link.' + st.link));
    setText($('#station'), st.station);
    renderHealth();
    const empty = $('#empty');
    if (!st.loaded) {
      empty.dataset.i18n = 'channels.loading';
      setText(empty, st.failure ? t('channels.failed', {why: st.failure}) : t('channels.loading'));
    } else {
      empty.dataset.i18n = 'channels.none';
      setText(empty, t('channels.none'));
    }
    empty.hidden = st.loaded && st.order.length > 0;
    for (const id of st.order) {
      renderCard(id);
    }
    placeCards();
    tick();
  }

  // The cards follow the server's order (a channel that a reload adds goes where it is listed).
  function placeCards() {
    const main = $('#channels');
    const shown = [...main.querySelectorAll(':scope > .card')];
    const wanted = st.order.map((id) => st.cards.get(id)).filter(Boolean).map((c) => c.root);
    const from = wanted.findIndex((el, i) => shown[i] !== el);
    if (from >= 0) {
      main.append(...wanted.slice(from)); // moves them, in order, after the ones in place
    }
  }

  function renderHealth() {
    if (!st.ready) {
      return;
    }
    const el = $('#health');
    const text = $('#health-text');
    let state;
    let words;
    if (st.link === 'lost') {
      state = 'lost';
      words = t('health.lost');
    } else if (!st.loaded) {
      state = 'unknown';
      words = t('health.unknown');
    } else {
      const all = [...st.channels.values()].map((e) => e.data);
      const down = all.filter((c) => !c.airing).length;
      const reasons = st.health && Array.isArray(st.health.degraded) ? st.health.degraded : [];
      if (down === 0 && reasons.length === 0) {
        state = 'ok';
        words = t('health.ok');
      } else {
        state = 'degraded';
        const parts = [t('health.degraded')];
        if (down > 0) {
          parts.push(t('health.not_airing', {count: down, total: all.length}));
        }
        words = parts.concat(reasons).join(' — ');
      }
    }
    el.dataset.state = state;
    text.removeAttribute('data-i18n');
    setText(text, words);
  }

  function card(id) {
    let c = st.cards.get(id);
    if (c) {
      return c;
    }
    const root = $('#card').content.firstElementChild.cloneNode(true);
    translate(root);
    const q = (sel) => $(sel, root);
    c = {
      root, name: q('.name'), cid: q('.cid'), kind: q('.kind'), zone: q('.zone'),
      stateText: q('.state-text'), now: q('.now'), title: q('.title'), itemKind: q('.item-kind'),
      campaignWrap: q('.campaign-wrap'), campaign: q('.campaign'), start: q('.start'),
      bar: q('.bar'), elapsed: q('.elapsed'), remaining: q('.remaining'),
      nextStart: q('.next-start'), nextTitle: q('.next-title'), outputs: q('.outputs'),
      outputsKey: '',
    };
    root.dataset.channel = id;
    root.setAttribute('aria-labelledby', 'ch-' + id);
    c.name.id = 'ch-' + id;
    st.cards.set(id, c);
    $('#channels').appendChild(root);
    return c;
  }

  function renderCard(id) {
    const entry = st.channels.get(id);
    if (!entry || !st.ready) {
      return;
    }
    const ch = entry.data;
    const c = card(id);
    setTitle(c.name, ch.name || ch.id);
    setText(c.cid, ch.id);
    setText(c.kind, t('kind.' + ch.kind));
    setText(c.zone, zone((ch.now || ch.next || {}).start));

    let state = 'unknown';
    let words = t('state.unknown');
    if (st.link === 'lost') {
      state = 'lost';
      words = t('state.lost');
    } else if (ch.airing) {
      state = 'on-air';
      words = t('state.on_air');
    } else if (ch.airing === false) {
      state = 'down';
      words = ch.down_reason ? t('state.down_reason', {reason: ch.down_reason}) : t('state.down');
    }
    c.root.dataset.state = state;
    setText(c.stateText, words);

    const now = ch.now;
    if (now) {
      c.now.dataset.kind = now.kind || 'spot';
      setTitle(c.title, now.title || now.media || '');
      setText(c.itemKind, t('item.' + (now.kind || 'spot')));
      c.campaignWrap.hidden = !now.campaign;
      setText(c.campaign, now.campaign || '');
      setText(c.start, clock(now.start));
      c.start.dateTime = now.start || '';
      const total = typeof now.elapsed_ms === 'number' && typeof now.remaining_ms === 'number'
        ? now.elapsed_ms + now.remaining_ms : length(now);
      c.bar.max = Math.max(1, total);
      c.bar.setAttribute('aria-label', t('label.progress', {title: now.title || now.media || ''}));
    } else {
      c.now.dataset.kind = 'filler';
      setTitle(c.title, t('now.filler'));
      setText(c.itemKind, t('item.filler'));
      c.campaignWrap.hidden = true;
      c.bar.max = 1;
      c.bar.value = 0;
    }

    const next = ch.next;
    setText(c.nextStart, next ? clock(next.start) : '');
    c.nextStart.dateTime = next ? next.start : '';
    setTitle(c.nextTitle, next ? (next.title || next.media || '') : t('next.none'));
    c.nextTitle.classList.toggle('next-none', !next);

    renderOutputs(c, ch.outputs || []);
    tickCard(id, performance.now());
  }

  function renderOutputs(c, outputs) {
    const key = st.lang + JSON.stringify(outputs);
    if (key === c.outputsKey) {
      return;
    }
    c.outputsKey = key;
    const items = outputs.map((o) => {
      const li = document.createElement('li');
      const name = document.createElement('span');
      name.className = 'out-name';
      name.textContent = o.name || o.type;
      const state = document.createElement('span');
      state.className = 'out-state';
      state.dataset.state = o.state;
      let words = t('output.' + o.state);
      if (o.reconnects > 0) {
        words += ' (' + t('output.reconnects', {count: o.reconnects}) + ')';
      }
      state.textContent = words;
      li.append(name, state);
      if (o.last_error && o.state !== 'up') {
        const err = document.createElement('span');
        err.className = 'out-error';
        err.textContent = o.last_error;
        li.append(err);
      }
      return li;
    });
    if (items.length === 0) {
      const li = document.createElement('li');
      li.className = 'next-none';
      li.textContent = t('outputs.none');
      items.push(li);
    }
    c.outputs.replaceChildren(...items);
  }

  // Moves the progress bars on the client clock; nothing is asked of the server.
  function tick() {
    const now = performance.now();
    for (const id of st.order) {
      tickCard(id, now);
    }
  }

  function tickCard(id, at) {
    const entry = st.channels.get(id);
    const c = st.cards.get(id);
    if (!entry || !c || !entry.data.now) {
      return;
    }
    const item = entry.data.now;
    const total = c.bar.max;
    const base = typeof item.elapsed_ms === 'number' ? item.elapsed_ms : 0;
    // a lost connection freezes the bar: the page no longer knows what airs
    const moved = (st.lostAt ? Math.max(entry.at, st.lostAt) : at) - entry.at;
    const elapsed = Math.min(total, Math.max(0, base + moved));
    c.bar.value = elapsed;
    setText(c.elapsed, span(elapsed));
    setText(c.remaining, '−' + span(Math.ceil((total - elapsed) / 1000) * 1000));
  }

  // ---- start ------------------------------------------------------------------------------------

  function start() {
    for (const b of document.querySelectorAll('.lang button')) {
      b.addEventListener('click', () => setLang(b.dataset.lang, true));
    }
    setLang(storedLang() || preferredLang(), false);
    connect();
    setTimeout(() => {
      if (!st.loaded && !st.fetching) {
        resync();
      }
    }, FIRST_FETCH_MS);
    setInterval(tick, TICK_MS);
    renderAll();
  }

  start();
})();
