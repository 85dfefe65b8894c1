/**
 * Run the demo shop from a shell: `tsx demo/main.ts [--port 4173] [--host 127.0.0.1] [--extras]`;
 * `--extras` also starts the DNS, TCP and TLS servers of the examples (`--ca-file` gets their CA);
 * `--access-log FILE` appends every answered request to FILE (nginx combined format with the request time).
 * Prints its URL on stdout and closes every connection on SIGTERM/SIGINT.
 */
import { parseArgs } from 'node:util';
import { startDemoExtras } from './extras.js';
import { startDemoShop } from './server.js';

const USAGE = 'usage: tsx demo/main.ts [--port 4173] [--host 127.0.0.1] [--extras] [--ca-file FILE] [--access-log FILE]';

async function main(): Promise<void> {
  let values: { port?: string; host?: string; help?: boolean; extras?: boolean; 'ca-file'?: string; 'access-log'?: string };
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' }, extras: { type: 'boolean' }, 'ca-file': { type: 'string' }, 'access-log': { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = values.port === undefined ? 4173 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port: expected an integer in [0, 65535], got "${values.port}"\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const shop = await startDemoShop({ port, host: values.host, ...(values['access-log'] ? { accessLog: values['access-log'] } : {}) });
  // --extras: the DNS, TCP and TLS servers of the examples (free ports), announced before the shop.
  const extras = values.extras ? await startDemoExtras({ ...(values.host ? { host: values.host } : {}), ...(values['ca-file'] ? { caFile: values['ca-file'] } : {}) }) : undefined;
  if (extras) process.stdout.write(`demo dns on ${extras.dns.address}\ndemo tcp on port ${extras.tcp.port}\ndemo tls on port ${extras.tls.port}\n`);
  process.stdout.write(`demo shop listening on ${shop.url}\n`);
  const stop = (signal: NodeJS.Signals) => {
    process.stdout.write(`demo shop: ${signal}, closing\n`);
    Promise.all([shop.close(), extras?.close()]).then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`demo shop: close failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`demo shop: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
