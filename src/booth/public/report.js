// Shift report (printable) and, for admins, the staff accounts.
import { api, busy, clear, field, fmtTime, h, modal, qs, startOfDayInput, toast, yuan } from './util.js';
import { store, ROLE_NAME } from './store.js';

const ACTION = {
  'release-cash': '现金收费放行',
  'release-paid': '已缴费放行',
  'release-free': '免费放行',
  'release-abnormal': '异常放行',
  'exit-no-entry': '无入场记录收费',
  'gate-open': '开闸',
  'gate-close': '关闸',
  'gate-keepOpen': '常开',
  'gate-release': '取消常开',
  'correct-plate': '更正车牌',
  'forced-entry': '强制入场',
  'card-add': '新增固定车',
  'card-modify': '修改固定车',
  'card-delete': '删除固定车',
  'card-recharge': '储值充值',
  'card-renew': '固定车续费',
  'card-count': '计次加次',
  'card-plates': '修改车牌',
  'blacklist-add': '加入黑名单',
  'blacklist-modify': '修改黑名单',
  'blacklist-delete': '移出黑名单',
  'booking-add': '新增预约',
  'booking-modify': '修改预约',
  'booking-delete': '取消预约',
  'free-space': '修改空位数',
};

export function shiftView(main) {
  const from = h('input', { id: 's-from', type: 'datetime-local', value: startOfDayInput() });
  // empty means "until now", so a report left open and re-run still includes the latest cars
  const to = h('input', { id: 's-to', type: 'datetime-local', title: '留空表示至今' });
  const who = h(
    'select',
    { id: 's-operator' },
    h('option', { value: store.user.username }, store.user.displayName || store.user.username),
  );
  const go = h('button.btn.primary.big', { type: 'submit', id: 's-go' }, '生成报表');
  const print = h(
    'button.btn.secondary.big',
    { type: 'button', id: 's-print', onclick: () => window.print() },
    '打印',
  );
  const box = h('div.report', { id: 'shift-report' });
  const err = h('div.error', { role: 'alert' });
  if (store.atLeast('supervisor')) {
    who.append(h('option', { value: '*' }, '全部人员'));
    api('GET', '/api/operators')
      .then((r) => {
        for (const u of r.rows)
          if (u.username !== store.user.username)
            who.append(
              h('option', { value: u.username }, `${u.displayName || u.username}（${ROLE_NAME[u.role]}）`),
            );
      })
      .catch(() => {});
  }
  const run = () =>
    busy(
      go,
      async () => {
        const r = await api(
          'GET',
          `/api/shift${qs({ from: from.value, to: to.value, operator: who.value })}`,
        );
        render(r);
      },
      err,
    );
  const render = (r) => {
    const opName = r.operator === null ? '全部人员' : (who.selectedOptions[0]?.textContent ?? r.operator);
    const rows = r.entries.filter(
      (e) =>
        e.action.startsWith('release-') ||
        e.action.startsWith('gate-') ||
        e.action === 'exit-no-entry' ||
        e.action === 'correct-plate',
    );
    clear(
      box,
      h(
        'div.print-head',
        h('h2', `${store.state?.site?.name ?? ''} 交班报表`),
        h(
          'p.pair',
          h('span', `收费员：${opName}`),
          h('span', `时段：${fmtTime(r.from)} 至 ${fmtTime(r.to)}`),
          h('span', `打印时间：${fmtTime(r.generatedAt)}`),
        ),
      ),
      h(
        'div.stats.report-stats',
        h(
          'div.stat',
          h('span.label', '现金收费'),
          h('b', { id: 'r-cash' }, yuan(r.cash.amount)),
          h('span.unit', `${r.cash.count} 笔`),
        ),
        h(
          'div.stat',
          h('span.label', '免费放行'),
          h('b', { id: 'r-free' }, String(r.freeReleases)),
          h('span.unit', '次'),
        ),
        h(
          'div.stat',
          h('span.label', '异常放行'),
          h('b', { id: 'r-abnormal' }, String(r.abnormalReleases)),
          h('span.unit', '次'),
        ),
        h(
          'div.stat',
          h('span.label', '无入场记录'),
          h('b', { id: 'r-noentry' }, String(r.noEntryExits)),
          h('span.unit', '次'),
        ),
        h(
          'div.stat',
          h('span.label', '手动开闸'),
          h('b', { id: 'r-manual' }, String(r.manualOpenings)),
          h('span.unit', '次'),
        ),
      ),
      rows.length
        ? h(
            'table.grid.report-rows',
            h(
              'thead',
              h(
                'tr',
                h('th', '时间'),
                h('th', '操作员'),
                h('th', '操作'),
                h('th', '车道'),
                h('th', '订单'),
                h('th.num', '金额'),
                h('th', '原因'),
              ),
            ),
            h(
              'tbody',
              rows.map((e) =>
                h(
                  'tr',
                  h('td', fmtTime(e.time)),
                  h('td', e.actor ?? ''),
                  h(
                    'td',
                    `${ACTION[e.action] ?? e.action}${e.action === 'gate-open' && e.orderNo ? '（放行）' : ''}${e.detail?.error ? '（失败）' : ''}`,
                  ),
                  h('td', e.laneId ?? ''),
                  h('td.mono', e.orderNo ?? ''),
                  h(
                    'td.num',
                    e.action === 'release-cash'
                      ? yuan(e.detail?.amount ?? 0)
                      : e.action === 'exit-no-entry'
                        ? yuan(e.detail?.amount ?? 0)
                        : e.action.startsWith('release-')
                          ? `应收 ${yuan(e.detail?.due ?? 0)}`
                          : '',
                  ),
                  h('td', e.reason ?? ''),
                ),
              ),
            ),
          )
        : h('p.empty', '该时段没有收费或放行记录'),
      h('div.sign', h('span', '交班人签字：'), h('span', '接班人签字：'), h('span', '日期：')),
    );
  };
  main.append(
    h('h2.view-title', '交班报表'),
    h(
      'form.filters',
      {
        onsubmit: (e) => {
          e.preventDefault();
          run();
        },
      },
      field('收费员', who),
      field('从', from),
      field('到（留空为至今）', to),
      go,
      print,
    ),
    err,
    box,
  );
  run();
  return {};
}

