// The child process of bench/gaps.ts: one whole job from spawn to exit, as a user pays it.
//   node bench/gaps-child.mjs ours <access.log> <openapi.json>   read, parse (the access-log parser),
//        load + validate + dereference the description, match every line, group the undocumented
//   node bench/gaps-child.mjs bare <access.log>                  read, one regex per line, count statuses
// Prints one JSON line: lines, what was found, the load time and the peak RSS.
import { openSync, readSync, closeSync } from 'node:fs';

const [mode, logFile, specFile] = process.argv.slice(2);

/** Calls `onLine` for every line of the file, read in 4 MiB chunks. */
function eachLine(file, onLine) {
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(4 << 20);
  let carry = '';
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const text = carry + buf.toString('latin1', 0, n);
      let start = 0;
      for (let end = text.indexOf('\n', start); end >= 0; end = text.indexOf('\n', start)) {
        if (end > start) onLine(text.slice(start, end));
        start = end + 1;
      }
      carry = text.slice(start);
    }
    if (carry) onLine(carry);
  } finally {
    closeSync(fd);
  }
}

const out = { mode, lines: 0 };
if (mode === 'bare') {
  const re = /^\S+ \S+ \S+ \[[^\]]+\] "(\S+) (\S+) [^"]*" (\d{3}) (\d+)/;
  const statuses = new Map();
  eachLine(logFile, (line) => {
    out.lines++;
    const m = re.exec(line);
    if (m) statuses.set(m[3], (statuses.get(m[3]) ?? 0) + 1);
  });
  out.statuses = Object.fromEntries(statuses);
} else {
  const { loadOpenApi, OperationMatcher, UndocumentedRoutes } = await import('../dist/gaps/index.js');
  const { newCombinedLine, scanCombinedLine } = await import('../dist/sources/index.js');
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const api = await loadOpenApi(specFile);
  const matcher = new OperationMatcher(api);
  out.loadMs = Math.round(performance.now() - t0);
  const c = process.cpuUsage(c0);
  out.loadCpuMs = Math.round((c.user + c.system) / 1000);
  const undocumented = new UndocumentedRoutes(1000);
  const perOperation = new Map();
  const line = newCombinedLine();
  let malformed = 0;
  eachLine(logFile, (text) => {
    out.lines++;
    if (!scanCombinedLine(text, 1000, line)) {
      malformed++;
      return;
    }
    const op = matcher.match(line.method, line.target);
    if (op) perOperation.set(op, (perOperation.get(op) ?? 0) + 1);
    else undocumented.add(line.method, line.target, line.status);
  });
  out.malformed = malformed;
  out.operations = perOperation.size;
  out.matched = [...perOperation.values()].reduce((a, b) => a + b, 0);
  out.undocumented = undocumented.total;
  out.undocumentedRoutes = undocumented.list().length;
  // Live memory once garbage is collected (the child runs with --expose-gc), while the description,
  // the matcher and the counts are still held: what the job keeps.
  if (typeof globalThis.gc === 'function') globalThis.gc();
  out.liveHeapMb = Math.round(process.memoryUsage().heapUsed / 1048576);
  if (matcher.size === 0) console.error('no operation compiled');
}
const usage = process.resourceUsage();
out.maxRssMb = Math.round(usage.maxRSS / 1024);
// CPU time of the whole process, startup included: steadier than wall time on a shared machine.
out.cpuMs = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000);
console.log(JSON.stringify(out));
