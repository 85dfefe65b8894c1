/**
 * Child process for the process-level spool test: opens a store on an unreachable PostgreSQL,
 * writes results (they go to the spool), says so on stdout, then waits to be killed.
 * argv: <store url> <spool dir> <count>
 */
import { openStore, spoolStatus } from '../../src/store/index.js';
import { T0, apiResult, run } from './fixtures.js';

const [url, spoolDir, countText] = process.argv.slice(2);
const store = await openStore({ url, spoolDir, postgres: { connectionTimeoutMs: 1000 }, log: (m) => process.stderr.write(m + '\n') });
await store.saveRun(run('child-run'));
for (let i = 0; i < Number(countText); i++) await store.saveResults([apiResult('child-run', `m${i}`, T0 + i)]);
process.stdout.write(`spooled ${spoolStatus(store)?.pendingLines}\n`);
// Killed here, without close(): what it wrote must survive on disk.
setInterval(() => undefined, 1000);
