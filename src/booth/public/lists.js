// Card holders, blacklist and bookings: list, add, edit, remove. Writes need a supervisor; operators read.
import {
  api,
  busy,
  clear,
  field,
  fmtShort,
  h,
  modal,
  plateChip,
  qs,
  toFen,
  toLocalInput,
  toast,
  yuan,
} from './util.js';
import { store } from './store.js';

const BOOKING_STATE = { active: '有效', cancelled: '已取消', done: '已使用' };

function canEdit() {
  return store.atLeast('supervisor');
}
function readOnlyNote() {
  return canEdit() ? null : h('p.note', '当前账号只能查看；新增、修改、删除需要值班主管或管理员权限。');
}
function confirmDialog(title, text, action) {
  const m = modal(title);
  const err = h('div.error', { role: 'alert' });
  const ok = h('button.btn.danger.big', { type: 'button', id: 'confirm-ok' }, '确认');
  ok.addEventListener('click', () =>
    busy(
      ok,
      async () => {
        await action();
        m.close();
      },
      err,
    ),
  );
  m.body.append(
    h('p.lead', text),
    err,
    h('div.actions', h('button.btn.secondary.big', { type: 'button', onclick: () => m.close() }, '取消'), ok),
  );
}
function filterBar(fields, onSearch, addLabel, onAdd) {
  const go = h('button.btn.primary.big', { type: 'submit' }, '查询');
  return h(
    'form.filters',
    {
      onsubmit: (e) => {
        e.preventDefault();
        onSearch(go);
      },
    },
    fields,
    go,
    canEdit() && addLabel
      ? h('button.btn.secondary.big.add', { type: 'button', onclick: onAdd }, addLabel)
      : null,
  );
}
function table(head, rows, empty) {
  if (!rows.length) return h('p.empty', empty);
  return h(
    'table.grid',
    h(
      'thead',
      h(
        'tr',
        head.map((c) => (c.startsWith('#') ? h('th.num', c.slice(1)) : h('th', c))),
      ),
    ),
    h('tbody', rows),
  );
}
function moneyInput(id, fen) {
  return h('input.money', { id, inputmode: 'decimal', value: fen ? (fen / 100).toFixed(2) : '' });
}
function fenOf(input, label) {
  if (!input.value.trim()) return undefined;
  const f = toFen(input.value);
  if (f === undefined) throw new Error(`${label}格式不正确（元，最多两位小数）`);
  return f;
}

// ---------------------------------------------------------------- card holders

export function cardsView(main) {
  const plate = h('input', { id: 'c-plate', placeholder: '车牌片段', maxlength: 10 });
  const cardNo = h('input', { id: 'c-card', placeholder: '卡号', maxlength: 32 });
  const type = h(
    'select',
    { id: 'c-type' },
    h('option', { value: '' }, '全部类型'),
    holderTypes().map((t) => h('option', { value: String(t.code) }, t.name)),
  );
  const box = h('div.result-box');
  const err = h('div.error', { role: 'alert' });
  const load = (btn) =>
    busy(
      btn,
      async () => {
        const r = await api(
          'GET',
          `/api/cards${qs({ plate: plate.value.trim(), cardNo: cardNo.value.trim(), carType: type.value })}`,
        );
        clear(
          box,
          h('p.count', `共 ${r.total} 张`),
          table(
            ['卡号', '姓名', '电话', '类型', '车牌', '有效期', '#余额/次数', '车位', '备注', ''],
            r.rows.map((c) =>
              h(
                'tr',
                { dataset: { card: c.cardNo } },
                h('td.mono', c.cardNo),
                h('td', c.name ?? ''),
                h('td', c.phone ?? ''),
                h('td', c.carTypeName),
                h(
                  'td.plates',
                  c.plates.map((p) => plateChip(p)),
                ),
                h(
                  'td',
                  c.validFrom || c.validTo ? `${fmtShort(c.validFrom)} 至 ${fmtShort(c.validTo)}` : '长期',
                ),
                h(
                  'td.num',
                  c.carType === 3 ? yuan(c.balance) : c.carType === 6 ? `${c.countLeft ?? 0} 次` : '—',
                ),
                h('td', String(c.spaces)),
                h('td', c.remark ?? ''),
                h(
                  'td.rowbtns',
                  canEdit()
                    ? [
                        h(
                          'button.btn.secondary',
                          { type: 'button', onclick: () => cardForm(c, () => load()) },
                          '编辑',
                        ),
                        h(
                          'button.btn.secondary',
                          { type: 'button', onclick: () => rechargeForm(c, () => load()) },
                          c.carType === 3 ? '充值' : c.carType === 6 ? '加次' : '续费',
                        ),
                        h(
                          'button.btn.danger',
                          {
                            type: 'button',
                            onclick: () =>
                              confirmDialog(
                                '删除固定车',
                                `确定删除卡号 ${c.cardNo}（${c.plates.join('、')}）？`,
                                async () => {
                                  await api('DELETE', `/api/cards/${encodeURIComponent(c.cardNo)}`);
                                  toast('已删除');
                                  load();
                                },
                              ),
                          },
                          '删除',
                        ),
                      ]
                    : null,
                ),
              ),
            ),
            '没有符合条件的固定车',
          ),
        );
      },
      err,
    );
  main.append(
    ...[
      h('h2.view-title', '固定车（月租/储值/计次等）'),
      readOnlyNote(),
      filterBar([field('车牌', plate), field('卡号', cardNo), field('类型', type)], load, '新增固定车', () =>
        cardForm(undefined, () => load()),
      ),
      err,
      box,
    ].filter(Boolean),
  );
  load();
  return {};
}

