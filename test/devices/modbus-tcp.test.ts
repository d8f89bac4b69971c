import { afterEach, describe, expect, it } from 'vitest';
import { ModbusRelayGate } from '../../src/devices/gate/modbus-relay.js';
import { ModbusTcpRelaySim } from '../../src/devices/sim/modbus-relay.js';
import { modbusRelaySchema } from '../../src/config/devices.schema.js';
import type { DeviceHealth, GateState } from '../../src/devices/interfaces.js';
import { testLogger, waitFor } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(extra: Record<string, unknown> = {}) {
  const sim = new ModbusTcpRelaySim({ travelMs: 150 });
  const addr = await sim.start();
  cleanups.push(() => sim.dispose());
  const cfg = modbusRelaySchema.parse({
    id: 'g1',
    type: 'modbus-relay',
    transport: 'tcp',
    host: addr.host,
    port: addr.port,
    coils: { open: 0, close: 1, stop: 2 },
    inputs: { openLimit: 0, closedLimit: 1, loop: 2, safety: 3 },
    pulseMs: 100,
    pollMs: 30,
    timeoutMs: 200,
    ...extra,
  });
  const gate = new ModbusRelayGate(cfg, testLogger());
  cleanups.push(() => gate.stop());
  const health: DeviceHealth[] = [];
  const states: GateState[] = [];
  gate.events.on('health', (h: DeviceHealth) => health.push(h));
  gate.events.on('state', (s: GateState) => states.push(s));
  return { sim, gate, health, states, addr };
}

describe('modbus-relay gate over Modbus TCP', () => {
  it('opens with a pulse, tracks moving/opened/closed from the limits, reads the loop', async () => {
    const { sim, gate, states } = await setup();
    await gate.start();
    expect(gate.health().status).toBe('online');
    await waitFor(() => gate.state() === 'closed', 2000, 'closed');
    await gate.open();
    expect(sim.gate.coils.get(0)).toBe(true);
    await waitFor(() => gate.state() === 'opened', 2000, 'opened');
    await waitFor(() => sim.gate.coils.get(0) === false, 2000, 'pulse released');
    expect(states).toContain('moving');
    sim.gate.setLoop(true);
    await waitFor(() => gate.inputs().vehiclePresent === true, 2000, 'loop');
    sim.gate.setLoop(false);
    await waitFor(() => gate.inputs().vehiclePresent === false, 2000, 'loop clear');
    await gate.close();
    await waitFor(() => gate.state() === 'closed', 2000, 'closed again');
  });

  it('keepOpen latches the open coil; release unlatches and pulses close', async () => {
    const { sim, gate } = await setup();
    await gate.start();
    await gate.keepOpen();
    await waitFor(() => gate.state() === 'opened', 2000, 'opened');
    await new Promise((r) => setTimeout(r, 250));
    expect(sim.gate.coils.get(0)).toBe(true);
    await gate.release();
    expect(sim.gate.coils.get(0)).toBe(false);
    await waitFor(() => gate.state() === 'closed', 2000, 'closed');
  });

  it('honours NC polarity', async () => {
    const { gate } = await setup({ polarity: { loop: 'NC' } });
    await gate.start();
    await waitFor(() => gate.inputs().vehiclePresent === true, 2000, 'inverted loop');
  });

  it('server stopped → offline once → online again without a restart; commands reject while offline', async () => {
    const { sim, gate, health, addr } = await setup();
    await gate.start();
    expect(gate.health().status).toBe('online');
    await sim.stop();
    await waitFor(() => gate.health().status === 'offline', 3000, 'offline');
    await expect(gate.open()).rejects.toThrow(/offline/);
    await new Promise((r) => setTimeout(r, 600));
    await sim.start(addr.host, addr.port);
    await waitFor(() => gate.health().status === 'online', 8000, 'online again');
    await gate.open();
    expect(health.map((h) => h.status)).toEqual(['online', 'offline', 'online']);
  });

  it('board stops answering (Modbus timeouts) → offline once → online when it answers', async () => {
    const { sim, gate, health } = await setup();
    await gate.start();
    sim.gate.silent = true;
    await waitFor(() => gate.health().status === 'offline', 3000, 'offline');
    await new Promise((r) => setTimeout(r, 800));
    sim.gate.silent = false;
    await waitFor(() => gate.health().status === 'online', 8000, 'online again');
    expect(health.map((h) => h.status)).toEqual(['online', 'offline', 'online']);
  });

  it('start() against a dead address does not throw and keeps retrying', async () => {
    const { sim, gate, addr } = await setup();
    await sim.stop();
    await gate.start();
    expect(gate.health().status).toBe('offline');
    await sim.start(addr.host, addr.port);
    await waitFor(() => gate.health().status === 'online', 8000, 'online');
  });
});
