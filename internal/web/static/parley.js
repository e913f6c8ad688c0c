// Parley's small script. Every page works without it; each part below only
// acts where its elements are on the page.
(() => {
  'use strict';

  // 1. Say that the script runs, so .js-only parts show.
  document.documentElement.classList.add('js');

  // 2. Local times: show each time in the reader's zone, keep UTC in the title.
  for (const t of document.querySelectorAll('time[datetime]')) {
    const d = new Date(t.getAttribute('datetime'));
    if (Number.isNaN(d.getTime())) continue;
    const original = t.textContent.trim();
    t.title = original;
    // A date shown without its hour (a profile's "member since") stays a date.
    t.textContent = original.includes(':') ? d.toLocaleString() : d.toLocaleDateString();
  }

  // 3. Live updates: count new messages on the board and offer a link to
  // them. The stream is closed while the tab is hidden, so that many open
  // tabs do not use up the browser's connections to the site.
  const bar = document.querySelector('p.new-messages[data-board][data-last]');
  if (bar && 'EventSource' in window) {
    const board = bar.dataset.board;
    const last = Number(bar.dataset.last) || 0;
    const seen = new Set();
    let first = 0;
    let highest = last;
    let source = null;

    const show = () => {
      const n = seen.size;
      const a = document.createElement('a');
      a.href = '/b/' + encodeURIComponent(board) + '?from=' + first + '#m' + first;
      a.textContent = n === 1 ? '1 new message — show' : n + ' new messages — show';
      bar.replaceChildren(a);
      bar.hidden = false;
    };

    const connect = () => {
      if (source) return;
      // ?after: messages posted since the page was made come first.
      source = new EventSource('/b/' + encodeURIComponent(board) + '/events?after=' + highest);
      source.addEventListener('message', (e) => {
        let m;
        try { m = JSON.parse(e.data); } catch { return; }
        const n = Number(m && m.number);
        if (!(n > last) || seen.has(n)) return;
        seen.add(n);
        highest = Math.max(highest, n);
        if (first === 0 || n < first) first = n;
        show();
      });
    };
    const disconnect = () => { if (source) source.close(); source = null; };

    connect();
    window.addEventListener('pagehide', disconnect);
    // Back from the back-forward cache: listen again.
    window.addEventListener('pageshow', (e) => { if (e.persisted) connect(); });
    document.addEventListener('visibilitychange', () => {
      if (document.hidden) disconnect(); else connect();
    });
  }

  // 4. Live preview: render the draft on the server as it is typed.
  for (const ta of document.querySelectorAll('textarea[data-preview]')) {
    const box = document.getElementById(ta.dataset.preview);
    const out = box && box.querySelector('.msg-body');
    if (!out) continue;
    let timer = 0;
    let latest = 0;
    ta.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const id = ++latest; // answers to older requests are dropped
        if (!ta.value.trim()) return;
        try {
          const res = await fetch('/preview', {
            method: 'POST',
            body: new URLSearchParams({ body: ta.value }),
            credentials: 'same-origin',
          });
          const text = await res.text();
          if (id !== latest) return;
          if (res.ok) out.innerHTML = text; // sanitised by the server
          else if ((res.headers.get('Content-Type') || '').startsWith('text/plain')) out.textContent = text;
          else out.textContent = 'The preview is not available (' + res.status + '); the Preview button still works.';
          box.hidden = false;
        } catch {
          // Offline or refused: the form's Preview button still works.
        }
      }, 400);
    });
  }

  // 5. Quote: put the quoted message at the start of the reply.
  for (const a of document.querySelectorAll('a.quote[data-quote]')) {
    a.addEventListener('click', (e) => {
      const ta = document.getElementById('body');
      if (!ta) return; // let the link do it on the server
      e.preventDefault();
      ta.value = a.dataset.quote + ta.value;
      ta.focus();
      const end = ta.value.length;
      ta.setSelectionRange(end, end);
      a.hidden = true;
      ta.dispatchEvent(new Event('input', { bubbles: true }));
    });
  }

  // 6. Keyboard shortcuts: j/k move, r responds, g goes to a number, ?
  // helps. Single keys can be turned off (the help has a switch); the
  // choice is kept in this browser.
  const dialog = document.getElementById('shortcuts');
  const toggle = document.getElementById('shortcuts-on');
  const opener = document.getElementById('shortcuts-open');
  let keysOn = true;
  try { keysOn = localStorage.getItem('parley.shortcuts') !== 'off'; } catch { /* storage refused */ }
  if (toggle) {
    toggle.checked = keysOn;
    toggle.addEventListener('change', () => {
      keysOn = toggle.checked;
      try { localStorage.setItem('parley.shortcuts', keysOn ? 'on' : 'off'); } catch { /* not kept */ }
    });
  }
  if (opener && dialog && typeof dialog.showModal === 'function') {
    opener.addEventListener('click', () => dialog.showModal());
  }

  let current = -1;
  const select = (list, i) => {
    if (list[current]) list[current].classList.remove('current');
    current = i;
    list[i].classList.add('current');
    list[i].scrollIntoView({ block: 'start' });
  };

  document.addEventListener('keydown', (e) => {
    if (!keysOn || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || e.isComposing) return;
    const t = e.target;
    if (t instanceof Element &&
        (t.closest('input, textarea, select') || t.isContentEditable)) return;
    if (document.querySelector('dialog[open]')) return; // Escape closes it natively

    const list = Array.from(document.querySelectorAll('article.msg'));
    switch (e.key) {
      case 'j':
        if (!list.length) return;
        select(list, Math.min(current + 1, list.length - 1));
        break;
      case 'k':
        if (!list.length) return;
        select(list, Math.max(current - 1, 0));
        break;
      case 'r': {
        const msg = list[current] || list[0];
        const link = msg && msg.querySelector('a.respond');
        if (!link) return;
        window.location.assign(link.href);
        break;
      }
      case 'g': {
        const input = document.querySelector('.goto-input');
        if (!input) return;
        input.scrollIntoView({ block: 'center' });
        input.focus({ preventScroll: true });
        break;
      }
      case '?': {
        if (!dialog || typeof dialog.showModal !== 'function') return;
        dialog.showModal();
        break;
      }
      default:
        return;
    }
    e.preventDefault();
  });
})();