// ---------------------------------------------------------------- users (admin)

export function usersView(main) {
  const box = h('div.result-box');
  const err = h('div.error', { role: 'alert' });
  const load = () =>
    busy(
      undefined,
      async () => {
        const r = await api('GET', '/api/users');
        clear(
          box,
          h(
            'table.grid',
            h(
              'thead',
              h(
                'tr',
                h('th', '用户名'),
                h('th', '姓名'),
                h('th', '角色'),
                h('th', '状态'),
                h('th', '创建时间'),
                h('th', ''),
              ),
            ),
            h(
              'tbody',
              r.rows.map((u) =>
                h(
                  'tr',
                  { dataset: { user: u.username } },
                  h('td.mono', u.username),
                  h('td', u.displayName ?? ''),
                  h('td', ROLE_NAME[u.role] ?? u.role),
                  h('td', u.disabled ? h('span.badge.st-void', '已停用') : h('span.badge.st-in', '正常')),
                  h('td', fmtTime(u.createdAt)),
                  h(
                    'td.rowbtns',
                    h('button.btn.secondary', { type: 'button', onclick: () => resetForm(u) }, '重置密码'),
                    u.id !== store.user.id
                      ? h(
                          `button.btn.${u.disabled ? 'secondary' : 'danger'}`,
                          {
                            type: 'button',
                            onclick: (e) =>
                              busy(e.currentTarget, async () => {
                                await api('POST', `/api/users/${u.id}/disabled`, { disabled: !u.disabled });
                                toast(u.disabled ? '已启用' : '已停用');
                                load();
                              }),
                          },
                          u.disabled ? '启用' : '停用',
                        )
                      : null,
                  ),
                ),
              ),
            ),
          ),
        );
      },
      err,
    );
  main.append(
    h('h2.view-title', '用户管理'),
    h(
      'div.filters',
      h('button.btn.primary.big', { type: 'button', onclick: () => userForm(load) }, '新增用户'),
    ),
    err,
    box,
  );
  load();
  return {};
}

function userForm(after) {
  const m = modal('新增用户');
  const username = h('input', { id: 'u-name', maxlength: 32, autocomplete: 'off' });
  const display = h('input', { id: 'u-display', maxlength: 32 });
  const role = h(
    'select',
    { id: 'u-role' },
    Object.entries(ROLE_NAME).map(([k, v]) => h('option', { value: k }, v)),
  );
  const password = h('input', { id: 'u-pass', type: 'password', autocomplete: 'new-password' });
  const err = h('div.error', { role: 'alert' });
  const save = h('button.btn.primary.big', { type: 'button', id: 'u-save' }, '保存');
  save.addEventListener('click', () =>
    busy(
      save,
      async () => {
        await api('POST', '/api/users', {
          username: username.value.trim(),
          displayName: display.value.trim(),
          role: role.value,
          password: password.value,
        });
        m.close();
        toast('用户已新增');
        after();
      },
      err,
    ),
  );
  m.body.append(
    field('用户名', username, '字母、数字、_ . -'),
    field('姓名', display),
    field('角色', role),
    field('初始密码', password, '至少 6 位'),
    err,
    h('div.actions', save),
  );
  username.focus();
}

function resetForm(u) {
  const m = modal(`重置密码 · ${u.username}`);
  const password = h('input', { type: 'password', autocomplete: 'new-password' });
  const err = h('div.error', { role: 'alert' });
  const save = h('button.btn.primary.big', { type: 'button' }, '保存');
  save.addEventListener('click', () =>
    busy(
      save,
      async () => {
        await api('POST', `/api/users/${u.id}/password`, { password: password.value });
        m.close();
        toast('密码已重置');
      },
      err,
    ),
  );
  m.body.append(field('新密码', password, '至少 6 位'), err, h('div.actions', save));
  password.focus();
}