function holderTypes() {
  return (store.state?.carTypes ?? []).filter((t) => t.code !== 0 && t.code !== 100);
}

function cardForm(c, after) {
  const m = modal(c ? `编辑固定车 ${c.cardNo}` : '新增固定车', { wide: true });
  const cardNo = h('input', { id: 'f-cardNo', value: c?.cardNo ?? '', maxlength: 32, readOnly: !!c });
  const name = h('input', { id: 'f-name', value: c?.name ?? '', maxlength: 32 });
  const phone = h('input', { id: 'f-phone', value: c?.phone ?? '', maxlength: 32, inputmode: 'tel' });
  const type = h(
    'select',
    { id: 'f-type' },
    holderTypes().map((t) =>
      h('option', { value: String(t.code), selected: c ? c.carType === t.code : t.code === 2 }, t.name),
    ),
  );
  const plates = h('input', {
    id: 'f-plates',
    value: c?.plates?.join(' ') ?? '',
    placeholder: '多个车牌用空格或逗号分隔',
  });
  const from = h('input', { id: 'f-from', type: 'datetime-local', value: toLocalInput(c?.validFrom) });
  const to = h('input', { id: 'f-to', type: 'datetime-local', value: toLocalInput(c?.validTo) });
  const balance = moneyInput('f-balance', c?.balance);
  const count = h('input', { id: 'f-count', inputmode: 'numeric', value: c?.countLeft ?? '' });
  const spaces = h('input', { id: 'f-spaces', inputmode: 'numeric', value: c?.spaces ?? 1 });
  const area = h(
    'select',
    { id: 'f-area' },
    h('option', { value: '' }, '不限'),
    (store.state?.areas ?? []).map((a) => h('option', { value: a.id, selected: c?.areaId === a.id }, a.name)),
  );
  const remark = h('input', { id: 'f-remark', value: c?.remark ?? '', maxlength: 200 });
  const err = h('div.error', { role: 'alert' });
  const save = h('button.btn.primary.big', { type: 'button', id: 'f-save' }, '保存');
  save.addEventListener('click', () =>
    busy(
      save,
      async () => {
        const body = {
          cardNo: cardNo.value.trim(),
          name: name.value.trim(),
          phone: phone.value.trim(),
          carType: Number(type.value),
          plates: plates.value.split(/[\s,，、]+/).filter(Boolean),
          validFrom: from.value || null,
          validTo: to.value || null,
          balance: fenOf(balance, '余额'),
          countLeft: count.value.trim() ? Number(count.value) : null,
          spaces: Number(spaces.value) || 1,
          areaId: area.value || null,
          remark: remark.value.trim(),
        };
        if (!body.cardNo) throw new Error('请输入卡号');
        if (!body.plates.length) throw new Error('请至少输入一个车牌');
        if (c) await api('PUT', `/api/cards/${encodeURIComponent(c.cardNo)}`, body);
        else await api('POST', '/api/cards', body);
        m.close();
        toast(c ? '已保存' : '已新增');
        after();
      },
      err,
    ),
  );
  m.body.append(
    h(
      'div.form-grid',
      field('卡号', cardNo),
      field('类型', type),
      field('车牌', plates),
      field('姓名', name),
      field('电话', phone),
      field('车位数', spaces),
      field('有效期开始', from),
      field('有效期结束', to),
      field('余额(元，储值车)', balance),
      field('剩余次数(计次车)', count),
      field('区域', area),
      field('备注', remark),
    ),
    err,
    h('div.actions', save),
  );
  (c ? name : cardNo).focus();
}

