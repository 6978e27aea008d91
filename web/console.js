// onair operator console: the core (language, API calls and the token, the event stream, the
// page router) and the station page. Plain JavaScript, no framework, no build step.
// controls.js, live.js, rundown.js, asrun.js and campaigns.js add to it through window.onair.
//
// Data: one GET /api/v1/channels (+ /api/v1/health) when the event stream says hello (so the
// snapshot is taken after the stream is subscribed: nothing falls between them), again on
// `resync` and `reload`; everything else comes from the stream /api/v1/events. There is no
// polling loop: the progress bars move on the client clock (performance.now()) from the
// elapsed_ms / remaining_ms of the last update.
//
// The token (control.token_file) is asked for when a call answers 401, kept in sessionStorage
// (this tab only, never in a URL) and sent as `Authorization: Bearer` on every API call. A
// browser's EventSource cannot send it, so with a token the stream is read with fetch().
'use strict';

(function () {
  const LANGS = ['lo', 'en'];
  const STORE_KEY = 'onair.lang';
  const TOKEN_KEY = 'onair.token';
  const TICK_MS = 250;
  const FIRST_FETCH_MS = 1500; // fetch anyway when the stream has not said hello by then
  const RETRY_MIN_MS = 2000;
  const RETRY_MAX_MS = 30000;
  const LAO = /[\u0E80-\u0EFF]/;
  const STREAM_EVENTS = ['hello', 'channel', 'item', 'health', 'levels', 'reload', 'resync'];

  const st = {
    lang: 'en',
    cat: {},
    catalogues: {},
    channels: new Map(), // id -> {data, at (performance.now() when data arrived)}
    order: [],
    cards: new Map(), // id -> card elements
    loaded: false,
    station: '',
    national: false, // the daemon reads a national database (GET /channels)
    health: null,
    link: 'connecting',
    fetching: null,
    refetch: false,
    buffer: null, // channel events that arrive while a snapshot is being fetched
    es: null, // the EventSource, without a token
    stream: null, // the AbortController of the fetch()ed stream, with a token
    retryMs: RETRY_MIN_MS,
    serverRetryMs: RETRY_MIN_MS,
    retryTimer: 0,
    failure: '',
    notice: null, // {key, params} of the notice shown
    noticeTimer: 0,
    lostAt: 0,
    ready: false, // a catalogue is loaded
    token: null,
    signing: null, // the promise of the sign-in dialog while it is open
    declined: false, // the operator cancelled a sign-in: background calls do not ask again
    view: null,
  };

  const $ = (sel, root) => (root || document).querySelector(sel);
  const listeners = new Map();
  const views = new Map();

  function on(name, fn) {
    if (!listeners.has(name)) {
      listeners.set(name, []);
    }
    listeners.get(name).push(fn);
  }

  function emit(name, arg) {
    for (const fn of listeners.get(name) || []) {
      try {
        fn(arg);
      } catch (e) {
        console.error(e); // one listener's bug does not stop the others
      }
    }
  }

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
      const r = await fetch('/static/i18n/' + lang + '.json', {cache: 'no-cache'});
      if (!r.ok) {
        throw new Error('HTTP ' + r.status);
      }
      st.catalogues[lang] = await r.json();
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
    translate(document);
    for (const b of document.querySelectorAll('.lang button')) {
      b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
    }
    setTitleFor(st.view);
    if (st.notice && !$('#notice').hidden) {
      $('#notice').textContent = t(st.notice.key, st.notice.params);
    }
    renderAuth();
    renderAll();
    emit('lang', lang);
  }

  function translate(root) {
    for (const el of root.querySelectorAll('[data-i18n]')) {
      el.textContent = t(el.dataset.i18n);
    }
    for (const el of root.querySelectorAll('[data-i18n-aria]')) {
      el.setAttribute('aria-label', t(el.dataset.i18nAria));
    }
  }

  // ---- formatting -------------------------------------------------------------------------

  // The server writes times in the channel's zone: show that local part, not the browser's.
  function clock(iso) {
    const m = /T(\d{2}:\d{2}:\d{2})/.exec(iso || '');
    return m ? m[1] : '';
  }

  function day(iso) {
    const m = /^(\d{4}-\d{2}-\d{2})/.exec(iso || '');
    return m ? m[1] : '';
  }

  function zone(iso) {
    const m = /(Z|[+-]\d{2}:\d{2})$/.exec(iso || '');
    if (!m) {
      return '';
    }
    return m[1] === 'Z' ? 'UTC' : 'UTC' + m[1];
  }

  // The UTC offset of an ISO 8601 time, in minutes; null when it has none.
  function offsetOf(iso) {
    const m = /(?:([+-])(\d{2}):(\d{2})|Z)$/.exec(iso || '');
    if (!m) {
      return null;
    }
    return m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  }

  // The offset a channel is on now, read from what it airs (the daemon writes the channel's).
  function channelOffset(id) {
    const ids = id ? [id].concat(st.order) : st.order;
    for (const c of ids) {
      const e = st.channels.get(c);
      const item = e && (e.data.now || e.data.next);
      const off = item ? offsetOf(item.start) : null;
      if (off !== null) {
        return off;
      }
      // nothing on air or next (filler): the zone's offset as the daemon gave it
      if (e && typeof e.data.utc_offset_minutes === 'number') {
        return e.data.utc_offset_minutes;
      }
    }
    return null;
  }

  // Today (YYYY-MM-DD) in a channel's zone, from its offset; the browser's zone is not used.
  function todayIn(offsetMinutes) {
    const off = offsetMinutes === null || offsetMinutes === undefined ? 0 : offsetMinutes;
    return new Date(Date.now() + off * 60000).toISOString().slice(0, 10);
  }

  function addDays(ymd, n) {
    const d = new Date(ymd + 'T00:00:00Z');
    if (Number.isNaN(d.getTime())) {
      return ymd;
    }
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }

  function isDay(s) {
    return /^\d{4}-\d{2}-\d{2}$/.test(s || '') && !Number.isNaN(Date.parse(s + 'T00:00:00Z'));
  }

  function span(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(s / 3600);
    const mm = Math.floor((s % 3600) / 60);
    const ss = String(s % 60).padStart(2, '0');
    return h > 0 ? h + ':' + String(mm).padStart(2, '0') + ':' + ss : mm + ':' + ss;
  }

  // A length to the tenth of a second when it has one (0:02.5), else as span().
  function length(ms) {
    const tenths = Math.round(ms / 100) % 10;
    return span(ms) + (tenths ? '.' + tenths : '');
  }

  function number(n) {
    return Number(n).toLocaleString(st.lang === 'lo' ? 'lo-LA' : 'en-US');
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

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) {
      e.className = cls;
    }
    if (text !== undefined && text !== null) {
      e.textContent = text;
      if (LAO.test(text) && st.lang !== 'lo') {
        e.lang = 'lo';
      }
    }
    return e;
  }

  // A key for Idempotency-Key: random, without crypto.randomUUID (not there off https/localhost).
  function randomKey() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  }

  // ---- the token ----------------------------------------------------------------------------

  function loadToken() {
    try {
      st.token = sessionStorage.getItem(TOKEN_KEY) || null;
    } catch (e) {
      st.token = null;
    }
  }

  function setToken(token) {
    const before = st.token;
    st.token = token || null;
    try {
      if (st.token) {
        sessionStorage.setItem(TOKEN_KEY, st.token);
      } else {
        sessionStorage.removeItem(TOKEN_KEY);
      }
    } catch (e) { /* storage disabled: the token lasts for this page only */ }
    renderAuth();
    if (before !== st.token) {
      connect(); // the stream switches between EventSource and fetch()
      emit('auth', !!st.token);
    }
  }

  function authHeaders(extra) {
    const h = Object.assign({}, extra || {});
    if (st.token) {
      h.Authorization = 'Bearer ' + st.token;
    }
    return h;
  }

  // The sign-in dialog: resolves when a token is entered, rejects when cancelled. Calls that
  // answer 401 meanwhile all wait for the same dialog.
  function signIn(reason) {
    if (st.signing) {
      return st.signing;
    }
    const dlg = $('#login-dialog');
    const form = $('#login-form');
    const input = $('#login-token');
    const err = $('#login-error');
    st.signing = new Promise((resolve, reject) => {
      $('#login-why').dataset.i18n = reason === 'wrong' ? 'login.wrong' : 'login.needed';
      setText($('#login-why'), t($('#login-why').dataset.i18n));
      err.hidden = true;
      input.value = '';
      const done = (ok) => {
        form.removeEventListener('submit', submit);
        dlg.removeEventListener('cancel', cancel);
        $('.dlg-cancel', form).removeEventListener('click', cancel);
        if (dlg.open) {
          dlg.close();
        }
        st.signing = null;
        ok();
      };
      const submit = (ev) => {
        ev.preventDefault();
        const token = input.value.trim();
        if (!token) {
          err.hidden = false;
          setText(err, t('login.empty'));
          input.focus();
          return;
        }
        st.declined = false;
        input.value = '';
        setToken(token);
        done(resolve);
      };
      const cancel = (ev) => {
        ev.preventDefault();
        st.declined = true;
        done(() => reject(Object.assign(new Error(t('login.cancelled')), {status: 401})));
      };
      form.addEventListener('submit', submit);
      dlg.addEventListener('cancel', cancel);
      $('.dlg-cancel', form).addEventListener('click', cancel);
      dlg.showModal();
      input.focus();
    });
    return st.signing;
  }

  function signOut() {
    setToken(null);
    notice('auth.signed_out', null, true);
  }

  function renderAuth() {
    const b = $('#auth');
    b.dataset.state = st.token ? 'in' : 'out';
    b.dataset.i18n = st.token ? 'auth.sign_out' : 'auth.sign_in';
    setText(b, t(b.dataset.i18n));
  }

  // ---- network ------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(message, status, body) {
      super(message);
      this.status = status;
      this.body = body;
    }
  }

  // Calls the API with the token when there is one. A 401 opens the sign-in dialog and tries
  // again with the token entered (a call made by the page itself, not by the operator, does not
  // ask again once the operator cancelled). opts: method, body (sent as JSON), key
  // (Idempotency-Key), ok (statuses that are answers, not errors), raw (return the Response),
  // signal, interactive.
  async function api(path, opts) {
    const o = opts || {};
    for (;;) {
      const headers = authHeaders({Accept: o.accept || 'application/json'});
      const init = {method: o.method || 'GET', headers, cache: 'no-store', signal: o.signal};
      if (init.method === 'POST') {
        headers['Content-Type'] = 'application/json';
        init.body = o.body === undefined ? '' : JSON.stringify(o.body);
        if (o.key) {
          headers['Idempotency-Key'] = o.key;
        }
      }
      const sent = st.token;
      const r = await fetch(path, init);
      if (r.status === 401) {
        if (st.token !== sent) {
          continue; // signed in meanwhile: try with that token
        }
        if (st.declined && !o.interactive) {
          throw new ApiError(t('login.required'), 401, null);
        }
        await signIn(sent ? 'wrong' : 'needed');
        continue;
      }
      if (o.raw) {
        return r;
      }
      let body = null;
      try {
        body = await r.json();
      } catch (e) { /* not JSON */ }
      if (!r.ok && !(o.ok || []).includes(r.status)) {
        throw new ApiError((body && body.error) || 'HTTP ' + r.status, r.status, body);
      }
      return o.withStatus ? {status: r.status, body} : body;
    }
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
          api('/api/v1/channels'),
          api('/api/v1/health', {ok: [503]}),
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
        if (e.status === 401) {
          setLink('signin'); // the station is there but shows nothing without the token
        }
      } finally {
        st.fetching = null;
        renderAll();
        emit('channels');
        if (st.refetch) {
          st.refetch = false;
          resync();
        }
      }
    })();
    return st.fetching;
  }

  // ---- the event stream ---------------------------------------------------------------------

  const handlers = {
    hello() {
      st.retryMs = RETRY_MIN_MS;
      setLink('live');
      resync();
    },
    channel(data) {
      const ch = parse(data);
      if (!ch || !ch.id) {
        return;
      }
      if (st.buffer) {
        st.buffer.push(ch);
      } else {
        applyChannel(ch);
      }
    },
    item(data) {
      const ev = parse(data);
      applyItem(ev);
      if (ev && ev.channel) {
        emit('item', ev);
      }
    },
    levels(data) {
      const l = parse(data);
      if (l && typeof l === 'object') {
        emit('levels', l); // live.js draws the meters
      }
    },
    health(data) {
      const h = parse(data);
      if (h && h.status) {
        st.health = h;
        renderHealth();
      }
    },
    reload(data) {
      const r = parse(data) || {};
      const time = stationClock();
      if (r.status === 'reloaded') {
        notice('notice.reloaded', {time}, true);
      } else {
        const why = (r.diagnostics || []).filter((d) => d.severity !== 'warning').slice(0, 3)
          .map(diagnosticLine).join(' ');
        notice('notice.refused', {time, why}, false);
      }
      resync(); // channels may have come or gone
      emit('reload', r);
    },
    resync() {
      resync();
      emit('resync');
    },
  };

  // The start error of an as-run row in words (`start +3 ms`), from its actual and scheduled
  // start; '' when either is missing. Shared by the rundown and the as-run pages.
  function startError(actual, scheduled) {
    const ms = Date.parse(actual) - Date.parse(scheduled);
    if (!Number.isFinite(ms)) {
      return '';
    }
    return t('asrun.start_error', {ms: (ms > 0 ? '+' : ms < 0 ? '−' : '±') + Math.abs(ms)});
  }

  function diagnosticLine(d) {
    const where = d.file ? d.file + (d.line ? ':' + d.line + ':' + d.column : '') + ': ' : '';
    return where + d.message;
  }

  function stopStream() {
    if (st.es) {
      st.es.close();
      st.es = null;
    }
    if (st.stream) {
      st.stream.abort();
      st.stream = null;
    }
  }

  function connect() {
    clearTimeout(st.retryTimer);
    stopStream();
    if (st.token) {
      streamWithFetch();
    } else {
      streamWithEventSource();
    }
  }

  function retryLater(ms) {
    clearTimeout(st.retryTimer);
    st.retryTimer = setTimeout(connect, ms);
  }

  function streamWithEventSource() {
    const es = new EventSource('/api/v1/events');
    st.es = es;
    for (const name of STREAM_EVENTS) {
      es.addEventListener(name, (ev) => handlers[name](ev.data));
    }
    es.addEventListener('error', () => {
      if (st.link !== 'signin') {
        setLink('lost');
      }
      if (es.readyState === EventSource.CLOSED) {
        // the browser gave up (an HTTP error, not an event stream): perhaps the stream needs
        // the token (control.read_token); the snapshot asks for it. Then try again ourselves.
        es.close();
        if (st.es === es) {
          st.es = null;
        }
        resync();
        retryLater(st.retryMs);
        st.retryMs = Math.min(RETRY_MAX_MS, st.retryMs * 2);
      }
    });
  }

  // The stream read with fetch() so that it carries the token; reconnects as EventSource does:
  // after the server's `retry` when a stream ends, backing off when the connection fails.
  async function streamWithFetch() {
    const ctrl = new AbortController();
    st.stream = ctrl;
    let said = false;
    try {
      const r = await fetch('/api/v1/events', {
        headers: authHeaders({Accept: 'text/event-stream'}), cache: 'no-store',
        signal: ctrl.signal,
      });
      if (r.status === 401) {
        setLink('lost');
        if (st.stream === ctrl) {
          st.stream = null;
          if (!st.declined) {
            // a new token reconnects by itself (setToken); the same one again does not
            signIn('wrong').then(() => {
              if (!st.stream && !st.es) {
                retryLater(st.retryMs);
              }
            }, () => setToken(null));
          } else {
            setToken(null);
          }
        }
        return;
      }
      if (!r.ok || !r.body) {
        throw new Error('HTTP ' + r.status);
      }
      const reader = r.body.getReader();
      const feed = sseParser((type, data) => {
        if (st.stream !== ctrl) {
          return;
        }
        if (type === 'hello') {
          said = true;
        }
        if (Object.prototype.hasOwnProperty.call(handlers, type)) {
          handlers[type](data);
        }
      }, (ms) => { st.serverRetryMs = ms; });
      const decoder = new TextDecoder();
      for (;;) {
        const {value, done} = await reader.read();
        if (done) {
          break;
        }
        feed(decoder.decode(value, {stream: true}));
      }
    } catch (e) {
      if (ctrl.signal.aborted) {
        return;
      }
    }
    if (st.stream !== ctrl) {
      return; // replaced by another connection
    }
    st.stream = null;
    setLink('lost');
    if (said) {
      retryLater(st.serverRetryMs);
    } else {
      retryLater(st.retryMs);
      st.retryMs = Math.min(RETRY_MAX_MS, st.retryMs * 2);
    }
  }

  // Server-Sent Events, as the HTML standard parses them: lines end with CR LF, LF or CR; a
  // blank line dispatches; `:` starts a comment; `event`, `data` and `retry` are read.
  function sseParser(dispatch, setRetry) {
    let buf = '';
    let type = '';
    let data = [];
    return (chunk) => {
      buf += chunk;
      // a CR at the very end may be the first half of a CR LF: keep it for the next chunk
      const end = buf.endsWith('\r') ? buf.length - 1 : buf.length;
      const lines = buf.slice(0, end).split(/\r\n|\n|\r/);
      buf = lines.pop() + buf.slice(end);
      for (const line of lines) {
        if (line === '') {
          if (data.length) {
            dispatch(type || 'message', data.join('\n'));
          }
          type = '';
          data = [];
          continue;
        }
        if (line[0] === ':') {
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value[0] === ' ') {
          value = value.slice(1);
        }
        if (field === 'event') {
          type = value;
        } else if (field === 'data') {
          data.push(value);
        } else if (field === 'retry' && /^\d+$/.test(value)) {
          setRetry(Number(value));
        }
      }
    };
  }

  function parse(data) {
    try {
      return JSON.parse(data);
    } catch (e) {
      return null;
    }
  }

  // ---- model ----------------------------------------------------------------------------------

  function applySnapshot(list) {
    const channels = Array.isArray(list.channels) ? list.channels : [];
    const now = performance.now();
    st.station = typeof list.station === 'string' ? list.station : st.station;
    st.national = list.national === true;
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
    const added = !st.order.includes(ch.id);
    st.channels.set(ch.id, {data: ch, at: performance.now()});
    if (added) {
      st.order.push(ch.id);
    }
    renderCard(ch.id);
    renderHealth(); // the reasons in words come with the stream's `health` event
    emit('channel', ch.id);
    if (added) {
      emit('channels');
    }
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
      ch.now = Object.assign({elapsed_ms: 0, remaining_ms: itemLength(item)}, item);
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
    emit('channel', ev.channel);
  }

  function itemLength(item) {
    const ms = Date.parse(item.end) - Date.parse(item.start);
    return Number.isFinite(ms) && ms > 0 ? ms : 0;
  }

  // The wall clock in the zone of the first channel (the station's), else the browser's.
  function stationClock() {
    const off = channelOffset(null);
    if (off === null) {
      return new Date().toTimeString().slice(0, 8);
    }
    return new Date(Date.now() + off * 60000).toISOString().slice(11, 19);
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

  // A notice in the catalogue's words, said again in the other language after a switch.
  function notice(key, params, fades) {
    showNotice(t(key, params), fades);
    st.notice = {key, params};
  }

  function showNotice(text, fades) {
    const n = $('#notice');
    st.notice = null;
    clearTimeout(st.noticeTimer);
    n.textContent = text;
    n.hidden = false;
    if (fades) {
      st.noticeTimer = setTimeout(() => { n.hidden = true; }, 60000);
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
    const box = $('#channels');
    const shown = [...box.querySelectorAll(':scope > .card')];
    const wanted = st.order.map((id) => st.cards.get(id)).filter(Boolean).map((c) => c.root);
    const from = wanted.findIndex((e, i) => shown[i] !== e);
    if (from >= 0) {
      box.append(...wanted.slice(from)); // moves them, in order, after the ones in place
    }
  }

  function renderHealth() {
    if (!st.ready) {
      return;
    }
    const h = $('#health');
    const text = $('#health-text');
    let state;
    let words;
    if (st.link === 'lost') {
      state = 'lost';
      words = t('health.lost');
    } else if (st.link === 'signin' && !st.loaded) {
      state = 'unknown';
      words = t('link.signin');
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
    h.dataset.state = state;
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
      msg: q('.card-msg'), outputsKey: '',
    };
    root.dataset.channel = id;
    root.setAttribute('aria-labelledby', 'ch-' + id);
    c.name.id = 'ch-' + id;
    q('.act-rundown').href = '#/rundown/' + encodeURIComponent(id);
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
        ? now.elapsed_ms + now.remaining_ms : itemLength(now);
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
      const name = el('span', 'out-name', o.name || o.type);
      const state = el('span', 'out-state');
      state.dataset.state = o.state;
      let words = t('output.' + o.state);
      if (o.reconnects > 0) {
        words += ' (' + t('output.reconnects', {count: o.reconnects}) + ')';
      }
      state.textContent = words;
      li.append(name, state);
      if (o.last_error && o.state !== 'up') {
        li.append(el('span', 'out-error', o.last_error));
      }
      return li;
    });
    if (items.length === 0) {
      items.push(el('li', 'next-none', t('outputs.none')));
    }
    c.outputs.replaceChildren(...items);
  }

  // A line under a card that says what an action did (kept until the next one).
  function cardMessage(id, text, state) {
    const c = st.cards.get(id);
    if (!c) {
      return;
    }
    c.msg.hidden = !text;
    c.msg.dataset.state = state || 'ok';
    setTitle(c.msg, text || '');
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

  // ---- pages ------------------------------------------------------------------------------------

  // A page registers {enter(parts, query), leave(), title}: parts are the path of the hash
  // route after its name (#/rundown/police-tv/2026-12-03 -> ['police-tv', '2026-12-03']).
  function view(name, page) {
    views.set(name, page);
  }

  function route() {
    const hash = location.hash;
    if (hash && !hash.startsWith('#/')) {
      return; // an in-page anchor, not a route
    }
    const [path, query] = (hash || '#/').slice(2).split('?');
    const parts = path.split('/').filter(Boolean).map((p) => {
      try {
        return decodeURIComponent(p);
      } catch (e) {
        return p;
      }
    });
    const name = views.has(parts[0]) ? parts[0] : 'station';
    const changed = st.view !== name;
    if (changed && st.view && views.get(st.view).leave) {
      views.get(st.view).leave();
    }
    st.view = name;
    for (const section of document.querySelectorAll('.view')) {
      section.hidden = section.dataset.view !== name;
    }
    for (const a of document.querySelectorAll('.views a')) {
      if (a.dataset.view === name) {
        a.setAttribute('aria-current', 'page');
      } else {
        a.removeAttribute('aria-current');
      }
    }
    setTitleFor(name);
    const page = views.get(name);
    if (page.enter) {
      page.enter(parts.slice(1), new URLSearchParams(query || ''));
    }
    if (changed && st.routed) {
      const heading = $('#view-' + name + ' .view-heading');
      if (heading) {
        heading.focus({preventScroll: true});
      }
      window.scrollTo(0, 0);
    }
    st.routed = true;
  }

  // Another route without a new history entry (filters, a default filled in).
  function replaceRoute(hash) {
    if (location.hash !== hash) {
      history.replaceState(null, '', hash);
    }
  }

  function setTitleFor(name) {
    if (st.ready) {
      document.title = t('page.title.' + (name || 'station'));
    }
  }

  // ---- tables ---------------------------------------------------------------------------------

  // A <div data-grid="rd" data-grid-class="rundown" data-cols="time kind ..."> becomes the
  // table of template #grid: table #rd-table (class "grid rundown"), a header cell per column
  // (catalogue key col.NAME), and an empty body #rd-rows. Done before the pages start.
  function grids(root) {
    for (const box of (root || document).querySelectorAll('[data-grid]')) {
      const wrap = $('#grid').content.firstElementChild.cloneNode(true);
      const table = $('table', wrap);
      table.id = box.dataset.grid + '-table';
      table.classList.add(...(box.dataset.gridClass || '').split(/\s+/).filter(Boolean));
      $('tbody', wrap).id = box.dataset.grid + '-rows';
      $('thead tr', wrap).replaceChildren(...box.dataset.cols.split(/\s+/).map((col) => {
        const th = document.createElement('th');
        th.scope = 'col';
        th.dataset.i18n = 'col.' + col;
        th.textContent = col;
        return th;
      }));
      box.replaceWith(wrap);
    }
  }

  grids(document); // the deferred scripts run after parsing: the document is all there

  // ---- start ------------------------------------------------------------------------------------

  view('station', {});

  function start() {
    for (const b of document.querySelectorAll('.lang button')) {
      b.addEventListener('click', () => setLang(b.dataset.lang, true));
    }
    $('#auth').addEventListener('click', () => {
      if (st.token) {
        signOut();
      } else {
        st.declined = false;
        signIn('needed').then(() => resync(), () => {});
      }
    });
    $('#skip-link').addEventListener('click', (ev) => {
      ev.preventDefault(); // the hash holds the route
      $('#main').focus();
    });
    window.addEventListener('hashchange', route);
    loadToken();
    renderAuth();
    setLang(storedLang() || preferredLang(), false).then(() => route());
    connect();
    setTimeout(() => {
      if (!st.loaded && !st.fetching) {
        resync();
      }
    }, FIRST_FETCH_MS);
    setInterval(tick, TICK_MS);
    renderAll();
  }

  // Saves `blob` as a download named `name` (what a plain link cannot do when the request
  // needs the token header).
  function saveBlob(blob, name) {
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  window.onair = {
    st, $, t, on, emit, api, ApiError, view, replaceRoute, resync, signIn, showNotice, notice,
    clock, day, zone, offsetOf, channelOffset, todayIn, addDays, isDay, span, length, number,
    setText, setTitle, el, translate, randomKey, authHeaders, diagnosticLine, cardMessage,
    itemLength, startError, saveBlob,
  };

  // the other scripts (deferred, after this file) have registered by then
  document.addEventListener('DOMContentLoaded', start);
})();
