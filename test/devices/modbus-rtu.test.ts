import { afterEach, describe, expect, it } from 'vitest';
import { ModbusRelayGate } from '../../src/devices/gate/modbus-relay.js';
import { ModbusRtuRelaySim } from '../../src/devices/sim/modbus-relay.js';
import { modbusRelaySchema } from '../../src/config/devices.schema.js';
import type { DeviceHealth } from '../../src/devices/interfaces.js';
import { PtyPair, hasSocat, testLogger, waitFor } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe.skipIf(!hasSocat)('modbus-relay gate over Modbus RTU (socat pty pair)', () => {
  it('drives the arm over real RTU framing; unplug → offline once, replug → online', async () => {
    const pty = PtyPair.inTmp();
    await pty.start();
    cleanups.push(() => pty.kill());
    let sim = new ModbusRtuRelaySim({ travelMs: 150, unitId: 3 });
    await sim.start(pty.b);
    cleanups.push(() => sim.dispose());
    const gate = new ModbusRelayGate(
      modbusRelaySchema.parse({
        id: 'rtu1',
        type: 'modbus-relay',
        transport: 'rtu',
        path: pty.a,
        unitId: 3,
        inputs: { openLimit: 0, closedLimit: 1, loop: 2 },
        pulseMs: 100,
        pollMs: 50,
        timeoutMs: 300,
      }),
      testLogger(),
    );
    cleanups.push(() => gate.stop());
    const health: DeviceHealth[] = [];
    gate.events.on('health', (h: DeviceHealth) => health.push(h));
    await gate.start();
    expect(gate.health().status).toBe('online');
    await waitFor(() => gate.state() === 'closed', 2000, 'closed');
    await gate.open();
    await waitFor(() => gate.state() === 'opened', 3000, 'opened');
    expect(sim.gate.writes.some((w) => w.coil === 0 && w.value)).toBe(true);

    // unplug: the pty pair disappears under both the driver and the simulated board
    await sim.stop();
    await pty.kill();
    await waitFor(() => gate.health().status === 'offline', 5000, 'offline');
    await new Promise((r) => setTimeout(r, 500));
    expect(health.filter((h) => h.status === 'offline')).toHaveLength(1);

    // replug
    await pty.start();
    sim = new ModbusRtuRelaySim({ travelMs: 150, unitId: 3 });
    await sim.start(pty.b);
    await waitFor(() => gate.health().status === 'online', 15000, 'online again');
    await gate.close();
    expect(health.map((h) => h.status)).toEqual(['online', 'offline', 'online']);
  });
});