function rechargeForm(c, after) {
  const kind = c.carType === 3 ? '充值' : c.carType === 6 ? '加次' : '续费';
  const m = modal(`${kind} · ${c.cardNo}`);
  const amount = moneyInput('r-amount', 0);
  const months = h('input', { id: 'r-months', inputmode: 'numeric', value: '1' });
  const count = h('input', { id: 'r-count', inputmode: 'numeric', value: '10' });
  const err = h('div.error', { role: 'alert' });
  const save = h('button.btn.primary.big', { type: 'button', id: 'r-save' }, `确认${kind}`);
  save.addEventListener('click', () =>
    busy(
      save,
      async () => {
        const body = { amount: fenOf(amount, '金额') ?? 0 };
        if (c.carType === 6) body.count = Number(count.value);
        else if (c.carType !== 3) body.months = Number(months.value);
        await api('POST', `/api/cards/${encodeURIComponent(c.cardNo)}/recharge`, body);
        m.close();
        toast(`${kind}成功`);
        after();
      },
      err,
    ),
  );
  m.body.append(
    h(
      'p.lead',
      `${c.carTypeName}  ${c.plates.join('、')}  ${c.carType === 3 ? `余额 ${yuan(c.balance)}` : c.carType === 6 ? `剩余 ${c.countLeft ?? 0} 次` : `有效期至 ${fmtShort(c.validTo)}`}`,
    ),
    field('收款金额(元)', amount),
    c.carType === 6 ? field('增加次数', count) : c.carType === 3 ? null : field('续费月数', months),
    err,
    h('div.actions', save),
  );
}

// ---------------------------------------------------------------- blacklist

export function blacklistView(main) {
  const plate = h('input', { id: 'b-plate', placeholder: '车牌片段', maxlength: 10 });
  const box = h('div.result-box');
  const err = h('div.error', { role: 'alert' });
  const load = (btn) =>
    busy(
      btn,
      async () => {
        const r = await api('GET', `/api/blacklist${qs({ plate: plate.value.trim() })}`);
        clear(
          box,
          h('p.count', `共 ${r.rows.length} 条`),
          table(
            ['车牌', '原因', '有效期', '添加时间', ''],
            r.rows.map((b) =>
              h(
                'tr',
                { dataset: { plate: b.plate } },
                h('td', plateChip(b.plate)),
                h('td', b.reason),
                h(
                  'td',
                  b.validFrom || b.validTo ? `${fmtShort(b.validFrom)} 至 ${fmtShort(b.validTo)}` : '长期',
                ),
                h('td', fmtShort(b.createdAt)),
                h(
                  'td.rowbtns',
                  canEdit()
                    ? [
                        h(
                          'button.btn.secondary',
                          { type: 'button', onclick: () => blacklistForm(b, () => load()) },
                          '编辑',
                        ),
                        h(
                          'button.btn.danger',
                          {
                            type: 'button',
                            onclick: () =>
                              confirmDialog('移出黑名单', `确定将 ${b.plate} 移出黑名单？`, async () => {
                                await api('DELETE', `/api/blacklist/${encodeURIComponent(b.plate)}`);
                                toast('已移出');
                                load();
                              }),
                          },
                          '移出',
                        ),
                      ]
                    : null,
                ),
              ),
            ),
            '黑名单为空',
          ),
        );
      },
      err,
    );
  main.append(
    ...[
      h('h2.view-title', '黑名单'),
      readOnlyNote(),
      filterBar([field('车牌', plate)], load, '加入黑名单', () => blacklistForm(undefined, () => load())),
      err,
      box,
    ].filter(Boolean),
  );
  load();
  return {};
}

function blacklistForm(b, after) {
  const m = modal(b ? `编辑黑名单 ${b.plate}` : '加入黑名单');
  const plate = h('input.plate-input', {
    id: 'bl-plate',
    value: b?.plate ?? '',
    maxlength: 10,
    readOnly: !!b,
  });
  const reason = h('input', { id: 'bl-reason', value: b?.reason ?? '', maxlength: 200 });
  const from = h('input', { id: 'bl-from', type: 'datetime-local', value: toLocalInput(b?.validFrom) });
  const to = h('input', { id: 'bl-to', type: 'datetime-local', value: toLocalInput(b?.validTo) });
  const err = h('div.error', { role: 'alert' });
  const save = h('button.btn.primary.big', { type: 'button', id: 'bl-save' }, '保存');
  save.addEventListener('click', () =>
    busy(
      save,
      async () => {
        await api('POST', '/api/blacklist', {
          plate: plate.value.trim(),
          reason: reason.value.trim(),
          validFrom: from.value || null,
          validTo: to.value || null,
        });
        m.close();
        toast('已保存');
        after();
      },
      err,
    ),
  );
  m.body.append(
    field('车牌', plate),
    field('原因', reason),
    h('div.row', field('开始(可空)', from), field('结束(可空)', to)),
    err,
    h('div.actions', save),
  );
  (b ? reason : plate).focus();
}

