// `parkedge discover`: serial ports on this box and ONVIF devices answering WS-Discovery.
// The probe target is configurable so tests can probe a loopback responder; people get the
// standard multicast group.
import dgram from 'node:dgram';
import { randomUUID } from 'node:crypto';
import { SerialPort } from 'serialport';
import { decodeXml } from '../http/multipart.js';

export interface DiscoveredOnvif {
  urn: string;
  xaddrs: string[];
  scopes: string[];
  name?: string;
  hardware?: string;
  from: string;
}
export interface SerialPortEntry {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}
export interface DiscoverOptions {
  timeoutMs?: number;
  /** default 239.255.255.250:3702 */
  target?: { host: string; port: number };
  /** local address to send from; loopback tests use 127.0.0.1 */
  bind?: string;
  serial?: boolean;
  onvif?: boolean;
}

export function probeXml(messageId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" ` +
    `xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" ` +
    `xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><s:Header><a:MessageID>${messageId}</a:MessageID>` +
    `<a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>` +
    `</s:Header><s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>`
  );
}

const tag = (xml: string, name: string) => {
  const m = new RegExp(`<(?:\\w+:)?${name}[^>]*>([^<]*)</(?:\\w+:)?${name}>`).exec(xml);
  return m ? decodeXml(m[1].trim()) : undefined;
};

export async function probeOnvif(o: DiscoverOptions = {}): Promise<DiscoveredOnvif[]> {
  const target = o.target ?? { host: '239.255.255.250', port: 3702 };
  const id = `urn:uuid:${randomUUID()}`;
  const found = new Map<string, DiscoveredOnvif>();
  const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(0, o.bind, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  sock.on('error', () => undefined);
  sock.on('message', (msg, rinfo) => {
    const xml = msg.toString('utf8');
    if (!/ProbeMatches/.test(xml)) return;
    const rel = tag(xml, 'RelatesTo');
    if (rel && rel !== id) return;
    const urn = tag(xml, 'Address') ?? `${rinfo.address}:${rinfo.port}`;
    if (found.has(urn)) return;
    const scopes = (tag(xml, 'Scopes') ?? '').split(/\s+/).filter(Boolean);
    const scope = (k: string) => {
      const s = scopes.find((x) => x.startsWith(`onvif://www.onvif.org/${k}/`));
      return s ? decodeURIComponent(s.slice(`onvif://www.onvif.org/${k}/`.length)) : undefined;
    };
    found.set(urn, {
      urn,
      xaddrs: (tag(xml, 'XAddrs') ?? '').split(/\s+/).filter(Boolean),
      scopes,
      name: scope('name'),
      hardware: scope('hardware'),
      from: rinfo.address,
    });
  });
  const buf = Buffer.from(probeXml(id));
  sock.send(buf, target.port, target.host);
  await new Promise((r) => setTimeout(r, o.timeoutMs ?? 3000));
  sock.close();
  return [...found.values()];
}

export async function discover(
  o: DiscoverOptions = {},
): Promise<{ serialPorts: SerialPortEntry[]; onvif: DiscoveredOnvif[] }> {
  const [serialPorts, onvif] = await Promise.all([
    o.serial === false
      ? Promise.resolve([])
      : SerialPort.list().then(
          (l) =>
            l.map((p) => ({
              path: p.path,
              manufacturer: p.manufacturer,
              serialNumber: p.serialNumber,
              vendorId: p.vendorId,
              productId: p.productId,
            })),
          () => [] as SerialPortEntry[],
        ),
    o.onvif === false ? Promise.resolve([]) : probeOnvif(o),
  ]);
  return { serialPorts, onvif };
}

export function formatDiscovery(r: { serialPorts: SerialPortEntry[]; onvif: DiscoveredOnvif[] }): string {
  const out = ['Serial ports:'];
  if (!r.serialPorts.length) out.push('  (none)');
  for (const p of r.serialPorts)
    out.push(
      `  ${p.path}${p.manufacturer ? `  ${p.manufacturer}` : ''}${p.vendorId ? `  [${p.vendorId}:${p.productId}]` : ''}`,
    );
  out.push('ONVIF devices:');
  if (!r.onvif.length) out.push('  (none answered)');
  for (const d of r.onvif)
    out.push(`  ${d.from}  ${d.hardware ?? ''} ${d.name ?? ''}  ${d.xaddrs.join(' ')}`);
  return out.join('\n');
}
