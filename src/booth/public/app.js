// The console shell: login, navigation, the header, and the live stream every screen shares.
import {
  api,
  busy,
  clear,
  closeModal,
  field,
  h,
  modal,
  setSiteClock,
  setUnauthorizedHandler,
  siteNow,
  toast,
  fmtTime,
} from './util.js';
import * as live from './live.js';
import * as records from './records.js';
import * as lists from './lists.js';
import * as report from './report.js';
import { store, ROLE_NAME } from './store.js';

const views = {
  live: live.view,
  search: records.view,
  cards: lists.cardsView,
  blacklist: lists.blacklistView,
  bookings: lists.bookingsView,
  shift: report.shiftView,
  users: report.usersView,
};

const $ = (id) => document.getElementById(id);
let stream;
let current;

function showLogin(message) {
  stream?.close();
  stream = undefined;
  closeModal();
  store.user = undefined;
  $('app').hidden = true;
  $('login').hidden = false;
  clear($('login-error'), message ?? '');
  $('login-pass').value = '';
  $('login-user').focus();
}

async function showApp(user) {
  store.user = user;
  $('login').hidden = true;
  $('app').hidden = false;
  clear($('who'), `${user.displayName || user.username} · ${ROLE_NAME[user.role] ?? user.role}`);
  for (const b of $('tabs').querySelectorAll('button'))
    b.hidden = !!b.dataset.role && !store.atLeast(b.dataset.role);
  // the first state arrives on the stream; the plain request makes the first paint independent of it
  try {
    const state = await api('GET', '/api/state');
    applyState(state);
  } catch (e) {
    toast(e.message, 'error');
  }
  connect();
  // every login starts at the live view, whoever used the console before
  go('live');
}

function applyState(state) {
  store.state = state;
  setSiteClock(state.site.timezone, state.now);
  clear($('site-name'), state.site.name);
  document.title = `岗亭收费台 · ${state.site.name}`;
  renderSpaces();
  tick();
}

function renderSpaces() {
  const spaces = store.state?.spaces ?? [];
  clear(
    $('spaces'),
    spaces.map((a) =>
      h(
        `div.space${a.free === 0 ? '.full' : a.free < Math.max(3, a.total * 0.05) ? '.low' : ''}`,
        h('span.name', a.name),
        h('b', a.free === 0 ? '满' : String(a.free)),
        h('span.total', `/ ${a.total}`),
      ),
    ),
  );
}

function setConn(ok) {
  const c = $('conn');
  c.className = `conn ${ok ? 'ok' : 'bad'}`;
  c.textContent = ok ? '● 实时' : '● 连接中断';
}

function connect() {
  stream?.close();
  const es = new EventSource('/api/events');
  stream = es;
  const on = (name, fn) =>
    es.addEventListener(name, (ev) => {
      try {
        fn(JSON.parse(ev.data));
      } catch (e) {
        console.error(name, e);
      }
    });
  es.onopen = () => setConn(true);
  es.onerror = async () => {
    setConn(false);
    if (es.readyState === EventSource.CLOSED) {
      // the stream gives up on an error status: find out whether the session ended, else reconnect
      try {
        await api('GET', '/api/me');
        setTimeout(() => stream === es && connect(), 3000);
      } catch {
        /* the unauthorized handler showed the login */
      }
    }
  };
  on('state', (s) => {
    applyState(s);
    current?.update?.('state');
  });
  on('lane', (lane) => {
    const lanes = store.state.lanes;
    const i = lanes.findIndex((l) => l.laneId === lane.laneId);
    if (i >= 0) lanes[i] = lane;
    else lanes.push(lane);
    current?.update?.('lane', lane);
    live.laneChanged(lane);
  });
  on('spaces', (spaces) => {
    store.state.spaces = spaces;
    renderSpaces();
    current?.update?.('spaces');
  });
  on('devices', (d) => {
    store.state.devices = d;
    current?.update?.('devices');
  });
  on('activity', (a) => {
    store.state.activity = [a, ...store.state.activity].slice(0, 40);
    current?.update?.('activity');
  });
  on('today', (t) => {
    store.state.today = t;
    current?.update?.('today');
  });
  on('alert', (a) => toast(a.message, 'error', 10000));
  on('clock', (now) => {
    setSiteClock(undefined, now);
    tick();
  });
  on('logout', (m) => showLogin(m.message));
}

export function go(name) {
  if (!views[name]) name = 'live';
  store.view = name;
  for (const b of $('tabs').querySelectorAll('button')) b.classList.toggle('active', b.dataset.view === name);
  current?.leave?.();
  const main = $('view');
  clear(main);
  main.className = `view-${name}`;
  current = views[name](main, store) ?? {};
}

function passwordDialog() {
  const m = modal('修改密码');
  const oldP = h('input', { type: 'password', autocomplete: 'current-password' });
  const newP = h('input', { type: 'password', autocomplete: 'new-password' });
  const again = h('input', { type: 'password', autocomplete: 'new-password' });
  const err = h('div.error', { role: 'alert' });
  const ok = h('button.btn.primary.big', { type: 'button' }, '保存');
  ok.addEventListener('click', () =>
    busy(
      ok,
      async () => {
        if (newP.value !== again.value) throw new Error('两次输入的新密码不一致');
        await api('POST', '/api/me/password', { oldPassword: oldP.value, newPassword: newP.value });
        m.close();
        toast('密码已修改');
      },
      err,
    ),
  );
  m.body.append(
    field('原密码', oldP),
    field('新密码', newP, '至少 6 位'),
    field('再次输入新密码', again),
    err,
    h('div.actions', ok),
  );
  oldP.focus();
}

function tick() {
  if (!$('app').hidden && store.state) clear($('clock'), fmtTime(siteNow()));
}

async function boot() {
  setUnauthorizedHandler((message) => {
    if (store.user) showLogin(message);
  });
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const btn = $('login-submit');
    await busy(
      btn,
      async () => {
        const { user } = await api('POST', '/api/login', {
          username: $('login-user').value,
          password: $('login-pass').value,
        });
        await showApp(user);
      },
      $('login-error'),
    );
  });
  $('tabs').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-view]');
    if (b) go(b.dataset.view);
  });
  $('btn-logout').addEventListener('click', async () => {
    await api('POST', '/api/logout', {}).catch(() => {});
    showLogin('已退出登录');
  });
  $('btn-password').addEventListener('click', passwordDialog);
  setInterval(tick, 1000);
  try {
    const { user } = await api('GET', '/api/me');
    await showApp(user);
  } catch {
    showLogin();
  }
}

boot();
