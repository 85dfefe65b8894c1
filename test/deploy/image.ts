/**
 * A folder laid out as deploy/Dockerfile lays out the image, and containers of rendered manifests
 * run in it the way the kubelet would run them:
 * - `<root>/node_modules`: the build stage's node_modules with production-observer in it. Here each
 *   entry links to this repository's node_modules, and `production-observer` links to the
 *   repository itself (built dist/, package.json): linked, not installed from a tarball.
 * - `<root>/usr/local/bin/observer`: the wrapper the Dockerfile writes, with its paths under root.
 * - `<root>/monitors`: the team's repository as `COPY . /monitors` copies it (.dockerignore applied).
 * - every volumeMount: a fresh empty folder at `<root><mountPath>` (emptyDir), or a kept one (PVC).
 * - env: envFrom ConfigMaps and Secrets, env values and key references, then `$(VAR)` expansion of
 *   command and args as the kubelet does it; absolute paths in env values move under root.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, asList, asObj, type Obj } from './k8s.js';

export interface Instruction {
  op: string;
  args: string;
  line: number;
}

/** Dockerfile instructions with line continuations joined and comments dropped. */
export function dockerInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i];
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + ' ' + lines[++i].trim();
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile:${start + 1}: not an instruction: ${line}`);
    out.push({ op: m[1].toUpperCase(), args: m[2].trim(), line: start + 1 });
  }
  return out;
}

/** The instructions of the last stage of deploy/Dockerfile. */
export function finalStage(): Instruction[] {
  const all = dockerInstructions(readFileSync(path.join(ROOT, 'deploy/Dockerfile'), 'utf8'));
  const froms = all.filter((i) => i.op === 'FROM');
  return all.slice(all.indexOf(froms[froms.length - 1]));
}

/** The image's /usr/local/bin/observer, read from the Dockerfile's printf. */
function wrapperScript(): string {
  const run = finalStage().find((i) => i.op === 'RUN' && i.args.includes('> /usr/local/bin/observer'));
  const m = run && /printf '([^']*)' > \/usr\/local\/bin\/observer/.exec(run.args);
  if (!m) throw new Error('deploy/Dockerfile: no printf writing /usr/local/bin/observer');
  return m[1].replace(/\\n/g, '\n');
}

export interface ImageRoot {
  root: string;
  /** The image's WORKDIR under root. */
  workdir: string;
}

/** Lay out the base image plus a monitors repository copied to /monitors. */
export function layOutImage(root: string, monitorsRepo: string): ImageRoot {
  const stage = finalStage();
  const workdirs = stage.filter((i) => i.op === 'WORKDIR').map((i) => i.args);
  const workdir = workdirs[workdirs.length - 1];
  if (!stage.some((i) => i.op === 'COPY' && /--from=build \/out\/node_modules \/node_modules$/.test(i.args))) {
    throw new Error('deploy/Dockerfile: expected COPY --from=build /out/node_modules /node_modules');
  }
  const nm = path.join(root, 'node_modules');
  mkdirSync(nm, { recursive: true });
  for (const entry of readdirSync(path.join(ROOT, 'node_modules'))) {
    if (entry === '.bin' || entry === '.cache' || entry.startsWith('.package-lock')) continue;
    symlinkSync(path.join(ROOT, 'node_modules', entry), path.join(nm, entry));
  }
  symlinkSync(ROOT, path.join(nm, 'production-observer'));

  const bin = path.join(root, 'usr/local/bin/observer');
  mkdirSync(path.dirname(bin), { recursive: true });
  writeFileSync(bin, wrapperScript().replaceAll(' /node_modules/', ` ${root}/node_modules/`));
  chmodSync(bin, 0o755);

  const ignored = readDockerignore(monitorsRepo);
  const dest = path.join(root, workdir);
  cpSync(monitorsRepo, dest, {
    recursive: true,
    filter: (src) => !ignored.has(path.relative(monitorsRepo, src).split(path.sep)[0]),
  });
  for (const dir of stage.filter((i) => i.op === 'RUN').flatMap((i) => /mkdir -p ([^&]+)/.exec(i.args)?.[1].trim().split(/\s+/) ?? [])) {
    mkdirSync(path.join(root, dir), { recursive: true });
  }
  return { root, workdir };
}

function readDockerignore(repo: string): Set<string> {
  const file = path.join(repo, '.dockerignore');
  if (!existsSync(file)) return new Set();
  return new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#')),
  );
}

/** A container of a rendered workload, with the pod's volumes. */
export interface PodContainer {
  workload: string;
  container: Obj;
  volumes: Obj[];
  /** The pod's securityContext (runAsUser, runAsGroup, fsGroup). */
  podSecurity: Obj;
}

export function podContainers(obj: Obj): PodContainer[] {
  const kind = String(obj.kind);
  if (!['CronJob', 'Deployment', 'Job'].includes(kind)) return [];
  const spec = asObj(obj.spec, 'spec');
  const pod =
    kind === 'CronJob'
      ? asObj(asObj(asObj(asObj(spec.jobTemplate, 'jobTemplate').spec, 'jobTemplate.spec').template, 'template').spec, 'pod spec')
      : kind === 'Deployment' || kind === 'Job'
        ? asObj(asObj(spec.template, 'template').spec, 'pod spec')
        : undefined;
  if (!pod) return [];
  const workload = `${kind}/${String(asObj(obj.metadata, 'metadata').name)}`;
  const volumes = pod.volumes ? asList(pod.volumes, `${workload} volumes`) : [];
  const podSecurity = pod.securityContext ? asObj(pod.securityContext, `${workload} securityContext`) : {};
  return asList(pod.containers, `${workload} containers`).map((container) => ({ workload, container, volumes, podSecurity }));
}

export interface Cluster {
  /** Rendered objects (ConfigMaps are read from here). */
  objects: Obj[];
  /** Secret name -> data, as the operator created them. */
  secrets: Record<string, Record<string, string>>;
  /** Values the test replaces in ConfigMaps (e.g. the Pushgateway URL with a loopback receiver). */
  configOverrides?: Record<string, string>;
}

/** The container's environment as the kubelet builds it (envFrom first, then env). */
export function containerEnv(c: Obj, cluster: Cluster, where: string): Record<string, string> {
  const env: Record<string, string> = {};
  const configMap = (name: string): Record<string, string> => {
    const cm = cluster.objects.find((o) => o.kind === 'ConfigMap' && asObj(o.metadata, 'metadata').name === name);
    if (!cm) throw new Error(`${where}: ConfigMap ${name} is not in the rendered output`);
    const data = asObj(cm.data ?? {}, `${name} data`) as Record<string, string>;
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, cluster.configOverrides?.[k] ?? v]));
  };
  const secret = (name: string): Record<string, string> | undefined => cluster.secrets[name];
  for (const from of c.envFrom ? asList(c.envFrom, `${where} envFrom`) : []) {
    if (from.configMapRef) Object.assign(env, configMap(String(asObj(from.configMapRef, 'configMapRef').name)));
    else if (from.secretRef) Object.assign(env, secret(String(asObj(from.secretRef, 'secretRef').name)) ?? {});
  }
  for (const e of c.env ? asList(c.env, `${where} env`) : []) {
    const name = String(e.name);
    if (e.value !== undefined) {
      env[name] = expand(String(e.value), env);
      continue;
    }
    const from = asObj(e.valueFrom, `${where} env ${name}`);
    const ref = asObj(from.secretKeyRef ?? from.configMapKeyRef, `${where} env ${name} valueFrom`);
    const source = from.secretKeyRef ? secret(String(ref.name)) : configMap(String(ref.name));
    const value = source?.[String(ref.key)];
    if (value === undefined) {
      if (ref.optional === true) continue;
      throw new Error(`${where}: env ${name} needs key ${String(ref.key)} of ${String(ref.name)}, which the cluster lacks`);
    }
    env[name] = value;
  }
  return env;
}

/** Kubernetes `$(VAR)` expansion: `$$` is a literal `$`, unknown references stay as written. */
export function expand(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, name: string | undefined) => (name === undefined ? '$' : (env[name] ?? all)));
}

export interface Launched {
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The pod's runAsUser/runAsGroup, when this process may switch to them (it runs as root). */
  uid?: number;
  gid?: number;
}

/** Mount the volumes and build the exact command line of one container. */
export function prepareContainer(image: ImageRoot, pc: PodContainer, cluster: Cluster, extraEnv: Record<string, string>): Launched {
  const c = pc.container;
  const env = containerEnv(c, cluster, pc.workload);
  // As root, run as the pod's user: the image's files (owned by root) are then read-only to the
  // command, and only the mounted volumes (owned by fsGroup, as the kubelet sets them) are
  // writable, which is what readOnlyRootFilesystem leaves.
  // (Where that user cannot reach node or this checkout, the command runs as this process; the
  // tests' check that nothing new appears in /monitors still holds the read-only root then.)
  const asUser = process.getuid?.() === 0 && typeof pc.podSecurity.runAsUser === 'number' && canRunAs(Number(pc.podSecurity.runAsUser));
  const uid = asUser ? Number(pc.podSecurity.runAsUser) : undefined;
  const gid = asUser ? Number(pc.podSecurity.runAsGroup ?? pc.podSecurity.fsGroup ?? uid) : undefined;
  if (asUser) chmodSync(image.root, 0o755);
  const mounts = c.volumeMounts ? asList(c.volumeMounts, `${pc.workload} volumeMounts`) : [];
  for (const m of mounts) {
    const volume = pc.volumes.find((v) => v.name === m.name);
    if (!volume) throw new Error(`${pc.workload}: volumeMount ${String(m.name)} has no volume`);
    const dir = path.join(image.root, String(m.mountPath));
    if (volume.emptyDir !== undefined) rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    if (uid !== undefined) chownSync(dir, uid, Number(pc.podSecurity.fsGroup ?? gid));
  }
  const mounted = mounts.map((m) => String(m.mountPath));
  for (const [k, v] of Object.entries(env)) if (mounted.includes(v)) env[k] = path.join(image.root, v);
  const command = ((c.command as unknown[] | undefined) ?? []).map(String);
  if (command.length === 0) throw new Error(`${pc.workload}: no command (the image's ENTRYPOINT would apply; the manifests name it)`);
  const argv = [...command, ...((c.args as string[] | undefined) ?? [])].map((a) => expand(String(a), env));
  const tmp = mounted.includes('/tmp') ? path.join(image.root, 'tmp') : undefined;
  return {
    argv,
    cwd: path.join(image.root, String(c.workingDir ?? image.workdir)),
    env: {
      PATH: `${path.join(image.root, 'usr/local/bin')}:${process.env.PATH ?? ''}`,
      ...(tmp ? { TMPDIR: tmp } : {}),
      ...env,
      ...extraEnv,
    },
    ...(uid !== undefined ? { uid, gid } : {}),
  };
}

