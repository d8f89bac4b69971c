// A Hikvision ANPR camera: ISAPI endpoints behind digest auth (deviceInfo, barrierGate, picture)
// and an alarm push of multipart anpr.xml + JPEG to a listener URL.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { verifyDigest } from '../http/digest.js';
import { buildMultipart, escapeXml, xmlText } from '../http/multipart.js';
import { PLACEHOLDER_JPEG } from './onvif-device.js';
import { postRaw, type SimReply } from './zhenshi-camera.js';

export class HikvisionCameraSim {
  private server: http.Server | null = null;
  private addr: { host: string; port: number } | null = null;
  private readonly nonces = new Set<string>();
  readonly realm = 'IP Camera(sim)';
  readonly barrier: string[] = [];
  private count = 0;

  constructor(readonly o: { username?: string; password?: string; serialNumber?: string } = {}) {}

  async start(host = '127.0.0.1', port = 0): Promise<{ host: string; port: number }> {
    const server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(port, host, () => resolve()));
    this.server = server;
    this.addr = { host, port: (server.address() as AddressInfo).port };
    return this.addr;
  }

  url(): string {
    return `http://${this.addr!.host}:${this.addr!.port}`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const ok = verifyDigest(req.headers.authorization, {
        method: req.method ?? 'GET',
        realm: this.realm,
        username: this.o.username ?? 'admin',
        password: this.o.password ?? '12345',
        nonces: this.nonces,
      });
      if (!ok) {
        const nonce = randomBytes(12).toString('hex');
        this.nonces.add(nonce);
        res.writeHead(401, {
          'www-authenticate': `Digest realm="${this.realm}", qop="auth", nonce="${nonce}"`,
        });
        res.end();
        return;
      }
      const path = (req.url ?? '').split('?')[0];
      const xml = (s: string) => {
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?>${s}`);
      };
      if (req.method === 'GET' && path === '/ISAPI/System/deviceInfo') {
        return xml(
          `<DeviceInfo xmlns="http://www.isapi.org/ver20/XMLSchema"><deviceName>sim</deviceName><model>DS-TCG-SIM</model>` +
            `<serialNumber>${escapeXml(this.o.serialNumber ?? 'HKSIM0001')}</serialNumber><firmwareVersion>V5.0.0</firmwareVersion></DeviceInfo>`,
        );
      }
      const m = /^\/ISAPI\/Parking\/channels\/(\d+)\/barrierGate$/.exec(path);
      if (req.method === 'PUT' && m) {
        const mode = xmlText(Buffer.concat(chunks).toString('utf8'), 'ctrlMode') ?? '';
        const supported = ['open', 'close', 'lock', 'unlock'].includes(mode);
        if (supported) this.barrier.push(mode);
        return xml(
          `<ResponseStatus version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema"><requestURL>${path}</requestURL>` +
            `<statusCode>${supported ? 1 : 4}</statusCode><statusString>${supported ? 'OK' : 'Invalid Operation'}</statusString>` +
            `<subStatusCode>${supported ? 'ok' : 'notSupport'}</subStatusCode></ResponseStatus>`,
        );
      }
      if (req.method === 'GET' && /^\/ISAPI\/Streaming\/channels\/\d+\/picture$/.test(path)) {
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        res.end(PLACEHOLDER_JPEG);
        return;
      }
      res.writeHead(404);
      res.end();
    });
  }

  anprXml(plate: string, ipAddress: string): string {
    this.count++;
    return (
      `<?xml version="1.0" encoding="UTF-8"?><EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">` +
      `<ipAddress>${ipAddress}</ipAddress><portNo>80</portNo><protocol>HTTP</protocol><channelID>1</channelID>` +
      `<dateTime>${new Date().toISOString()}</dateTime><activePostCount>${this.count}</activePostCount><eventType>ANPR</eventType>` +
      `<eventState>active</eventState><eventDescription>ANPR</eventDescription><ANPR><country>3</country>` +
      `<licensePlate>${escapeXml(plate)}</licensePlate><line>1</line><direction>forward</direction>` +
      `<confidenceLevel>93</confidenceLevel><plateType>92TypeCivil</plateType><plateColor>blue</plateColor>` +
      `<vehicleType>vehicle</vehicleType></ANPR></EventNotificationAlert>`
    );
  }

  async push(listenerUrl: string, plate: string, ipAddress = '127.0.0.1'): Promise<SimReply> {
    const boundary = 'hksim' + randomBytes(6).toString('hex');
    const body = buildMultipart(
      [
        {
          name: 'anpr.xml',
          filename: 'anpr.xml',
          contentType: 'application/xml',
          data: Buffer.from(this.anprXml(plate, ipAddress)),
        },
        {
          name: 'licensePlatePicture.jpg',
          filename: 'licensePlatePicture.jpg',
          contentType: 'image/jpeg',
          data: PLACEHOLDER_JPEG,
        },
        {
          name: 'detectionPicture.jpg',
          filename: 'detectionPicture.jpg',
          contentType: 'image/jpeg',
          data: PLACEHOLDER_JPEG,
        },
      ],
      boundary,
    );
    return postRaw(listenerUrl, body, `multipart/form-data; boundary=${boundary}`);
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
