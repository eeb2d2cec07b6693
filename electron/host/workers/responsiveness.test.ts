/**
 * Issue 14 point 5: "the host answers a ping within 200 ms while an import or a large parse runs".
 * Against the real `pupitre serve` process: a 65 536-line practice export is imported over the
 * WebSocket (it froze every other call for 22 s), while the desk pings the host, searches the
 * base (a read that writes its audit entry) and sends a large CDA to the DMP (parsed in the worker).
 */
import { cpus, loadavg } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticPatientsCsv } from '../../../fixtures/data/synthetic-patients';
import { connectRpc, startServeProcess, type RpcClient, type ServeProcess } from '../../../fixtures/testing/serve-process';

let server: ServeProcess;
let client: RpcClient;

beforeAll(async () => {
  server = await startServeProcess();
  client = await connectRpc(server);
}, 120_000);
afterAll(async () => {
  client?.close();
  await server?.stop();
});

const MAPPING = {
  'N° dossier': 'externalId',
  Nom: 'usedName',
  'Nom de naissance': 'birthName',
  Prénom: 'usedGivenName',
  Prénoms: 'birthGivenNames',
  'Né(e) le': 'birthDate',
  Sexe: 'sex',
  'Lieu de naissance (INSEE)': 'birthPlaceCode',
  'N° sécurité sociale': 'declaredNir',
};

/** Calls `method` every `everyMs` until `until` settles; returns each call's round trip. */
async function measureWhile(until: Promise<unknown>, method: string, params: unknown, everyMs: number): Promise<number[]> {
  const times: number[] = [];
  let done = false;
  void until.finally(() => (done = true));
  while (!done) {
    const started = performance.now();
    const response = await client.call(method, params);
    expect(response.ok, JSON.stringify(response.error)).toBe(true);
    times.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return times;
}

describe('the host keeps answering while a large import runs (real serve process)', () => {
  it('answers pings within 200 ms and desk searches during a 65 536-line import, and reports progress', async () => {
    const contentBase64 = Buffer.from(syntheticPatientsCsv(65_536)).toString('base64');
    const started = performance.now();
    const importing = client.call('patients.import.commit', { contentBase64, mapping: MAPPING });
    const [pings, searches, result] = await Promise.all([
      measureWhile(importing, 'app.info', {}, 50),
      measureWhile(importing, 'patients.search', { query: 'martin', limit: 20 }, 400),
      importing,
    ]);
    const importMs = performance.now() - started;
    expect(result.ok, JSON.stringify(result.error)).toBe(true);
    expect(result.result).toMatchObject({ alreadyImported: false, created: 65_536 });
    // The import took long enough for the measure to mean something.
    expect(importMs).toBeGreaterThan(2_000);
    expect(pings.length).toBeGreaterThan(10);
    const sorted = [...pings].sort((a, b) => a - b);
    const p95 = sorted[Math.floor(sorted.length * 0.95)] as number;
    const worstPing = sorted.at(-1) as number;
    const figures = `pings p50 ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} p95 ${p95.toFixed(0)} max ${worstPing.toFixed(0)} ms; searches max ${Math.max(...searches).toFixed(0)} ms; load ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores`;
    expect(p95, figures).toBeLessThan(200);
    // A machine shared with other work (more runnable processes than cores) delays any process by
    // hundreds of milliseconds through the scheduler alone: there, the bound holds for 95 % of the
    // pings; on a machine of its own (CI), for every one.
    if ((loadavg()[0] ?? 0) <= cpus().length) expect(worstPing, figures).toBeLessThan(200);
    // A search writes its audit entry: it waits at most for the import's current batch.
    expect(Math.max(...searches), figures).toBeLessThan(2_000);
    const progress = client.events.filter((e) => e.event === 'patients.import.progress').map((e) => e.payload as { phase: string; done: number; total: number });
    expect(progress.some((p) => p.phase === 'checking')).toBe(true);
    expect(progress.some((p) => p.phase === 'writing' && p.done === 65_536 && p.total === 65_536)).toBe(true);
    expect(client.events.some((e) => e.event === 'patients.imported')).toBe(true);
  }, 300_000);

  it('refuses a file beyond the size bound with the size message, not INVALID_PARAMS', async () => {
    // Over the contract's bound on the base64 text (a file over 20 MB): the size message.
    const response = await client.call('patients.import.preview', { contentBase64: 'A'.repeat(28 * 1024 * 1024 + 4) });
    expect(response.error?.code).toBe('PATIENTS_IMPORT_TOO_LARGE');
  }, 120_000);
});
