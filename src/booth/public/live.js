// Live view (lanes, free spaces, devices, today's totals), the exit panel for the car waiting at an exit,
// and the manual gate dialog.
import {
  api,
  busy,
  clear,
  field,
  fmtShort,
  fmtSpan,
  fmtStay,
  fmtTime,
  h,
  modal,
  modalOpen,
  photo,
  plateChip,
  reasonPicker,
  serial,
  toast,
  toFen,
  yuan,
} from './util.js';
import { store } from './store.js';

const GATE = { opened: '已开闸', closed: '已关闸', moving: '运动中', unknown: '状态未知' };
const COMMAND = { open: '开闸', close: '关闸', keepOpen: '常开', release: '取消常开' };
const HEALTH = { online: '在线', offline: '离线', fault: '故障' };
const KIND = { camera: '相机', gate: '道闸', display: '显示屏' };
const RELEASE = {
  normal: '正常出场',
  paid: '缴费出场',
  free: '免费放行',
  abnormal: '异常放行',
  card: '固定车',
  manual: '人工放行',
};

const GATE_REASONS = {
  open: ['无入场记录出场', '防止砸车砸人', '非机动车通行', '设备故障', '特种车辆(消防/救护/警车)', '其他'],
  keepOpen: ['高峰疏导', '活动保障', '设备故障'],
  close: ['车辆已通过', '防止跟车'],
  release: ['恢复正常'],
};
const FREE_REASONS = ['内部车辆', '领导批准', '特种车辆(消防/救护/警车)', '系统计费异常'];
const ABNORMAL_REASONS = ['设备故障', '车牌无法识别', '逃费车辆登记', '其他'];
const NO_ENTRY_REASONS = ['无入场记录', '入场未识别', '跟车入场'];

// ---------------------------------------------------------------- the live screen

export function view(main) {
  const lanesBox = h('section.lanes', { 'aria-label': '车道' });
  const todayBox = h('section.panel.today', { 'aria-label': '本班统计' });
  const devBox = h('section.panel.devices', { 'aria-label': '设备状态' });
  const actBox = h('section.panel.activity', { 'aria-label': '最近记录' });
  main.append(h('div.live', lanesBox, h('aside.side', todayBox, devBox, actBox)));

  const renderLanes = () => clear(lanesBox, (store.state?.lanes ?? []).map(laneCard));
  const renderToday = () => {
    const t = store.state?.today;
    clear(
      todayBox,
      h('h3', '我的今日收费'),
      h(
        'div.stats',
        stat('现金收费', t ? yuan(t.cash.amount) : '—', t ? `${t.cash.count} 笔` : ''),
        stat('免费放行', t?.freeReleases ?? '—', '次'),
        stat('异常放行', t?.abnormalReleases ?? '—', '次'),
        stat('手动开闸', t?.manualOpenings ?? '—', '次'),
      ),
    );
  };
  const renderDevices = () => {
    const rows = store.state?.devices ?? [];
    clear(
      devBox,
      h('h3', '设备状态'),
      rows.length
        ? h(
            'ul.devlist',
            rows.map((d) =>
              h(
                `li.dev.s-${d.health?.status ?? 'unknown'}`,
                h('span.dot'),
                h('span.id', d.id),
                h('span.kind', KIND[d.kind] ?? d.type ?? ''),
                h('span.st', HEALTH[d.health?.status] ?? d.health?.status ?? '未知'),
                d.health?.reason ? h('span.reason', d.health.reason) : null,
              ),
            ),
          )
        : h('p.muted', '未接入设备管理'),
    );
  };
  const renderActivity = () => {
    const rows = store.state?.activity ?? [];
    clear(
      actBox,
      h('h3', '最近记录'),
      rows.length
        ? h(
            'ul.acts',
            rows
              .slice(0, 14)
              .map((a) => h(`li.act.k-${a.kind}`, h('time', fmtTime(a.time, false)), h('span', a.text))),
          )
        : h('p.muted', '暂无'),
    );
  };
  const all = () => {
    renderLanes();
    renderToday();
    renderDevices();
    renderActivity();
  };
  all();
  return {
    update(kind) {
      if (kind === 'state') all();
      else if (kind === 'lane') renderLanes();
      else if (kind === 'today') renderToday();
      else if (kind === 'devices') renderDevices();
      else if (kind === 'activity') renderActivity();
    },
  };
}

function stat(label, value, unit) {
  return h('div.stat', h('span.label', label), h('b', String(value)), h('span.unit', unit));
}