const runnable = new Map<number, boolean>();

/** Whether `uid` can start node and read this checkout's CLI (folders above it may be private). */
function canRunAs(uid: number): boolean {
  let ok = runnable.get(uid);
  if (ok === undefined) {
    const bin = path.join(ROOT, 'dist/cli/bin.js');
    const r = spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(bin)}, 4)`], { uid, gid: uid, timeout: 10_000 });
    ok = r.status === 0;
    if (!ok) console.warn(`uid ${uid} cannot run node or read ${bin}: containers run as uid ${process.getuid?.() ?? '?'}`);
    runnable.set(uid, ok);
  }
  return ok;
}

export interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run to the end (bounded by timeoutMs: SIGKILL and a null code past it). */
export function runToEnd(l: Launched, timeoutMs: number): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const child = spawn(l.argv[0], l.argv.slice(1), { cwd: l.cwd, env: l.env, stdio: ['ignore', 'pipe', 'pipe'], ...(l.uid !== undefined ? { uid: l.uid, gid: l.gid } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The `${env:NAME}` names a monitors repository reads (config, checks; `$${env:...}` is literal text). */
export function envNamesRead(repo: string): string[] {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const file = path.join(dir, e.name);
      if (e.isDirectory()) walk(file);
      else if (/\.(ts|ya?ml|json)$/.test(e.name) && !e.name.endsWith('.journey.ts')) {
        for (const m of readFileSync(file, 'utf8').matchAll(/(?<!\$)\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)) names.add(m[1]);
      }
    }
  };
  walk(repo);
  return [...names].sort();
}

/** A project as `npm install production-observer @playwright/test && npx observer init` leaves it (linked). */
export function scratchProject(parent: string, name: string): string {
  const dir = path.join(parent, name);
  mkdirSync(dir, { recursive: true });
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name, private: true, type: 'module', devDependencies: { 'production-observer': pkg.version, '@playwright/test': pkg.devDependencies['@playwright/test'] } }, null, 2),
  );
  mkdirSync(path.join(dir, 'node_modules/.bin'), { recursive: true });
  mkdirSync(path.join(dir, 'node_modules/@playwright'));
  symlinkSync(ROOT, path.join(dir, 'node_modules/production-observer'));
  symlinkSync(path.join(ROOT, 'node_modules/@playwright/test'), path.join(dir, 'node_modules/@playwright/test'));
  // As npm links a package's bin: a symlink, and the target made executable.
  symlinkSync('../production-observer/dist/cli/bin.js', path.join(dir, 'node_modules/.bin/observer'));
  chmodSync(path.join(ROOT, 'dist/cli/bin.js'), 0o755);
  symlinkSync('../@playwright/test/cli.js', path.join(dir, 'node_modules/.bin/playwright'));
  return dir;
}
