/**
 * Carte Vitale: insertion → beneficiaries ready, through the whole card layer (PcscSupervisor +
 * CardsService + Vitale 2 driver over pcsclite) against a real pcscd with vpcd and the emulator
 * of fixtures/cards, compared in the same run with a raw replay of the very same APDU sequence
 * over the pcsclite addon (status event → connect → transmit each APDU → disconnect), and with
 * the minimal APDU count the public layout allows (SELECT AID_VITALE, SELECT + READ of EF 2001,
 * then SELECT + READ of each EF the directory lists, 256 bytes per READ BINARY — cardpeek
 * vitale_2.lua). Prints the `## Cards` markdown section on stdout.
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import type pcscFactory from 'pcsclite';
import { createManualClock } from '../electron/platform/clock';
import { createMemoryLogger } from '../electron/platform/log';
import { CardsService } from '../electron/services/cards';
import { PcscliteBackend, PcscSupervisor, toHex } from '../native/pcsc';
import { cardProfile, createCard, ensurePcscd, pcscdMissing, VITALE_FILES, VPCD_READERS, VpcdSlots, vitaleDirectory, type IsoCard } from '../fixtures/cards';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const SLOT = 1;
const READER = VPCD_READERS[SLOT];
const require = createRequire(import.meta.url);

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const ms = (v: number): string => `${v.toFixed(0)} ms`;

function vitaleCard(): IsoCard {
  const profile = cardProfile('vitale-famille');
  if (!profile) throw new Error('vitale-famille profile missing');
  return createCard(profile, null);
}

/** The minimal count from the layout of the card read: every EF read in 256-byte READ BINARYs. */
function minimalApdus(card: IsoCard): number {
  const sizes = [VITALE_FILES.insured, VITALE_FILES.card, VITALE_FILES.beneficiaries].map((fid) => {
    const ef = (card as unknown as { apps: Array<{ efs: Array<{ fid: number; content: Uint8Array }> }> }).apps.flatMap((a) => a.efs).find((e) => e.fid === fid);
    return ef?.content.length ?? 0;
  });
  const reads = (n: number) => Math.max(1, Math.ceil((n + 1) / 256));
  return 1 + 1 + reads(vitaleDirectory().length) + sizes.reduce((sum, n) => sum + 1 + reads(n), 0);
}

async function throughPupitre(slots: VpcdSlots): Promise<{ insertToReady: number[]; readOnly: number[]; apdus: Uint8Array[] }> {
  const clock = createManualClock();
  const logger = createMemoryLogger(clock, 'warn');
  let recording: Uint8Array[] = [];
  const supervisor = new PcscSupervisor({ createBackend: () => new PcscliteBackend(), logger, onExchange: (_r, command) => recording.push(command) });
  const service = new CardsService({ pcsc: supervisor, clock, logger, audit: () => undefined, notify: () => undefined, signerFactory: () => Promise.reject(new Error('unused')) });
  service.start();
  await waitFor(() => service.readers().some((r) => r.name === READER));
  const insertToReady: number[] = [];
  const readOnly: number[] = [];
  let apdus: Uint8Array[] = [];
  for (let i = 0; i < RUNS + 1; i += 1) {
    await slots.remove(SLOT);
    await waitFor(() => service.readers().find((r) => r.name === READER)?.state === 'empty');
    recording = [];
    const inserted = new Promise<number>((resolve) => {
      const off = service.onChange((change) => {
        if (change.reason === 'card-inserted' && change.reader === READER) {
          off();
          resolve(performance.now());
        }
      });
    });
    const start = performance.now();
    await slots.insert(SLOT, vitaleCard());
    const seen = await inserted;
    const vitale = await service.readBeneficiaries(READER);
    const end = performance.now();
    if (vitale.beneficiaries.length !== 4) throw new Error('unexpected beneficiaries');
    if (i === 0) continue; // warm-up
    insertToReady.push(end - start);
    readOnly.push(end - seen);
    apdus = recording;
  }
  await service.stop();
  await slots.remove(SLOT);
  return { insertToReady, readOnly, apdus };
}

