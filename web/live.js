// onair operator console: what each card shows of the air itself. The picture of a tv
// channel's mix (GET /api/v1/channels/{id}/preview.jpg, a new one each second) and the sound's
// level meters of every channel (the stream's `levels` event, at most five a second).
//
// The picture is asked for once a second, only while the tab is visible, the station page is
// shown and the channel airs. Without a token the <img> src changes to the route with a
// counter (loaded aside first, so a 404 keeps the last good picture); with a token it is
// fetched with the Authorization header and shown as a data: URL (the policy's img-src is
// 'self' and data:; an object URL, blob:, would need the policy loosened).
'use strict';

(function () {
  const oa = window.onair;
  const {$, t, st} = oa;
  const PREVIEW_MS = 1000;
  const FLOOR_DB = -60; // the meters' scale: -60..0 dBFS

  const pv = {
    counter: 0,
    busy: new Set(), // channels whose picture is on its way
    levels: new Map(), // channel -> the last levels event's entry
  };

  function cardRoot(id) {
    const c = st.cards.get(id);
    return c ? c.root : null;
  }

  function wanted(id) {
    const e = st.channels.get(id);
    return !!e && e.data.kind === 'tv' && e.data.airing === true && st.link !== 'lost' &&
      st.view === 'station' && document.visibilityState === 'visible';
  }

  function show(id, apply) {
    const root = cardRoot(id);
    if (!root) {
      return;
    }
    const fig = $('.preview', root);
    apply($('.preview-img', fig));
    fig.hidden = false;
  }

  function dataUrl(blob) {
    return new Promise((resolve, reject) => {
      const fr = new FileReader();
      fr.onload = () => resolve(fr.result);
      fr.onerror = () => reject(fr.error);
      fr.readAsDataURL(blob);
    });
  }

  async function refresh(id) {
    if (pv.busy.has(id) || !wanted(id)) {
      return;
    }
    pv.busy.add(id);
    pv.counter += 1;
    const url = '/api/v1/channels/' + encodeURIComponent(id) + '/preview.jpg?t=' + pv.counter;
    try {
      if (st.token) {
        const r = await fetch(url, {headers: oa.authHeaders(), cache: 'no-store'});
        if (!r.ok) {
          return; // 404 before the first picture, 401: the last good picture stays
        }
        // a data: URL, not URL.createObjectURL: the policy's img-src allows 'self' and data:
        // only, and blob: is not to be added to it
        const data = await dataUrl(await r.blob());
        show(id, (img) => { img.src = data; });
      } else {
        await new Promise((resolve) => {
          const next = new Image();
          next.onload = () => {
            show(id, (img) => {
              next.className = img.className;
              next.alt = img.alt;
              next.width = img.width;
              next.height = next.naturalHeight * img.width / Math.max(1, next.naturalWidth);
              img.replaceWith(next);
            });
            resolve();
          };
          next.onerror = resolve; // a 404: keep the picture shown
          next.src = url;
        });
      }
    } catch (e) {
      /* the daemon went away: the link line says so; the last picture stays */
    } finally {
      pv.busy.delete(id);
    }
  }

  function refreshAll() {
    for (const id of st.order) {
      const root = cardRoot(id);
      const e = st.channels.get(id);
      if (root && e && e.data.kind !== 'tv') {
        $('.preview', root).hidden = true;
      }
      refresh(id);
    }
  }

  function altTexts() {
    for (const id of st.order) {
      const root = cardRoot(id);
      const e = st.channels.get(id);
      if (root && e) {
        $('.preview-img', root).alt = t('preview.alt', {name: e.data.name || id});
      }
    }
  }

  // ---- the meters -------------------------------------------------------------------------

  function fraction(db) {
    const v = Number.isFinite(db) ? db : -120;
    return Math.min(1, Math.max(0, (v - FLOOR_DB) / -FLOOR_DB));
  }

  function words(db) {
    return Number.isFinite(db) && db > -120 ? String(Math.round(db)) : t('levels.silence');
  }

  function drawMeters(id) {
    const root = cardRoot(id);
    const lv = pv.levels.get(id);
    if (!root || !lv) {
      return;
    }
    const rms = Array.isArray(lv.rms_db) ? lv.rms_db : [];
    const peak = Array.isArray(lv.peak_db) ? lv.peak_db : [];
    const sides = ['levels.left', 'levels.right'];
    root.querySelectorAll('.meter-track').forEach((track, i) => {
      const k = Math.min(i, Math.max(0, rms.length - 1)); // mono: both meters show it
      const r = Number(rms[k]);
      const p = Number(peak[Math.min(i, Math.max(0, peak.length - 1))]);
      // CSSOM, not a style attribute: the policy (style-src 'self') allows it
      $('.meter-rms', track).style.width = (fraction(r) * 100).toFixed(1) + '%';
      $('.meter-peak', track).style.left = (fraction(p) * 100).toFixed(1) + '%';
      const now = Number.isFinite(r) ? Math.round(Math.max(FLOOR_DB, Math.min(0, r))) : FLOOR_DB;
      track.setAttribute('aria-valuenow', String(now));
      track.dataset.rms = Number.isFinite(r) ? r.toFixed(1) : '';
      track.setAttribute('aria-valuetext',
        t('levels.value', {side: t(sides[i] || sides[0]), rms: words(r), peak: words(p)}));
      track.setAttribute('aria-label', t(sides[i] || sides[0]));
    });
  }

  oa.on('levels', (data) => {
    for (const id of Object.keys(data)) {
      if (data[id] && typeof data[id] === 'object') {
        pv.levels.set(id, data[id]);
        drawMeters(id);
      }
    }
  });

  oa.on('channels', () => {
    altTexts();
    st.order.forEach(drawMeters);
  });
  oa.on('channel', (id) => {
    const root = cardRoot(id);
    const e = st.channels.get(id);
    if (root && e) {
      $('.preview-img', root).alt = t('preview.alt', {name: e.data.name || id});
      if (e.data.kind !== 'tv') {
        $('.preview', root).hidden = true;
      }
    }
  });
  oa.on('lang', () => {
    altTexts();
    st.order.forEach(drawMeters);
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') {
      refreshAll();
    }
  });

  setInterval(refreshAll, PREVIEW_MS);
})();