// ---------------------------------------------------------------- bookings

export function bookingsView(main) {
  const plate = h('input', { id: 'k-plate', placeholder: '车牌片段', maxlength: 10 });
  const box = h('div.result-box');
  const err = h('div.error', { role: 'alert' });
  const load = (btn) =>
    busy(
      btn,
      async () => {
        const r = await api('GET', `/api/bookings${qs({ plate: plate.value.trim() })}`);
        clear(
          box,
          h('p.count', `共 ${r.rows.length} 条`),
          table(
            ['预约号', '车牌', '姓名', '电话', '开始', '结束', '多次进出', '#预付', '已入场', '状态', ''],
            r.rows.map((k) =>
              h(
                'tr',
                { dataset: { booking: k.bookingNo } },
                h('td.mono', k.bookingNo),
                h('td', plateChip(k.plate)),
                h('td', k.name ?? ''),
                h('td', k.phone ?? ''),
                h('td', fmtShort(k.start)),
                h('td', fmtShort(k.end)),
                h('td', k.multiEntry ? '是' : '否'),
                h('td.num', yuan(k.prepaid)),
                h('td', `${k.usedCount} 次`),
                h('td', h(`span.badge.bk-${k.state}`, BOOKING_STATE[k.state] ?? k.state)),
                h(
                  'td.rowbtns',
                  canEdit() && k.state === 'active'
                    ? [
                        h(
                          'button.btn.secondary',
                          { type: 'button', onclick: () => bookingForm(k, () => load()) },
                          '编辑',
                        ),
                        h(
                          'button.btn.danger',
                          {
                            type: 'button',
                            onclick: () =>
                              confirmDialog(
                                '取消预约',
                                `确定取消 ${k.plate} 的预约 ${k.bookingNo}？`,
                                async () => {
                                  await api('DELETE', `/api/bookings/${encodeURIComponent(k.bookingNo)}`);
                                  toast('已取消');
                                  load();
                                },
                              ),
                          },
                          '取消',
                        ),
                      ]
                    : null,
                ),
              ),
            ),
            '没有预约',
          ),
        );
      },
      err,
    );
  main.append(
    ...[
      h('h2.view-title', '预约车'),
      readOnlyNote(),
      filterBar([field('车牌', plate)], load, '新增预约', () => bookingForm(undefined, () => load())),
      err,
      box,
    ].filter(Boolean),
  );
  load();
  return {};
}

function bookingForm(k, after) {
  const m = modal(k ? `编辑预约 ${k.bookingNo}` : '新增预约');
  const plate = h('input.plate-input', { id: 'bk-plate', value: k?.plate ?? '', maxlength: 10 });
  const start = h('input', { id: 'bk-start', type: 'datetime-local', value: toLocalInput(k?.start) });
  const end = h('input', { id: 'bk-end', type: 'datetime-local', value: toLocalInput(k?.end) });
  const name = h('input', { id: 'bk-name', value: k?.name ?? '', maxlength: 32 });
  const phone = h('input', { id: 'bk-phone', value: k?.phone ?? '', maxlength: 32, inputmode: 'tel' });
  const prepaid = moneyInput('bk-prepaid', k?.prepaid);
  const multi = h('input', { id: 'bk-multi', type: 'checkbox', checked: !!k?.multiEntry });
  const err = h('div.error', { role: 'alert' });
  const save = h('button.btn.primary.big', { type: 'button', id: 'bk-save' }, '保存');
  save.addEventListener('click', () =>
    busy(
      save,
      async () => {
        if (!start.value || !end.value) throw new Error('请填写预约开始和结束时间');
        const body = {
          plate: plate.value.trim(),
          start: start.value,
          end: end.value,
          name: name.value.trim(),
          phone: phone.value.trim(),
          prepaid: fenOf(prepaid, '预付金额'),
          multiEntry: multi.checked,
        };
        if (k) await api('PUT', `/api/bookings/${encodeURIComponent(k.bookingNo)}`, body);
        else await api('POST', '/api/bookings', body);
        m.close();
        toast('已保存');
        after();
      },
      err,
    ),
  );
  m.body.append(
    field('车牌', plate),
    h('div.row', field('开始', start), field('结束', end)),
    h('div.row', field('姓名', name), field('电话', phone)),
    h('div.row', field('预付(元)', prepaid), h('label.check', multi, '允许多次进出')),
    err,
    h('div.actions', save),
  );
  plate.focus();
}