async function rawReplay(slots: VpcdSlots, apdus: Uint8Array[]): Promise<{ insertToReady: number[]; readOnly: number[] }> {
  const pcsc = (require('pcsclite') as typeof pcscFactory)();
  pcsc.on('error', () => undefined); // pcscd stops at the end of the bench
  type Reader = Parameters<Parameters<typeof pcsc.on>[1]>[0] & { name: string };
  const reader = await new Promise<Reader>((resolve) =>
    pcsc.on('reader', (r: Reader) => {
      r.on('error', () => undefined);
      if (r.name === READER) resolve(r);
    }),
  );
  let present = true;
  let statusSeen = false;
  let onPresent: ((t: number) => void) | null = null;
  reader.on('status', (status: { state: number }) => {
    statusSeen = true;
    const now = (status.state & 0x20) !== 0;
    if (now && !present) onPresent?.(performance.now());
    present = now;
  });
  const insertToReady: number[] = [];
  const readOnly: number[] = [];
  for (let i = 0; i < RUNS + 1; i += 1) {
    await slots.remove(SLOT);
    // Wait until pcscd itself reported the slot empty: a card put back before it noticed the
    // removal is seen as never removed (and not powered up again).
    await waitFor(() => statusSeen && !present);
    const seenPromise = new Promise<number>((resolve) => (onPresent = resolve));
    const start = performance.now();
    await slots.insert(SLOT, vitaleCard());
    const seen = await seenPromise;
    const protocol = await new Promise<number>((resolve, reject) => reader.connect({ share_mode: reader.SCARD_SHARE_EXCLUSIVE }, (e: unknown, p: number) => (e ? reject(e) : resolve(p))));
    for (const [index, apdu] of apdus.entries()) {
      await new Promise<Buffer>((resolve, reject) =>
        reader.transmit(Buffer.from(apdu), 0x10002, protocol, (e: unknown, d: Buffer) => (e ? reject(new Error(`replay APDU ${index} ${toHex(apdu)} (run ${i}): ${String(e)}`)) : resolve(d))),
      );
    }
    await new Promise<void>((resolve) => reader.disconnect(reader.SCARD_LEAVE_CARD, () => resolve()));
    const end = performance.now();
    if (i === 0) continue;
    insertToReady.push(end - start);
    readOnly.push(end - seen);
  }
  reader.close();
  pcsc.close();
  await slots.remove(SLOT);
  return { insertToReady, readOnly };
}

async function waitFor(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function main(): Promise<void> {
  const missing = pcscdMissing();
  if (missing !== null) {
    process.stdout.write(`## Cards (bench/cards.bench.ts)\n\nNot run: ${missing}.\n`);
    return;
  }
  const pcscd = await ensurePcscd();
  const slots = new VpcdSlots();
  try {
    const ours = await throughPupitre(slots);
    const raw = await rawReplay(slots, ours.apdus);
    const minimal = minimalApdus(vitaleCard());
    const transportExtras = ours.apdus.filter((a) => toHex(a).startsWith('00C0')).length;
    const rows = [
      ['insertion → beneficiaries ready', median(ours.insertToReady), median(raw.insertToReady)],
      ['card seen → beneficiaries ready (read only)', median(ours.readOnly), median(raw.readOnly)],
    ] as const;
    process.stdout.write(
      [
        '## Cards (bench/cards.bench.ts)',
        '',
        `Carte Vitale 2 with 4 beneficiaries (emulator \`vitale-famille\`) in vpcd slot ${SLOT}, real pcscd (${pcscd.started ? 'started by the bench' : 'already running'}). Median of ${RUNS} runs after one warm-up; the raw replay sends the same APDUs over the pcsclite addon in the same run.`,
        '',
        '| measure | Pupitre | raw pcsclite replay | ratio (target ≤ 1.10) |',
        '|---|---|---|---|',
        ...rows.map(([label, a, b]) => `| ${label} | ${ms(a)} | ${ms(b)} | ${(a / b).toFixed(2)}× |`),
        '',
        '| APDUs | count |',
        '|---|---|',
        `| sent by Pupitre (T=0 GET RESPONSE included: ${transportExtras}) | ${ours.apdus.length} |`,
        `| minimal for the public layout (SELECT AID, SELECT+READ EF 2001, SELECT+READ of each listed EF, 256 B per READ) | ${minimal} |`,
        '',
      ].join('\n'),
    );
  } finally {
    await slots.removeAll();
    await pcscd.stop();
  }
}

await main();
