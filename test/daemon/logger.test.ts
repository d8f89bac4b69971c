import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger, maskNumbers } from '../../src/daemon/logger.js';

function capture() {
  const lines: any[] = [];
  const dest = new Writable({
    write(chunk, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, logger: createLogger({ level: 'info', pretty: false, destination: dest as any }) };
}

describe('logging', () => {
  it('writes JSON lines with the component of each part', () => {
    const { lines, logger } = capture();
    logger.child({ component: 'lanes' }).info({ lane: 'in-1' }, 'plate read');
    expect(lines[0]).toMatchObject({ level: 30, component: 'lanes', lane: 'in-1', msg: 'plate read' });
  });

  it('never writes secrets', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        pwd: 'hunter22',
        cfg: { key: 'F7A0B971B199FD2A1017CEC5', appSecret: 'abc' },
        headers: { pwd: 'x', cookie: 'pe_booth=tok' },
      },
      'call',
    );
    const text = JSON.stringify(lines[0]);
    for (const s of ['hunter22', 'F7A0B971B199FD2A1017CEC5', 'abc"', 'pe_booth=tok'])
      expect(text).not.toContain(s);
    expect(text).toContain('[secret]');
  });

  it('masks phone and card numbers in fields and messages', () => {
    expect(maskNumbers('tel 13812345678')).toBe('tel 138****5678');
    expect(maskNumbers('card 6222021234567890123')).toBe('card 6222********0123');
    expect(maskNumbers('plate 粤B12345 order 20260302100000000001')).toContain('粤B12345');
    const { lines, logger } = capture();
    logger.info({ holder: { phone: '13912345678' } }, 'card for 13812345678');
    expect(lines[0].holder.phone).toBe('139****5678');
    expect(lines[0].msg).toBe('card for 138****5678');
  });
});
