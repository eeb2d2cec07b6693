/**
 * `pupitre scan listen|decode`: scanners from a terminal, through the same pipeline and
 * recognisers as the app.
 *
 * - `listen` prints what connected HID-POS scanners and contactless readers send, with its
 *   classification, until Ctrl+C (or `--count N` scans). The content itself only with
 *   `--payload` (it may be health data). `--record FICHIER` keeps the raw HID reports (file 0600)
 *   so that a desk's scanner can be replayed with `--replay FICHIER` (support, tests).
 * - `decode IMAGE…` reads the QR codes and DataMatrix of PNG/JPEG files (photos at an angle,
 *   rotated or slightly blurred, several codes per image) and prints each content with its
 *   classification.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { AppError } from '../../contract';
import type { ScanEvent, ScannersChange } from '../../contract/domains/scan';
import { attachHidSource, classifyPayload, decodeImage, isPrintableText, symbologyLabel, udevInstallCommand, type DecodedCode } from '../../services/scan';
import { HidPosWatcher, HidRecorder, NodeHidBackend, parseRecording, ReplayHidBackend, type HidBackend, type HidRecording } from '../../../native/hid';
import { flagNumber, flagString, UsageError } from './args';
import type { Command } from './command';
import { openHost, print } from './context';

const SOURCE_LABEL: Record<string, string> = { hid: 'douchette HID-POS', nfc: 'sans contact', wedge: 'douchette clavier', webcam: 'caméra', demo: 'démo', cli: 'ligne de commande' };

/** Control characters shown as `<GS>`, `<CR>`… (ISO 646 names), the rest as it is. */
export function printableText(payload: Uint8Array): string {
  const names: Record<number, string> = { 0x1d: 'GS', 0x1e: 'RS', 0x04: 'EOT', 0x0d: 'CR', 0x0a: 'LF', 0x09: 'TAB' };
  return [...payload].map((b) => (b < 0x20 || b === 0x7f ? `<${names[b] ?? `x${b.toString(16).padStart(2, '0')}`}>` : String.fromCharCode(b))).join('');
}

/** Text when a person could read it (control characters named), else hex. */
export function contentLine(payload: Uint8Array): string {
  const withoutControls = payload.filter((b) => b !== 0x1d && b !== 0x1e && b !== 0x04);
  return isPrintableText(withoutControls) ? printableText(payload) : `(binaire) ${Buffer.from(payload).toString('hex')}`;
}

const time = (iso: string): string => new Date(iso).toLocaleTimeString('fr-FR');

function scanLine(event: ScanEvent): string {
  const parts = [
    `${time(event.receivedAt)}  ${SOURCE_LABEL[event.source] ?? event.source}${event.device ? ` « ${event.device} »` : ''}`,
    `${symbologyLabel(event.symbology)}${event.aim ? ` ${event.aim}` : ''}, ${event.length} octets`,
    event.summary,
  ];
  if (!event.trusted) parts.push(`NON FIABLE : ${event.trustNote ?? ''}`);
  return parts.join(' — ');
}

