// Load generator child of the KT benchmarks (see kt-common.ts load()). Receives its job over IPC.
import http from 'node:http';

interface Job {
  url: string;
  bodies: string[];
  headers: Record<string, string>;
  connections: number;
  seconds: number;
  /** a substring every good reply contains */
  check?: string;
}

process.once('message', (job: Job) => {
  const u = new URL(job.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections });
  const lat: number[] = [];
  let errors = 0;
  let next = 0;
  const warmEnd = Date.now() + 1000;
  const end = warmEnd + job.seconds * 1000;
  let counted = 0;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const body = job.bodies[next++ % job.bodies.length];
      const t0 = process.hrtime.bigint();
      const req = http.request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          agent,
          headers: {
            ...job.headers,
            'content-type': 'application/json;charset=utf-8',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (text += c));
          res.on('end', () => {
            const now = Date.now();
            if (now >= warmEnd && now < end) {
              counted++;
              lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
              if (res.statusCode !== 200 || (job.check && !text.includes(job.check))) errors++;
            }
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  const worker = async () => {
    while (Date.now() < end) await one();
  };
  void Promise.all(Array.from({ length: job.connections }, worker)).then(() => {
    lat.sort((a, b) => a - b);
    const p = (q: number) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))] ?? NaN;
    process.send!({
      requests: counted,
      errors,
      seconds: job.seconds,
      rps: counted / job.seconds,
      p50: p(0.5),
      p99: p(0.99),
    });
    agent.destroy();
  });
});
