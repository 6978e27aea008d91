// onair operator console: the controls of the station page. Insert (a picker of the channel's
// media), skip (confirmed, naming what airs) on each card, and the station's reload, whose
// refusal shows the daemon's diagnostics. Every call goes through onair.api, which asks for the
// token on a 401.
'use strict';

(function () {
  const oa = window.onair;
  const {$, t, st} = oa;

  function channelName(id) {
    const e = st.channels.get(id);
    return e ? (e.data.name || id) : id;
  }

  function nowOf(id) {
    const e = st.channels.get(id);
    return e ? e.data.now : null;
  }

  function sameItem(a, b) {
    return !!a && !!b && a.start === b.start && a.media === b.media;
  }

  function openDialog(dlg) {
    if (!dlg.open) {
      dlg.showModal();
    }
  }

  function show(elm, text, state) {
    elm.hidden = !text;
    elm.dataset.state = state || 'ok';
    oa.setTitle(elm, text || '');
  }

  // Every dialog's Close / Cancel button closes it (the sign-in dialog has its own handling).
  for (const b of document.querySelectorAll(
    '#insert-dialog .dlg-cancel, #skip-dialog .dlg-cancel, #reload-dialog .dlg-cancel')) {
    b.addEventListener('click', () => b.closest('dialog').close());
  }

  // ---- insert -------------------------------------------------------------------------------

  const ins = {channel: null, media: [], busy: false, key: null};

  async function openInsert(id) {
    ins.channel = id;
    ins.media = [];
    ins.key = null;
    const dlg = $('#insert-dialog');
    oa.setTitle($('#insert-title'), t('insert.title', {channel: channelName(id)}));
    $('#insert-find').value = '';
    show($('#insert-result'), '');
    $('#insert-go').disabled = true;
    const list = $('#insert-list');
    list.replaceChildren(oa.el('p', 'muted', t('insert.loading')));
    openDialog(dlg);
    $('#insert-find').focus();
    try {
      const answer = await oa.api('/api/v1/channels/' + encodeURIComponent(id) + '/media');
      if (ins.channel !== id) {
        return;
      }
      ins.media = Array.isArray(answer.media) ? answer.media : [];
      renderPicker();
    } catch (e) {
      list.replaceChildren(oa.el('p', 'dlg-error', t('insert.list_failed', {why: e.message})));
    }
  }

  function renderPicker() {
    const list = $('#insert-list');
    const find = $('#insert-find').value.trim().toLowerCase();
    const chosen = (list.querySelector('input:checked') || {}).value;
    const shown = ins.media.filter((m) => !find ||
      (m.title || '').toLowerCase().includes(find) || m.id.toLowerCase().includes(find));
    const rows = shown.map((m) => {
      const can = typeof m.duration_ms === 'number' && m.duration_ms > 0;
      const label = oa.el('label', 'pick');
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = 'media';
      input.value = m.id;
      input.disabled = !can;
      input.checked = can && m.id === chosen;
      const text = oa.el('span', 'pick-text');
      const title = oa.el('span', 'pick-title', m.title || m.id);
      const meta = oa.el('span', 'pick-meta',
        can ? m.id + ' · ' + oa.length(m.duration_ms) : m.id + ' · ' + t('insert.no_length'));
      text.append(title, meta);
      label.append(input, text);
      label.dataset.disabled = String(!can);
      return label;
    });
    if (rows.length === 0) {
      rows.push(oa.el('p', 'muted', ins.media.length ? t('insert.none_match') : t('insert.none')));
    }
    list.replaceChildren(...rows);
    updateInsertButton();
  }

  function updateInsertButton() {
    $('#insert-go').disabled = ins.busy || !$('#insert-list input:checked');
  }

  async function submitInsert(ev) {
    ev.preventDefault();
    const picked = $('#insert-list input:checked');
    if (!picked || ins.busy) {
      return;
    }
    const id = ins.channel;
    const media = picked.value;
    // one key per choice: a retry (after the sign-in, or a click while the answer is on its
    // way) is not queued twice
    if (!ins.key || ins.key.media !== media) {
      ins.key = {media, key: oa.randomKey()};
    }
    ins.busy = true;
    updateInsertButton();
    show($('#insert-result'), t('insert.sending'), 'busy');
    try {
      const a = await oa.api('/api/v1/channels/' + encodeURIComponent(id) + '/insert', {
        method: 'POST', body: {media}, key: ins.key.key, interactive: true,
      });
      const text = a.start
        ? t('insert.queued_at', {title: a.title || media, time: oa.clock(a.start)})
        : t('insert.queued', {title: a.title || media});
      show($('#insert-result'), text, 'ok');
      oa.cardMessage(id, text, 'ok');
      ins.key = null; // the next insert is a new one
    } catch (e) {
      const text = t('insert.failed', {why: e.message});
      show($('#insert-result'), text, 'bad');
      if (e.status) {
        ins.key = null; // answered: the daemon keeps that answer for the key; a retry is new
      }
    } finally {
      ins.busy = false;
      updateInsertButton();
    }
  }

  $('#insert-form').addEventListener('submit', submitInsert);
  $('#insert-find').addEventListener('input', renderPicker);
  $('#insert-list').addEventListener('change', updateInsertButton);
  $('#insert-dialog').addEventListener('close', () => { ins.channel = null; });

  // ---- skip ---------------------------------------------------------------------------------

  const sk = {channel: null, item: null, busy: false};

  function describe(item) {
    if (!item) {
      return t('skip.filler');
    }
    return t('skip.now', {
      title: item.title || item.media || '', kind: t('item.' + (item.kind || 'spot')),
      time: oa.clock(item.start),
    });
  }

  function openSkip(id) {
    sk.channel = id;
    sk.item = nowOf(id);
    oa.setTitle($('#skip-title'), t('skip.title', {channel: channelName(id)}));
    oa.setTitle($('#skip-what'), describe(sk.item));
    show($('#skip-changed'), '');
    show($('#skip-result'), '');
    $('#skip-go').disabled = !sk.item;
    openDialog($('#skip-dialog'));
    ($('#skip-go').disabled ? $('#skip-dialog .dlg-cancel') : $('#skip-go')).focus();
  }

  async function submitSkip(ev) {
    ev.preventDefault();
    if (sk.busy) {
      return;
    }
    const id = sk.channel;
    const airing = nowOf(id);
    // the dialog named one item: when another airs by now, say so and ask again
    if (!sameItem(airing, sk.item)) {
      sk.item = airing;
      oa.setTitle($('#skip-what'), describe(airing));
      show($('#skip-changed'), t('skip.changed'), 'warn');
      $('#skip-go').disabled = !airing;
      return;
    }
    sk.busy = true;
    $('#skip-go').disabled = true;
    try {
      const a = await oa.api('/api/v1/channels/' + encodeURIComponent(id) + '/skip', {
        method: 'POST', interactive: true,
      });
      const text = a.media ? t('skip.done', {title: a.title || a.media}) : t('skip.nothing');
      oa.cardMessage(id, text, a.media ? 'ok' : 'warn');
      $('#skip-dialog').close();
    } catch (e) {
      show($('#skip-result'), t('skip.failed', {why: e.message}), 'bad');
      $('#skip-go').disabled = false;
    } finally {
      sk.busy = false;
    }
  }

  $('#skip-form').addEventListener('submit', submitSkip);
  $('#skip-dialog').addEventListener('close', () => { sk.channel = null; });

  // the confirm dialog follows the card: what it names stays what airs
  oa.on('channel', (id) => {
    if (id === sk.channel && $('#skip-dialog').open && !sk.busy) {
      const airing = nowOf(id);
      if (!sameItem(airing, sk.item)) {
        sk.item = airing;
        oa.setTitle($('#skip-what'), describe(airing));
        show($('#skip-changed'), airing ? t('skip.changed') : '', 'warn');
        $('#skip-go').disabled = !airing;
      }
    }
  });

  // ---- the card buttons ---------------------------------------------------------------------

  $('#channels').addEventListener('click', (ev) => {
    const b = ev.target.closest('button');
    const cardEl = ev.target.closest('.card');
    if (!b || !cardEl) {
      return;
    }
    if (b.classList.contains('act-insert')) {
      openInsert(cardEl.dataset.channel);
    } else if (b.classList.contains('act-skip')) {
      openSkip(cardEl.dataset.channel);
    }
  });

  // ---- reload -------------------------------------------------------------------------------

  let reloading = false;

  async function reload() {
    if (reloading) {
      return;
    }
    reloading = true;
    const b = $('#reload');
    b.disabled = true;
    b.dataset.i18n = 'reload.busy';
    oa.setText(b, t('reload.busy'));
    try {
      const r = await oa.api('/api/v1/reload', {
        method: 'POST', ok: [422], withStatus: true, interactive: true,
      });
      const body = r.body || {};
      const diags = Array.isArray(body.diagnostics) ? body.diagnostics : [];
      if (r.status === 422) {
        showReload('refused', body.error || '', diags);
      } else {
        oa.notice('reload.done', {channels: (body.channels || []).join(', ')}, true);
        if (diags.length) {
          showReload('warnings', '', diags);
        }
      }
    } catch (e) {
      oa.notice('reload.failed', {why: e.message}, false);
    } finally {
      reloading = false;
      b.disabled = false;
      b.dataset.i18n = 'reload.button';
      oa.setText(b, t('reload.button'));
    }
  }

  function showReload(kind, error, diags) {
    const dlg = $('#reload-dialog');
    dlg.dataset.state = kind;
    oa.setText($('#reload-title'), t('reload.' + kind + '_title'));
    const what = kind === 'refused' ? 'reload.refused_what' : 'reload.warnings_what';
    oa.setText($('#reload-what'), t(what));
    const items = diags.map((d) => {
      const li = oa.el('li');
      li.dataset.severity = d.severity || 'error';
      const level = d.severity === 'warning' ? 'warning' : 'error';
      const sev = oa.el('span', 'sev', t('severity.' + level));
      const line = oa.el('code', 'diag', oa.diagnosticLine(d));
      li.append(sev, line);
      return li;
    });
    if (items.length === 0 && error) {
      items.push(oa.el('li', 'diag', error));
    }
    $('#reload-diags').replaceChildren(...items);
    openDialog(dlg);
    $('.dlg-cancel', dlg).focus();
  }

  $('#reload').addEventListener('click', reload);

  // A language switch while a dialog is open: its generated text follows.
  oa.on('lang', () => {
    if ($('#insert-dialog').open && ins.channel) {
      oa.setTitle($('#insert-title'), t('insert.title', {channel: channelName(ins.channel)}));
      if (ins.media.length) {
        renderPicker();
      }
    }
    if ($('#skip-dialog').open && sk.channel) {
      oa.setTitle($('#skip-title'), t('skip.title', {channel: channelName(sk.channel)}));
      oa.setTitle($('#skip-what'), describe(sk.item));
    }
  });
})();
