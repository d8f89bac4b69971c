/* global Node, Event, crypto, URLSearchParams */
// Small helpers shared by the console's screens. Everything is built with DOM calls and textContent,
// never innerHTML, because plates, names and reasons come from cameras and from people.

/** h('div.card.big', {onclick}, child, 'text', [more]) */
export function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name || 'div');
  if (classes.length) el.className = classes.join(' ');
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = undefined;
  }
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className += (el.className ? ' ' : '') + v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}
function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}
export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// ---------------------------------------------------------------- money (integer fen inside, yuan on screen)

export function yuan(fen) {
  if (fen === undefined || fen === null) return '—';
  const neg = fen < 0;
  const v = Math.abs(fen);
  const s = `${Math.floor(v / 100)}.${String(v % 100).padStart(2, '0')}`;
  return `${neg ? '-' : ''}¥${s}`;
}
/** "12", "12.5", "12.50" → fen; undefined for anything else (no float arithmetic on money) */
export function toFen(text) {
  const m = /^\s*(\d{1,7})(?:\.(\d{1,2}))?\s*$/.exec(String(text ?? ''));
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

// ---------------------------------------------------------------- time, always in the site's zone

let tz = 'Asia/Shanghai';
let skew = 0;
export function setSiteClock(timezone, serverNow) {
  tz = timezone || tz;
  if (serverNow) skew = serverNow - Date.now();
}
export function siteNow() {
  return Date.now() + skew;
}
function parts(ms) {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const o = {};
  for (const p of f.formatToParts(new Date(ms))) o[p.type] = p.value;
  return o;
}
export function fmtTime(ms, withDate = true) {
  if (!ms && ms !== 0) return '—';
  const p = parts(ms);
  return withDate
    ? `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`
    : `${p.hour}:${p.minute}:${p.second}`;
}
/** "HH:mm" on the day of `ref`, "MM-dd HH:mm" on other days */
export function fmtSpan(ms, ref) {
  const p = parts(ms);
  const r = parts(ref ?? ms);
  return p.year === r.year && p.month === r.month && p.day === r.day
    ? `${p.hour}:${p.minute}`
    : `${p.month}-${p.day} ${p.hour}:${p.minute}`;
}
export function fmtShort(ms) {
  if (!ms) return '—';
  const p = parts(ms);
  return `${p.month}-${p.day} ${p.hour}:${p.minute}`;
}
/** the value a datetime-local input wants, in the site's zone */
export function toLocalInput(ms) {
  if (!ms) return '';
  const p = parts(ms);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}
export function startOfDayInput() {
  const p = parts(siteNow());
  return `${p.year}-${p.month}-${p.day}T00:00`;
}
export function fmtStay(minutes) {
  if (minutes === undefined || minutes === null) return '—';
  const d = Math.floor(minutes / 1440);
  const hh = Math.floor((minutes % 1440) / 60);
  const mm = minutes % 60;
  return `${d ? `${d}天` : ''}${d || hh ? `${hh}小时` : ''}${mm}分钟`;
}

// ---------------------------------------------------------------- API

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}
let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}
export async function api(method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, '无法连接到服务器，请检查网络');
  }
  let data;
  try {
    data = await res.json();
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const message = data?.error ?? `请求失败 (${res.status})`;
    if (res.status === 401 && path !== '/api/login') onUnauthorized(message);
    throw new ApiError(res.status, message);
  }
  return data;
}
export function qs(obj) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(obj))
    if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}
/** a fresh idempotency key per cash confirmation, so a double tap never records two payments */
export function serial(prefix) {
  const b = new Uint8Array(8);
  crypto.getRandomValues(b);
  return `${prefix}-${[...b].map((x) => x.toString(16).padStart(2, '0')).join('')}`;
}

// ---------------------------------------------------------------- feedback

export function toast(message, kind = 'ok', ms = 4000) {
  const box = document.getElementById('toasts');
  const t = h(`div.toast.${kind}`, { role: kind === 'error' ? 'alert' : 'status' }, message);
  box.append(t);
  setTimeout(() => t.remove(), ms);
}

/** A modal panel; returns {el, body, close}. Only one at a time: a new one replaces the old. */
export function modal(title, { wide = false, onClose } = {}) {
  closeModal();
  const body = h('div.modal-body');
  const close = () => {
    overlay.remove();
    document.removeEventListener('keydown', onKey);
    onClose?.();
  };
  const onKey = (e) => {
    if (e.key === 'Escape') close();
  };
  const overlay = h(
    'div.overlay',
    { id: 'modal' },
    h(
      `div.modal${wide ? '.wide' : ''}`,
      { role: 'dialog', 'aria-modal': 'true', 'aria-label': title },
      h(
        'div.modal-head',
        h('h2', title),
        h('button.btn.ghost.close', { type: 'button', onclick: close, 'aria-label': '关闭' }, '✕ 关闭'),
      ),
      body,
    ),
  );
  overlay._close = close;
  document.addEventListener('keydown', onKey);
  document.body.append(overlay);
  return { el: overlay, body, close };
}
export function closeModal() {
  const m = document.getElementById('modal');
  if (m?._close) m._close();
  else m?.remove();
}
export function modalOpen() {
  return !!document.getElementById('modal');
}

/** Run an action from a button: disable it meanwhile, show the server's message on failure. */
export async function busy(button, fn, errorBox) {
  if (button) button.disabled = true;
  if (errorBox) clear(errorBox);
  try {
    return await fn();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (errorBox) clear(errorBox, msg);
    else toast(msg, 'error', 6000);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

// ---------------------------------------------------------------- plates and photos

const COLOUR = { blue: '蓝', yellow: '黄', white: '白', black: '黑', green: '绿', unknown: '' };
export function plateChip(plate, colour = 'blue', big = false) {
  return h(
    `span.plate.p-${COLOUR[colour] !== undefined ? colour : 'unknown'}${big ? '.big' : ''}`,
    plate || '无牌车',
  );
}
export function colourName(c) {
  return COLOUR[c] ?? '';
}
/** A photo or, when there is none or it fails to load, a clear placeholder. */
export function photo(url, label) {
  const box = h('figure.photo', h('figcaption', label));
  const empty = () => box.prepend(h('div.noimg', '无图片'));
  if (url && (/^\/images\//.test(url) || /^https?:\/\//.test(url) || /^data:image\//.test(url))) {
    const img = h('img', { src: url, alt: label, loading: 'lazy' });
    img.addEventListener('error', () => {
      img.remove();
      empty();
    });
    box.prepend(img);
  } else empty();
  return box;
}
export function field(label, input, hint) {
  return h('label.field', h('span.label', label), input, hint ? h('span.hint', hint) : null);
}
export function reasonPicker(input, reasons) {
  return h(
    'div.chips',
    reasons.map((r) =>
      h(
        'button.chip',
        {
          type: 'button',
          onclick: () => {
            input.value = r;
            input.dispatchEvent(new Event('input'));
            input.focus();
          },
        },
        r,
      ),
    ),
  );
}
