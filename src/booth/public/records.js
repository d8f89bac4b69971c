// In-park and history search: plate fragment, card number, entry time range; photos on every row.
import {
  api,
  busy,
  clear,
  field,
  fmtShort,
  fmtStay,
  fmtTime,
  h,
  modal,
  photo,
  plateChip,
  qs,
  siteNow,
  toast,
  yuan,
} from './util.js';
import { RELEASE, openExit } from './live.js';
import { store } from './store.js';

const STATE = { in: '在场', out: '已出场', void: '已作废' };

export function view(main) {
  const plate = h('input', { id: 'q-plate', placeholder: '车牌片段，如 B123', maxlength: 10 });
  const cardNo = h('input', { id: 'q-card', placeholder: '卡号/票号', maxlength: 32 });
  const state = h(
    'select',
    { id: 'q-state' },
    h('option', { value: 'in' }, '在场'),
    h('option', { value: 'out' }, '已出场'),
    h('option', { value: '' }, '全部'),
  );
  const from = h('input', { id: 'q-from', type: 'datetime-local' });
  const to = h('input', { id: 'q-to', type: 'datetime-local' });
  const go = h('button.btn.primary.big', { type: 'submit', id: 'q-go' }, '查询');
  const result = h('div.result-box');
  const err = h('div.error', { role: 'alert' });
  let page = 1;

  const run = () =>
    busy(
      go,
      async () => {
        const r = await api(
          'GET',
          `/api/orders${qs({ plate: plate.value.trim(), cardNo: cardNo.value.trim(), state: state.value, from: from.value, to: to.value, page, pageSize: 12 })}`,
        );
        render(r);
      },
      err,
    );

  const render = (r) => {
    const pages = Math.max(1, Math.ceil(r.total / r.pageSize));
    clear(
      result,
      h('p.count', `共 ${r.total} 条`),
      r.rows.length
        ? h(
            'table.grid.orders',
            h(
              'thead',
              h(
                'tr',
                h('th', '入场照片'),
                h('th', '车牌'),
                h('th', '类型'),
                h('th', '入场时间'),
                h('th', '出场时间'),
                h('th', '停车时长'),
                h('th', '状态'),
                h('th.num', '已付'),
                h('th', ''),
              ),
            ),
            h(
              'tbody',
              r.rows.map((o) =>
                h(
                  'tr',
                  { dataset: { order: o.orderNo } },
                  h('td.thumb', photo(o.entryImage, '')),
                  h('td', plateChip(o.plate, o.plateColour)),
                  h('td', o.carTypeName),
                  h('td', fmtShort(o.entryTime)),
                  h('td', fmtShort(o.exitTime)),
                  h(
                    'td',
                    fmtStay(Math.max(0, Math.floor(((o.exitTime ?? siteNow()) - o.entryTime) / 60000))),
                  ),
                  h('td', h(`span.badge.st-${o.state}`, STATE[o.state] ?? o.state)),
                  h('td.num', yuan(o.paid)),
                  h(
                    'td',
                    h('button.btn.secondary', { type: 'button', onclick: () => detail(o.orderNo) }, '详情'),
                  ),
                ),
              ),
            ),
          )
        : h('p.empty', '没有符合条件的记录'),
      pages > 1
        ? h(
            'div.pager',
            h(
              'button.btn.secondary',
              {
                type: 'button',
                disabled: page <= 1,
                onclick: () => {
                  page--;
                  run();
                },
              },
              '上一页',
            ),
            h('span', `第 ${page} / ${pages} 页`),
            h(
              'button.btn.secondary',
              {
                type: 'button',
                disabled: page >= pages,
                onclick: () => {
                  page++;
                  run();
                },
              },
              '下一页',
            ),
          )
        : null,
    );
  };

  const form = h(
    'form.filters',
    {
      onsubmit: (e) => {
        e.preventDefault();
        page = 1;
        run();
      },
    },
    field('车牌', plate),
    field('卡号', cardNo),
    field('状态', state),
    field('入场时间从', from),
    field('到', to),
    go,
  );
  main.append(h('h2.view-title', '在场查询'), form, err, result);
  run();
  return {};
}

function laneName(id) {
  if (!id) return '';
  return store.state?.lanes?.find((l) => l.laneId === id)?.name ?? id;
}

export async function detail(orderNo) {
  let v;
  try {
    v = await api('GET', `/api/orders/${encodeURIComponent(orderNo)}`);
  } catch (e) {
    toast(e.message, 'error');
    return;
  }
  const o = v.order;
  const q = v.quote;
  const m = modal(`订单 ${o.orderNo}`, { wide: true });
  const exitLanes = (store.state?.lanes ?? []).filter((l) => l.direction === 'exit');
  m.body.append(
    h(
      'div.detail-grid',
      h(
        'div.photos',
        photo(o.entryImage, `入场 ${fmtTime(o.entryTime)}`),
        photo(o.exitImage, o.exitTime ? `出场 ${fmtTime(o.exitTime)}` : '尚未出场'),
      ),
      h(
        'div.facts',
        h(
          'div.plate-line',
          plateChip(o.plate, o.plateColour, true),
          h('span.type', o.carTypeName),
          h(`span.badge.st-${o.state}`, STATE[o.state]),
        ),
        h(
          'dl.kv',
          h('dt', '入场'),
          h('dd', `${fmtTime(o.entryTime)} ${laneName(o.entryLane)}`),
          h('dt', '出场'),
          h('dd', o.exitTime ? `${fmtTime(o.exitTime)} ${laneName(o.exitLane)}` : '—'),
          h('dt', '停车时长'),
          h('dd', fmtStay(q.stayMinutes)),
          o.cardNo ? [h('dt', '卡号'), h('dd', o.cardNo)] : null,
          h('dt', o.state === 'in' ? '当前应收' : '应收'),
          h('dd', yuan(o.state === 'in' ? q.total : o.totalFee)),
          h('dt', '已付'),
          h('dd', yuan(o.paid)),
          o.state === 'in' ? [h('dt', '应缴'), h('dd.due', yuan(q.due))] : null,
          o.release
            ? [
                h('dt', '放行方式'),
                h('dd', `${RELEASE[o.release] ?? o.release}${o.releaseReason ? `：${o.releaseReason}` : ''}`),
              ]
            : null,
        ),
        o.payments?.length
          ? h(
              'table.grid.small',
              h('thead', h('tr', h('th', '时间'), h('th', '渠道'), h('th.num', '金额'), h('th', '操作员'))),
              h(
                'tbody',
                o.payments.map((p) =>
                  h(
                    'tr',
                    h('td', fmtTime(p.time)),
                    h('td', `${p.channel}/${p.method}`),
                    h('td.num', yuan(p.amount)),
                    h('td', p.operator ?? ''),
                  ),
                ),
              ),
            )
          : h('p.muted', '无缴费记录'),
        o.state === 'in' && exitLanes.length
          ? h(
              'div.actions',
              exitLanes.map((l) =>
                h(
                  'button.btn.primary.big',
                  { type: 'button', onclick: () => openExit(l.laneId, o.orderNo) },
                  `在 ${l.name} 办理出场`,
                ),
              ),
            )
          : null,
      ),
    ),
  );
}
