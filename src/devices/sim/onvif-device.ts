// The smallest ONVIF device the `onvif` client will connect to: device + media (ver10) services
// with one video source, one profile, device information and a snapshot URI serving a JPEG; plus
// a WS-Discovery responder. Canned answers, no auth (tests and the demo only).
import dgram from 'node:dgram';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { escapeXml } from '../http/multipart.js';

/** SOI, a JFIF APP0 segment and EOI: enough for anything that sniffs the JPEG magic. */
export const PLACEHOLDER_JPEG = Buffer.from('ffd8ffe000104a46494600010100000100010000ffd9', 'hex');

const NS =
  'xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" ' +
  'xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema"';
const envelope = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><s:Envelope ${NS}><s:Body>${body}</s:Body></s:Envelope>`;

export interface OnvifSimOptions {
  manufacturer?: string;
  model?: string;
  serialNumber?: string;
  firmwareVersion?: string;
  jpeg?: Buffer;
}

export class OnvifDeviceSim {
  private server: http.Server | null = null;
  private udp: dgram.Socket | null = null;
  private addr: { host: string; port: number } | null = null;
  readonly urn = `urn:uuid:${randomUUID()}`;
  readonly requests: string[] = [];
  /** when false the device answers nothing (a camera that lost power) */
  up = true;

  constructor(readonly o: OnvifSimOptions = {}) {}

  async start(host = '127.0.0.1', port = 0): Promise<{ host: string; port: number }> {
    const server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    this.addr = { host, port: (server.address() as AddressInfo).port };
    return this.addr;
  }

  address(): { host: string; port: number } {
    if (!this.addr) throw new Error('onvif simulator not started');
    return this.addr;
  }

  private base(): string {
    const a = this.address();
    return `http://${a.host}:${a.port}`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (!this.up) {
      req.socket.destroy();
      return;
    }
    if (req.method === 'GET' && req.url === '/snapshot.jpg') {
      const img = this.o.jpeg ?? PLACEHOLDER_JPEG;
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': img.length });
      res.end(img);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const xml = Buffer.concat(chunks).toString('utf8');
      const cmd = /<(?:\w+:)?Body[^>]*>\s*<(?:\w+:)?(\w+)/.exec(xml)?.[1] ?? '';
      this.requests.push(cmd);
      const body = this.answer(cmd);
      const status = body ? 200 : 400;
      const out = body ?? fault(`action ${cmd || '(none)'} not implemented`);
      res.writeHead(status, { 'content-type': 'application/soap+xml; charset=utf-8' });
      res.end(envelope(out));
    });
  }

  private answer(cmd: string): string | undefined {
    const now = new Date();
    const base = this.base();
    switch (cmd) {
      case 'GetSystemDateAndTime':
        return (
          `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>Manual</tt:DateTimeType>` +
          `<tt:DaylightSavings>false</tt:DaylightSavings><tt:UTCDateTime><tt:Time><tt:Hour>${now.getUTCHours()}</tt:Hour>` +
          `<tt:Minute>${now.getUTCMinutes()}</tt:Minute><tt:Second>${now.getUTCSeconds()}</tt:Second></tt:Time><tt:Date>` +
          `<tt:Year>${now.getUTCFullYear()}</tt:Year><tt:Month>${now.getUTCMonth() + 1}</tt:Month><tt:Day>${now.getUTCDate()}</tt:Day>` +
          `</tt:Date></tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`
        );
      case 'GetServices': {
        const svc = (ns: string, path: string) =>
          `<tds:Service><tds:Namespace>${ns}</tds:Namespace><tds:XAddr>${base}${path}</tds:XAddr>` +
          `<tds:Version><tt:Major>2</tt:Major><tt:Minor>0</tt:Minor></tds:Version></tds:Service>`;
        return (
          `<tds:GetServicesResponse>${svc('http://www.onvif.org/ver10/device/wsdl', '/onvif/device_service')}` +
          `${svc('http://www.onvif.org/ver10/media/wsdl', '/onvif/media_service')}</tds:GetServicesResponse>`
        );
      }
      case 'GetCapabilities':
        return (
          `<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>${base}/onvif/device_service</tt:XAddr></tt:Device>` +
          `<tt:Media><tt:XAddr>${base}/onvif/media_service</tt:XAddr></tt:Media></tds:Capabilities></tds:GetCapabilitiesResponse>`
        );
      case 'GetDeviceInformation':
        return (
          `<tds:GetDeviceInformationResponse><tds:Manufacturer>${escapeXml(this.o.manufacturer ?? 'parkedge-sim')}</tds:Manufacturer>` +
          `<tds:Model>${escapeXml(this.o.model ?? 'SIM-ONVIF-1')}</tds:Model>` +
          `<tds:FirmwareVersion>${escapeXml(this.o.firmwareVersion ?? '1.0.0')}</tds:FirmwareVersion>` +
          `<tds:SerialNumber>${escapeXml(this.o.serialNumber ?? 'SIM0001')}</tds:SerialNumber>` +
          `<tds:HardwareId>sim</tds:HardwareId></tds:GetDeviceInformationResponse>`
        );
      case 'GetProfiles':
        return (
          `<trt:GetProfilesResponse><trt:Profiles token="profile_1" fixed="true"><tt:Name>main</tt:Name>` +
          `<tt:VideoSourceConfiguration token="vsc_1"><tt:Name>vsc</tt:Name><tt:UseCount>1</tt:UseCount>` +
          `<tt:SourceToken>vs_1</tt:SourceToken><tt:Bounds x="0" y="0" width="1920" height="1080"/></tt:VideoSourceConfiguration>` +
          `<tt:VideoEncoderConfiguration token="vec_1"><tt:Name>h264</tt:Name><tt:UseCount>1</tt:UseCount>` +
          `<tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution>` +
          `<tt:Quality>5</tt:Quality><tt:RateControl><tt:FrameRateLimit>25</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval>` +
          `<tt:BitrateLimit>4096</tt:BitrateLimit></tt:RateControl></tt:VideoEncoderConfiguration></trt:Profiles></trt:GetProfilesResponse>`
        );
      case 'GetVideoSources':
        return (
          `<trt:GetVideoSourcesResponse><trt:VideoSources token="vs_1"><tt:Framerate>25</tt:Framerate>` +
          `<tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution></trt:VideoSources></trt:GetVideoSourcesResponse>`
        );
      case 'GetSnapshotUri':
        return (
          `<trt:GetSnapshotUriResponse><trt:MediaUri><tt:Uri>${base}/snapshot.jpg</tt:Uri>` +
          `<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot>` +
          `<tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:GetSnapshotUriResponse>`
        );
      default:
        return undefined;
    }
  }

  /**
   * Answers WS-Discovery probes. Tests bind 127.0.0.1:0 and probe it directly; a person running
   * `parkedge sim onvif --discovery` gets the real 3702 + multicast group.
   */
  async startDiscovery(
    opts: { host?: string; port?: number; multicast?: boolean } = {},
  ): Promise<{ host: string; port: number }> {
    const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    sock.on('error', () => undefined);
    sock.on('message', (msg, rinfo) => {
      if (!this.up) return;
      const xml = msg.toString('utf8');
      if (!/Probe[\s>/]/.test(xml) || /ProbeMatches/.test(xml)) return;
      const id = /<(?:\w+:)?MessageID[^>]*>([^<]+)</.exec(xml)?.[1] ?? '';
      const reply = Buffer.from(probeMatch(id, this.urn, `${this.base()}/onvif/device_service`, this.o));
      sock.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) =>
      sock.bind(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve()),
    );
    if (opts.multicast) sock.addMembership('239.255.255.250');
    this.udp = sock;
    const a = sock.address();
    return { host: a.address, port: a.port };
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (this.udp) {
      this.udp.close();
      this.udp = null;
    }
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

function fault(reason: string): string {
  return (
    `<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:ActionNotSupported</s:Value></s:Subcode></s:Code>` +
    `<s:Reason><s:Text xml:lang="en">${escapeXml(reason)}</s:Text></s:Reason></s:Fault>`
  );
}

function probeMatch(relatesTo: string, urn: string, xaddr: string, o: OnvifSimOptions): string {
  const scopes = [
    'onvif://www.onvif.org/type/video_encoder',
    `onvif://www.onvif.org/name/${encodeURIComponent(o.model ?? 'SIM-ONVIF-1')}`,
    `onvif://www.onvif.org/hardware/${encodeURIComponent(o.manufacturer ?? 'parkedge-sim')}`,
  ].join(' ');
  return (
    `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" ` +
    `xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" ` +
    `xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><s:Header><a:MessageID>urn:uuid:${randomUUID()}</a:MessageID>` +
    `<a:RelatesTo>${escapeXml(relatesTo)}</a:RelatesTo><a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>` +
    `<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action></s:Header><s:Body><d:ProbeMatches>` +
    `<d:ProbeMatch><a:EndpointReference><a:Address>${urn}</a:Address></a:EndpointReference>` +
    `<d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>${escapeXml(scopes)}</d:Scopes><d:XAddrs>${escapeXml(xaddr)}</d:XAddrs>` +
    `<d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>`
  );
}
