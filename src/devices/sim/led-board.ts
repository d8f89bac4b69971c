// An LED/voice board on a serial line: decodes `00 64 FF FF` frames and records what it would
// show and say. Opens any serial path (a socat pty end in tests and the CLI).
import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { describeFrame, FkFrameSplitter, type DecodedCommand } from '../../codecs/fkled.js';

export class LedBoardSim extends EventEmitter {
  readonly received: DecodedCommand[] = [];
  /** current text per window, as a board would display it */
  readonly windows = new Map<number, string>();
  readonly spoken: string[] = [];
  garbage = 0;
  private port: SerialPort | null = null;
  private readonly splitter = new FkFrameSplitter();

  /** Feeds raw bytes (also used for frames that arrived through a camera's serialData). */
  feed(chunk: Buffer): void {
    const { frames, garbage } = this.splitter.push(chunk);
    this.garbage += garbage;
    for (const f of frames) {
      let cmd: DecodedCommand;
      try {
        cmd = describeFrame(f);
      } catch {
        this.garbage += f.data.length;
        continue;
      }
      this.received.push(cmd);
      if (cmd.kind === 'text') this.windows.set(cmd.text.line, cmd.text.text);
      if (cmd.kind === 'voice') this.spoken.push(cmd.text);
      this.emit('command', cmd);
    }
  }

  async open(path: string, baudRate = 9600): Promise<void> {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    port.on('data', (c: Buffer) => this.feed(c));
    port.on('error', () => undefined);
    this.port = port;
  }

  async close(): Promise<void> {
    const p = this.port;
    this.port = null;
    if (p?.isOpen) await new Promise<void>((resolve) => p.close(() => resolve()));
  }
}
