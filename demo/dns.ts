/**
 * A small authoritative DNS server over UDP (and TCP, for long answers) built on dns-packet, for
 * the demo's DNS check and the DNS tests. It answers from a zone table; names under a zone it does
 * not hold are NXDOMAIN, known names without the type are NODATA, and names listed in `servfail`
 * answer SERVFAIL. Loopback by default; `close()` stops both sockets.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import * as packet from 'dns-packet';

export type ZoneRecord =
  | { type: 'A' | 'AAAA' | 'CNAME' | 'NS'; data: string }
  | { type: 'MX'; data: { preference: number; exchange: string } }
  | { type: 'TXT'; data: string | string[] };

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3 } as const;

export interface DnsServerOptions {
  host?: string;
  port?: number;
  /** Lower-case name → its records. */
  zone: Record<string, ZoneRecord[]>;
  /** Names answered with SERVFAIL. */
  servfail?: string[];
  /** Names never answered (the resolver times out). */
  silent?: string[];
  ttl?: number;
}

export interface DnsServer {
  port: number;
  /** `127.0.0.1:port`, as a check's `query.resolver`. */
  address: string;
  /** Queries received, for assertions. */
  queries: Array<{ name: string; type: string }>;
  close(): Promise<void>;
}

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const host = opts.host ?? '127.0.0.1';
  const ttl = opts.ttl ?? 60;
  const queries: DnsServer['queries'] = [];

  const answer = (query: packet.Packet): Buffer | undefined => {
    const q = query.questions?.[0];
    if (!q) return undefined;
    const name = q.name.toLowerCase().replace(/\.$/, '');
    queries.push({ name, type: q.type });
    if (opts.silent?.includes(name)) return undefined;
    // The response code travels in the low 4 bits of the flags (dns-packet encodes no `rcode` field).
    const reply = (rcode: keyof typeof RCODE, answers: packet.Answer[] = []): Buffer =>
      packet.encode({
        id: query.id,
        type: 'response',
        flags: packet.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & packet.RECURSION_DESIRED) | RCODE[rcode],
        questions: [q],
        answers,
      });
    if (opts.servfail?.includes(name)) return reply('SERVFAIL');
    const records = opts.zone[name];
    if (!records) return reply('NXDOMAIN');
    const own = records.filter((r) => r.type === q.type);
    // A CNAME answers every type, followed within the zone.
    const alias = records.find((r) => r.type === 'CNAME');
    const out: packet.Answer[] = own.map((r) => ({ name: q.name, type: r.type, ttl, class: 'IN', data: r.data }) as packet.Answer);
    if (own.length === 0 && alias && typeof alias.data === 'string') {
      out.push({ name: q.name, type: 'CNAME', ttl, class: 'IN', data: alias.data });
      for (const r of opts.zone[alias.data.toLowerCase()] ?? []) {
        if (r.type === q.type) out.push({ name: alias.data, type: r.type, ttl, class: 'IN', data: r.data } as packet.Answer);
      }
    }
    return reply('NOERROR', out);
  };

  const udp = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  udp.on('message', (msg, rinfo) => {
    let query: packet.Packet;
    try {
      query = packet.decode(msg);
    } catch {
      return;
    }
    const out = answer(query);
    if (out) udp.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(opts.port ?? 0, host, () => resolve());
  });
  const port = udp.address().port;

  // The same port over TCP (length-prefixed), for resolvers that retry truncated answers there.
  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        try {
          const out = answer(packet.decode(msg));
          if (out) socket.write(packet.streamEncode(packet.decode(out)));
        } catch {
          socket.destroy();
        }
      }
    });
  });
  await new Promise<void>((resolve) => {
    tcp.once('error', () => resolve()); // UDP is what matters; a taken TCP port is tolerated
    tcp.listen(port, host, () => resolve());
  });

  return {
    port,
    address: net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`,
    queries,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => (tcp.listening ? tcp.close(() => r()) : r()))]);
    },
  };
}