function laneCard(l) {
  const exit = l.direction === 'exit';
  const waiting = exit && l.waiting;
  const read = l.lastRead;
  return h(
    `article.lane.${l.direction}${waiting ? '.waiting' : ''}`,
    { dataset: { lane: l.laneId } },
    h(
      'header',
      h('span.dir', exit ? '出口' : '入口'),
      h('h3', l.name),
      l.keepOpen ? h('span.gate.g-keep', '常开中') : null,
      h(`span.gate.g-${l.gate ?? 'unknown'}`, GATE[l.gate] ?? GATE.unknown),
    ),
    h(
      'div.lane-body',
      photo(read?.imageUrl, '最近抓拍'),
      h(
        'div.read',
        read ? plateChip(read.plate, read.colour, true) : h('span.muted.big', '暂无识别'),
        read
          ? h(
              'div.meta',
              `${read.confidence !== undefined ? `置信度 ${read.confidence}% · ` : ''}${fmtTime(read.time, false)}`,
            )
          : null,
        waiting
          ? h(
              'div.wait',
              waiting.orderNo
                ? waiting.due > 0
                  ? `等待缴费 ${yuan(waiting.due)}`
                  : '等待放行'
                : '无入场记录 · 等待处理',
            )
          : l.message
            ? h('div.msg', l.message)
            : null,
      ),
    ),
    h(
      'div.lane-actions',
      exit
        ? h(
            `button.btn.${waiting ? 'primary' : 'secondary'}.big.handle`,
            { type: 'button', onclick: () => openExit(l.laneId) },
            waiting ? '处理出场' : '人工出场',
          )
        : null,
      h(
        'div.gatebtns',
        Object.entries(COMMAND).map(([cmd, label]) =>
          h(
            `button.btn.gatebtn.c-${cmd}`,
            { type: 'button', dataset: { cmd }, onclick: () => gateDialog(l, cmd) },
            label,
          ),
        ),
      ),
    ),
  );
}

const shown = new Map();
/**
 * A car started waiting at an exit: bring its panel up unless the operator is busy with another one.
 * Once per car: later updates of the same wait (gate moving, a re-read) must not reopen a panel the
 * operator closed on purpose.
 */
export function laneChanged(lane) {
  if (lane.direction !== 'exit') return;
  if (!lane.waiting) {
    shown.delete(lane.laneId);
    return;
  }
  const key = `${lane.waiting.orderNo ?? ''}|${lane.waiting.plate ?? ''}`;
  if (shown.get(lane.laneId) === key || modalOpen()) return;
  shown.set(lane.laneId, key);
  openExit(lane.laneId);
}

// ---------------------------------------------------------------- manual gate

export function gateDialog(lane, command) {
  const m = modal(`${lane.name} · ${COMMAND[command]}`);
  const reason = h('input', { id: 'gate-reason', placeholder: '请填写原因（必填）', maxlength: 200 });
  const err = h('div.error', { role: 'alert', id: 'gate-error' });
  const ok = h(
    `button.btn.big.${command === 'open' || command === 'keepOpen' ? 'primary' : 'secondary'}`,
    { type: 'button', id: 'gate-confirm' },
    `确认${COMMAND[command]}`,
  );
  ok.addEventListener('click', () =>
    busy(
      ok,
      async () => {
        // the server refuses it too; saying so before the round trip is kinder
        if (!reason.value.trim()) throw new Error(`手动${COMMAND[command]}必须填写原因`);
        await api('POST', `/api/lanes/${encodeURIComponent(lane.laneId)}/gate`, {
          command,
          reason: reason.value.trim(),
        });
        m.close();
        toast(`${lane.name} 已${COMMAND[command]}`);
      },
      err,
    ),
  );
  reason.addEventListener('input', () => clear(err));
  reason.addEventListener('keydown', (e) => e.key === 'Enter' && ok.click());
  m.body.append(
    h('p.lead.pair', h('span', `车道：${lane.name}`), h('span', `当前：${GATE[lane.gate] ?? GATE.unknown}`)),
    field('原因', reason, '手动操作会记录操作员和原因，并上报平台'),
    reasonPicker(reason, GATE_REASONS[command] ?? []),
    err,
    h('div.actions', ok),
  );
  reason.focus();
}

// ---------------------------------------------------------------- the car at an exit

