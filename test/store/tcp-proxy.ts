/**
 * A TCP proxy on 127.0.0.1:0 in front of a real server, that a test can cut: `reset` destroys
 * every live connection and resets new ones (a crashed or restarting database), `blackhole`
 * keeps every connection open but swallows all bytes both ways, and accepts new ones without
 * answering (a hung server or a dead network path), `forward` restores service (connections
 * frozen by a blackhole are dropped: their streams are out of sync).
 */
import net from 'node:net';

export type ProxyMode = 'forward' | 'reset' | 'blackhole';

export interface TcpProxy {
  readonly port: number;
  /** Connections accepted so far (any mode). */
  readonly accepted: number;
  setMode(mode: ProxyMode): void;
  /** Switch to `reset` the moment a client sends bytes containing `marker` (that chunk is not forwarded). */
  resetOn(marker: string): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }, mode: ProxyMode = 'forward'): Promise<TcpProxy> {
  let current = mode;
  let trigger: Buffer | null = null;
  let accepted = 0;
  const live = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    live.add(s);
    s.on('close', () => live.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = net.createServer((client) => {
    accepted++;
    track(client);
    if (current === 'reset') {
      client.resetAndDestroy();
      if (!client.destroyed) client.destroy();
      return;
    }
    if (current === 'blackhole') return; // held open, never answered, destroyed on close/mode change
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    client.on('data', (chunk: Buffer) => {
      if (current === 'blackhole') return;
      if (trigger && chunk.includes(trigger)) {
        trigger = null;
        api.setMode('reset');
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (current !== 'blackhole') client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  const dropAll = () => {
    for (const s of live) {
      s.resetAndDestroy();
      if (!s.destroyed) s.destroy();
    }
    live.clear();
  };
  const api: TcpProxy = {
    port,
    get accepted() {
      return accepted;
    },
    resetOn(marker) {
      trigger = Buffer.from(marker);
    },
    setMode(next) {
      const previous = current;
      current = next;
      if (next !== 'forward') trigger = null;
      if (next === 'reset' || (previous === 'blackhole' && next !== 'blackhole')) dropAll();
    },
    async close() {
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}