export const scanListenCommand: Command = {
  name: 'scan',
  subcommand: 'listen',
  usage: 'pupitre scan listen [--payload] [--count N] [--record FICHIER] [--replay FICHIER] [--json]',
  summary: 'Affiche ce que lisent les douchettes HID-POS et le lecteur sans contact branchés (Ctrl+C pour arrêter).',
  valued: ['count', 'record', 'replay'],
  async run(ctx) {
    const count = flagNumber(ctx.args, 'count');
    const recordTo = flagString(ctx.args, 'record');
    const replayFrom = flagString(ctx.args, 'replay');
    const showPayload = ctx.args.flags.get('payload') === true;
    let replay: HidRecording | null = null;
    if (replayFrom !== undefined) {
      try {
        replay = parseRecording(JSON.parse(readFileSync(replayFrom, 'utf8')));
      } catch {
        throw new UsageError(`--replay : « ${replayFrom} » n’est pas un enregistrement de douchette lisible (pupitre scan listen --record).`);
      }
    }
    const host = await openHost(ctx, 'in-process');
    const replayBackend = replay === null ? null : new ReplayHidBackend();
    const backend: HidBackend = replayBackend ?? new NodeHidBackend();
    const recorder = recordTo === undefined ? null : new HidRecorder(() => Date.now(), 'pupitre scan listen --record');
    const watcher = new HidPosWatcher({
      backend,
      logger: ctx.logger,
      now: () => Date.now(),
      ...(recorder ? { onRawReport: (device, report, at) => recorder.report(device, report, at) } : {}),
    });
    const pipeline = host.scan.pipeline;
    const detachHid = attachHidSource(pipeline, watcher, { udev: host.scan.udev });
    let received = 0;
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const out = (value: unknown, text: string) => ctx.io.out(ctx.json ? JSON.stringify(value) : text);

    const unsubscribe = host.dispatcher.subscribe((event, payload) => {
      if (event === 'scan.received') {
        const scan = payload as ScanEvent;
        const content = showPayload ? pipeline.takePayload(scan.id).payload : null;
        out(
          { type: 'scan', ...scan, ...(content ? { payloadBase64: Buffer.from(content).toString('base64') } : {}) },
          content ? `${scanLine(scan)}\n    contenu : ${contentLine(content)}` : scanLine(scan),
        );
        received += 1;
        if (count !== undefined && received >= count) finish();
      } else if (event === 'scan.scanners.changed') {
        const change = payload as ScannersChange;
        const scanner = change.scannerId === null ? undefined : pipeline.registry.get(change.scannerId);
        if (change.reason === 'scan-lost') out({ type: 'scan-lost', ...change }, `${new Date().toLocaleTimeString('fr-FR')}  ${change.message ?? 'Lecture perdue.'}`);
        else if (change.reason === 'added' || change.reason === 'state') {
          if (scanner) out({ type: 'scanner', ...scanner }, `${new Date().toLocaleTimeString('fr-FR')}  + ${scanner.label} : ${scanner.mode} — ${scanner.detail}${scanner.state === 'ready' ? '' : `\n    ${scanner.next}`}`);
        } else if (change.reason === 'removed') out({ type: 'scanner-removed', scannerId: change.scannerId }, `${new Date().toLocaleTimeString('fr-FR')}  − douchette débranchée`);
      }
    });
    const stop = (): void => finish();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await watcher.start();
      if (replay === null) host.cards.start();
      if (!ctx.json) {
        const udev = host.scan.udev();
        ctx.io.out(
          replay === null
            ? `À l’écoute des douchettes HID-POS${host.cards.serviceState() === 'up' ? ' et des lecteurs sans contact' : ''} (Ctrl+C pour arrêter).${watcher.list().length === 0 ? ' Aucune douchette HID-POS branchée pour l’instant : une douchette en mode clavier écrit dans la fenêtre active, pas ici.' : ''}`
            : `Rejeu de « ${basename(replayFrom ?? '')} » (${replay.source}).`,
        );
        if (udev !== null && !udev.installed && replay === null) ctx.io.out(`Sous Linux, la règle udev des douchettes HID-POS n’est pas installée : ${udevInstallCommand(udev)}`);
      }
      if (replay !== null && replayBackend !== null) {
        await replayBackend.play(replay, { wait: async (ms) => new Promise((resolve) => setTimeout(resolve, ms)) });
        await watcher.refresh();
        // Let a last scan travel through the pipeline, then stop unless --count waits for more.
        if (count === undefined) setTimeout(finish, 100);
      }
      await done;
    } finally {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      unsubscribe();
      detachHid();
      await watcher.stop();
      if (recorder !== null && recordTo !== undefined) {
        writeFileSync(recordTo, `${JSON.stringify(recorder.toJSON(), null, 2)}\n`, { mode: 0o600 });
        if (!ctx.json) ctx.io.out(`Enregistrement écrit dans ${recordTo} (il contient les codes lus : données de santé, à protéger).`);
      }
      await host.close();
    }
    return 0;
  },
};

interface DecodedView {
  symbology: string;
  aim: string | null;
  kind: string;
  summary: string;
  details: Record<string, unknown>;
  length: number;
  text: string | null;
  payloadBase64: string;
  corners: DecodedCode['corners'];
  orientation: number;
}

export const scanDecodeCommand: Command = {
  name: 'scan',
  subcommand: 'decode',
  usage: 'pupitre scan decode IMAGE [IMAGE…] [--json]',
  summary: 'Lit les QR codes et DataMatrix d’une photo PNG/JPEG (plusieurs codes, photo de biais) et dit ce qu’ils sont.',
  async run(ctx) {
    const files = ctx.args.positionals;
    if (files.length === 0) throw new UsageError('pupitre scan decode IMAGE : indiquez au moins un fichier PNG ou JPEG.');
    const host = await openHost(ctx, 'in-process');
    try {
      const results: Array<{ file: string; codes: DecodedView[] }> = [];
      for (const file of files) {
        let bytes: Uint8Array;
        try {
          bytes = readFileSync(file);
        } catch {
          throw new AppError('SCAN_IMAGE_UNREADABLE', { reason: 'read' });
        }
        const codes = (await decodeImage(bytes)).map((code): DecodedView => {
          const classification = classifyPayload(host.scan.pipeline.currentRecognisers(), code.payload, code.symbology, ctx.logger);
          return {
            symbology: code.symbology,
            aim: code.aim,
            kind: classification.kind,
            summary: classification.summary,
            details: classification.details,
            length: code.payload.length,
            text: isPrintableText(code.payload.filter((b) => b !== 0x1d)) ? printableText(code.payload) : null,
            payloadBase64: Buffer.from(code.payload).toString('base64'),
            corners: code.corners,
            orientation: code.orientation,
          };
        });
        results.push({ file, codes });
      }
      print(ctx, { files: results }, () =>
        results
          .map(({ file, codes }) =>
            codes.length === 0
              ? `${file} : aucun code QR ou DataMatrix trouvé. Reprenez la photo plus près, nette, le code entier dans l’image et sans reflet.`
              : [
                  `${file} : ${codes.length} code${codes.length > 1 ? 's' : ''}`,
                  ...codes.map(
                    (c, i) =>
                      `  ${i + 1}. ${symbologyLabel(c.symbology)}${c.aim ? ` (${c.aim})` : ''}, ${c.length} octets, incliné de ${Math.round(c.orientation)}° — ${c.summary}\n     contenu : ${c.text ?? `(binaire) ${Buffer.from(c.payloadBase64, 'base64').toString('hex')}`}`,
                  ),
                ].join('\n'),
          )
          .join('\n'),
      );
      return results.every((r) => r.codes.length > 0) ? 0 : 1;
    } finally {
      await host.close();
    }
  },
};