export async function openExit(laneId, orderNo) {
  let data;
  try {
    data = await api('GET', `/api/lanes/${encodeURIComponent(laneId)}/exit`);
    if (orderNo) data.waiting = await api('GET', `/api/orders/${encodeURIComponent(orderNo)}`);
  } catch (e) {
    toast(e.message, 'error');
    return;
  }
  const lane = data.lane;
  if (data.waiting) waitingPanel(lane, data.waiting, data.exitImage);
  else noEntryPanel(lane, data);
}

function waitingPanel(lane, v, exitImage) {
  const m = modal(`${lane.name} · 出场收费`, { wide: true });
  m.el.querySelector('.modal').dataset.panel = 'exit';
  const o = v.order;
  const q = v.quote;
  const due = q.due;

  const lines = q.lines?.length
    ? h(
        'table.fee',
        h(
          'thead',
          h('tr', h('th', '计费时段'), h('th', '起止'), h('th.num', '计费单位'), h('th.num', '金额')),
        ),
        h(
          'tbody',
          q.lines.map((ln) =>
            h(
              'tr',
              h('td', ln.period === 'cap' ? '封顶调整' : ln.period === 'perEntry' ? '按次' : ln.period),
              h('td', `${fmtSpan(ln.from, o.entryTime)} – ${fmtSpan(ln.to, o.entryTime)}`),
              h('td.num', String(ln.units)),
              h('td.num', yuan(ln.amount)),
            ),
          ),
        ),
      )
    : h('p.muted', q.total === 0 ? '免费时段内或固定车，无费用' : '无明细');

  const summary = h(
    'dl.sum',
    h('dt', '应收合计'),
    h('dd', yuan(q.total)),
    h('dt', '已付'),
    h('dd', yuan(q.paid)),
    q.discountMoney ? [h('dt', '优惠'), h('dd', yuan(q.discountMoney))] : null,
  );
  const dueBox = h('div.duebox', h('span.label', '应缴'), h('b', { id: 'exit-due' }, yuan(due)));

  const sub = h('div.sub-action');
  const err = h('div.error', { role: 'alert', id: 'exit-error' });

  // cash: received amount and the change to give back
  const received = h('input.money', {
    id: 'cash-received',
    inputmode: 'decimal',
    value: (due / 100).toFixed(2),
    'aria-label': '实收金额(元)',
  });
  const change = h('b.change', { id: 'cash-change' }, yuan(0));
  const updateChange = () => {
    const f = toFen(received.value);
    clear(change, f === undefined ? '—' : f < due ? `还差 ${yuan(due - f)}` : yuan(f - due));
    change.classList.toggle('short', f === undefined || f < due);
  };
  received.addEventListener('input', updateChange);
  const key = serial(`cash-${o.orderNo}`);
  const cashBtn = h('button.btn.primary.huge', { type: 'button', id: 'cash-confirm' }, '确认收款并开闸');
  cashBtn.addEventListener('click', () =>
    busy(
      cashBtn,
      async () => {
        const f = toFen(received.value);
        if (f === undefined) throw new Error('请输入正确的实收金额（元）');
        if (f < due) throw new Error(`实收金额不足，应缴 ${yuan(due)}`);
        const r = await api('POST', `/api/orders/${encodeURIComponent(o.orderNo)}/cash`, {
          laneId: lane.laneId,
          received: f,
          serial: key,
        });
        done(m, `已收 ${yuan(r.received)}，找零 ${yuan(r.change)}`, r.gate);
      },
      err,
    ),
  );
  const quick = [due, 1000, 2000, 5000, 10000].filter((v, i, a) => v >= due && a.indexOf(v) === i);
  const cashBox =
    due > 0
      ? h(
          'div.cash',
          dueBox,
          h('div.row', field('实收现金(元)', received), h('div.changebox', h('span.label', '找零'), change)),
          h(
            'div.chips',
            quick.map((v) =>
              h(
                'button.chip.big',
                {
                  type: 'button',
                  onclick: () => {
                    received.value = (v / 100).toFixed(2);
                    updateChange();
                  },
                },
                v === due ? `应缴 ${yuan(v)}` : yuan(v),
              ),
            ),
          ),
          cashBtn,
        )
      : h(
          'div.cash',
          dueBox,
          h('p.lead', q.paid > 0 ? `已付 ${yuan(q.paid)}，可直接放行` : '无需缴费，可直接放行'),
          (() => {
            const b = h('button.btn.primary.huge', { type: 'button', id: 'paid-confirm' }, '放行开闸');
            b.addEventListener('click', () =>
              busy(
                b,
                async () => {
                  const r = await api('POST', `/api/orders/${encodeURIComponent(o.orderNo)}/release`, {
                    laneId: lane.laneId,
                    kind: 'paid',
                  });
                  done(m, '已放行', r.gate);
                },
                err,
              ),
            );
            return b;
          })(),
        );

  const releaseForm = (kind) => {
    const label = kind === 'free' ? '免费放行' : '异常放行';
    const reason = h('input', { id: `${kind}-reason`, placeholder: '请填写原因（必填）', maxlength: 200 });
    const go = h('button.btn.warn.big', { type: 'button', id: `${kind}-confirm` }, `确认${label}`);
    go.addEventListener('click', () =>
      busy(
        go,
        async () => {
          if (!reason.value.trim()) throw new Error(`${label}必须填写原因`);
          const r = await api('POST', `/api/orders/${encodeURIComponent(o.orderNo)}/release`, {
            laneId: lane.laneId,
            kind,
            reason: reason.value.trim(),
          });
          done(m, `${label}：${reason.value.trim()}`, r.gate);
        },
        err,
      ),
    );
    clear(
      sub,
      h('h3', label),
      kind === 'abnormal'
        ? h('p.muted', `不收费放行，记录应收 ${yuan(due)}，上报平台为“异常放行”`)
        : h('p.muted', `应收 ${yuan(due)} 记为免收`),
      field('原因', reason),
      reasonPicker(reason, kind === 'free' ? FREE_REASONS : ABNORMAL_REASONS),
      go,
    );
    go.scrollIntoView({ block: 'nearest' });
    reason.focus();
  };

  const plateForm = () => {
    const input = h('input.plate-input', { id: 'plate-input', value: o.plate, maxlength: 10 });
    const cands = h('div.cands');
    const save = h('button.btn.secondary.big', { type: 'button', id: 'plate-save' }, '保存更正');
    save.addEventListener('click', () =>
      busy(
        save,
        async () => {
          const v2 = await api('POST', `/api/orders/${encodeURIComponent(o.orderNo)}/plate`, {
            plate: input.value,
            reason: '岗亭更正车牌',
          });
          toast(`车牌已更正为 ${v2.order.plate}`);
          waitingPanel(lane, v2, exitImage);
        },
        err,
      ),
    );
    const find = async () => {
      if (input.value.trim().length < 3) return clear(cands);
      try {
        const r = await api('GET', `/api/candidates?plate=${encodeURIComponent(input.value.trim())}`);
        const others = r.candidates.filter((c) => c.orderNo !== o.orderNo);
        clear(
          cands,
          others.length
            ? [
                h('p.muted', '在场相似车辆（点选改为处理该车）'),
                candidateList(others, (c) => openExit(lane.laneId, c.orderNo)),
              ]
            : h('p.muted', '无其他相似在场车辆'),
        );
      } catch (e) {
        clear(cands, h('p.error', e.message));
      }
    };
    let t;
    input.addEventListener('input', () => {
      clearTimeout(t);
      t = setTimeout(find, 250);
    });
    clear(sub, h('h3', '更正车牌'), h('div.row', field('正确车牌', input), save), cands);
    save.scrollIntoView({ block: 'nearest' });
    input.focus();
    find();
  };

  // one screen, no scrolling: photos | the stay and its fee | the money; the rarer actions below
  m.body.append(
    h(
      'div.exit-layout',
      h(
        'div.photos',
        photo(o.entryImage, `入场 ${fmtTime(o.entryTime)}`),
        photo(exitImage ?? o.exitImage, '出场抓拍'),
      ),
      h(
        'div.facts',
        h('div.plate-line', plateChip(o.plate, o.plateColour, true), h('span.type', o.carTypeName)),
        h(
          'dl.kv',
          h('dt', '入场时间'),
          h('dd', fmtTime(o.entryTime)),
          h('dt', '计费至'),
          h('dd', fmtTime(q.at)),
          h('dt', '停车时长'),
          h('dd.stay', fmtStay(q.stayMinutes)),
          h('dt', '订单号'),
          h('dd.mono', o.orderNo),
        ),
        h('div.fee-box', lines, summary),
        h(
          'div.others',
          h(
            'button.btn.secondary.big',
            { type: 'button', id: 'btn-free', onclick: () => releaseForm('free') },
            '免费放行',
          ),
          h(
            'button.btn.secondary.big',
            { type: 'button', id: 'btn-abnormal', onclick: () => releaseForm('abnormal') },
            '异常放行',
          ),
          h('button.btn.secondary.big', { type: 'button', id: 'btn-plate', onclick: plateForm }, '更正车牌'),
        ),
      ),
      cashBox,
    ),
    err,
    sub,
  );
}

