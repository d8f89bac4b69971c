import { afterEach, describe, expect, it } from 'vitest';
import { FkLedDisplay } from '../../src/devices/display/fk-led.js';
import { LedBoardSim } from '../../src/devices/sim/led-board.js';
import { fkLedSchema } from '../../src/config/devices.schema.js';
import type { DeviceHealth } from '../../src/devices/interfaces.js';
import { PtyPair, hasSocat, testLogger, waitFor } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe.skipIf(!hasSocat)('fk-led display on a serial line (socat pty pair)', () => {
  it('shows lines and speaks; unplug → offline once, replug → online, writes work again', async () => {
    const pty = PtyPair.inTmp();
    await pty.start();
    cleanups.push(() => pty.kill());
    let board = new LedBoardSim();
    await board.open(pty.b);
    cleanups.push(() => board.close());
    const led = new FkLedDisplay(
      fkLedSchema.parse({
        id: 'led1',
        type: 'fk-led',
        transport: 'serial',
        path: pty.a,
        address: 0,
        lines: 2,
      }),
      testLogger(),
    );
    cleanups.push(() => led.stop());
    const health: DeviceHealth[] = [];
    led.events.on('health', (h: DeviceHealth) => health.push(h));
    await led.start();
    expect(led.health().status).toBe('online');

    await led.show([
      { text: '京A12345', colour: 'green' },
      { text: '欢迎光临' },
      { text: 'dropped: board has 2 lines' },
    ]);
    await led.speak('京A12345,欢迎光临');
    await waitFor(() => board.spoken.length === 1, 3000, 'voice frame');
    expect(board.windows.get(0)).toBe('京A12345');
    expect(board.windows.get(1)).toBe('欢迎光临');
    expect(board.windows.size).toBe(2);
    expect(board.garbage).toBe(0);
    const first = board.received[0];
    expect(first.kind === 'text' && first.text.colour).toEqual([0, 0xff, 0]);

    await board.close();
    await pty.kill();
    await waitFor(() => led.health().status === 'offline', 5000, 'offline');
    await expect(led.show([{ text: 'x' }])).rejects.toThrow(/offline/);

    await pty.start();
    board = new LedBoardSim();
    await board.open(pty.b);
    await waitFor(() => led.health().status === 'online', 15000, 'online again');
    await led.show([{ text: '一路顺风' }]);
    await waitFor(() => board.windows.get(0) === '一路顺风', 3000, 'text after replug');
    expect(health.map((h) => h.status)).toEqual(['online', 'offline', 'online']);
  });

  it('start() on a missing device path stays offline and does not throw', async () => {
    const led = new FkLedDisplay(
      fkLedSchema.parse({ id: 'led2', type: 'fk-led', transport: 'serial', path: '/nonexistent/ttyUSB9' }),
      testLogger(),
    );
    cleanups.push(() => led.stop());
    await led.start();
    expect(led.health().status).toBe('offline');
    await expect(led.speak('x')).rejects.toThrow(/offline/);
  });
});
