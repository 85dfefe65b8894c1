/**
 * A TCP proxy on 127.0.0.1:0 in front of a real server, that a test can cut: `reset` destroys
 * every live connection and resets new ones (a crashed or restarting database), `blackhole`
 * accepts connections and never answers (a hung one), `forward` restores service.
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
      if (trigger && chunk.includes(trigger)) {
        trigger = null;
        api.setMode('reset');
        return;
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
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
      current = next;
      if (next !== 'forward') trigger = null;
      // Whatever was open belongs to the previous state of the network.
      if (next !== 'forward') dropAll();
    },
    async close() {
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}