function candidateList(cands, pick) {
  return h(
    'ul.candlist',
    cands.map((c) =>
      h(
        'li',
        photo(c.entryImage, ''),
        plateChip(c.plate, c.plateColour),
        h('span.meta', c.entryTime ? `入场 ${fmtShort(c.entryTime)}` : ''),
        h('span.meta', c.carTypeName ?? ''),
        h(
          'button.btn.primary',
          { type: 'button', dataset: { order: c.orderNo }, onclick: () => pick(c) },
          '是这辆车',
        ),
      ),
    ),
  );
}

function noEntryPanel(lane, data) {
  const m = modal(`${lane.name} · 无入场记录`, { wide: true });
  m.el.querySelector('.modal').dataset.panel = 'no-entry';
  const plate = lane.waiting?.plate ?? lane.lastRead?.plate ?? '';
  const input = h('input.plate-input', {
    id: 'noentry-plate',
    value: plate,
    maxlength: 10,
    placeholder: '车牌号',
  });
  const cands = h('div.cands');
  const err = h('div.error', { role: 'alert', id: 'noentry-error' });
  const show = (list) =>
    clear(
      cands,
      list.length
        ? candidateList(list, (c) => openExit(lane.laneId, c.orderNo))
        : h('p.muted', '没有相似的在场车辆'),
    );
  show(data.candidates ?? []);
  const find = h('button.btn.secondary.big', { type: 'button' }, '查找相似车牌');
  find.addEventListener('click', () =>
    busy(
      find,
      async () => {
        const r = await api('GET', `/api/candidates?plate=${encodeURIComponent(input.value.trim())}`);
        show(r.candidates);
      },
      err,
    ),
  );
  const reason = h('input', {
    id: 'noentry-reason',
    placeholder: '请填写原因（必填）',
    value: '',
    maxlength: 200,
  });
  const fee = data.noEntryRecordFee;
  const charge = h(
    'button.btn.primary.huge',
    { type: 'button', id: 'noentry-confirm' },
    `收取 ${yuan(fee)} 并开闸`,
  );
  charge.addEventListener('click', () =>
    busy(
      charge,
      async () => {
        if (!reason.value.trim()) throw new Error('无入场记录放行必须填写原因');
        const r = await api('POST', `/api/lanes/${encodeURIComponent(lane.laneId)}/no-entry`, {
          plate: input.value.trim(),
          reason: reason.value.trim(),
        });
        done(m, `无入场记录，已收 ${yuan(r.charged)}`, r.gate);
      },
      err,
    ),
  );
  m.body.append(
    h(
      'div.exit-layout',
      h('div.photos', photo(data.exitImage, '出场抓拍')),
      h(
        'div.facts',
        h('p.lead', '未找到该车的入场记录。请核对车牌：是下面的在场车辆就点选它，否则按最低收费放行。'),
        h('div.row', field('车牌', input), find),
        h('h3', '在场相似车辆'),
        cands,
      ),
      h(
        'div.cash',
        h('div.duebox', h('span.label', '最低收费'), h('b', yuan(fee))),
        field('原因', reason),
        reasonPicker(reason, NO_ENTRY_REASONS),
        charge,
      ),
    ),
    err,
  );
}

/** Show the outcome big for a moment, then give the screen back. */
function done(m, text, gate) {
  const ok = !gate || gate.ok;
  clear(
    m.body,
    h(
      `div.result.${ok ? 'ok' : 'warn'}`,
      { id: 'exit-result' },
      h('div.big-text', text),
      h(
        'div',
        ok
          ? gate?.skipped
            ? '订单已结算'
            : '已开闸放行'
          : `订单已结算，但开闸失败：${gate.error}。请使用手动开闸。`,
      ),
    ),
    h('div.actions', h('button.btn.primary.big', { type: 'button', onclick: () => m.close() }, '完成')),
  );
  toast(ok ? text : `开闸失败：${gate.error}`, ok ? 'ok' : 'error', 6000);
  if (ok) setTimeout(() => document.getElementById('exit-result') && m.close(), 5000);
}

export { RELEASE };
