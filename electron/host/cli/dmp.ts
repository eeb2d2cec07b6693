/**
 * `pupitre dmp status|list|get|send`: the DMP of a patient from a terminal, by INS. The patient must
 * be in the local base with a qualified identity (the same rule as the desk). `send` queues the
 * document in the outbox and synchronises at once; an unreachable DMP leaves it queued for later
 * (`pupitre queue sync`). `dmp metadata|validate` live in dmp-cda.ts.
 */
import { writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { AppError } from '../../contract';
import type { Host } from '../compose';
import { flagString, UsageError } from './args';
import type { Command } from './command';
import { openHost, print, type CliContext } from './context';
import { frenchDateTime } from './format';
import { readInputFile } from './files';

/** The contract carries at most 28 MiB of base64: 20 MiB of document. */
const MAX_DMP_DOCUMENT_BYTES = 20 * 1024 * 1024;

async function patientByIns(host: Host, ins: string | undefined, usage: string): Promise<string> {
  if (ins === undefined) throw new UsageError(usage);
  const { results } = await host.dispatcher.invoke('patients.search', { nir: ins.replace(/\s+/g, '') });
  const found = results.find((r) => r.match === 'exact') ?? results[0];
  if (found === undefined) throw new AppError('PATIENT_NOT_FOUND');
  return found.id;
}

/**
 * A DMP call in direct mode needs the CPS and its code: `--pin CODE` opens the card session on the
 * card in the reader. In démo, the virtual CPS is inserted first and its demo code used by default.
 */
async function openCardSession(host: Host, ctx: CliContext): Promise<void> {
  host.cards.start();
  if ((await host.dispatcher.invoke('cards.session', {})) !== null) return;
  const pin = flagString(ctx.args, 'pin');
  if (host.environment === 'demo') {
    await host.dispatcher.invoke('demo.cards.insert', { profile: 'cps-praticien' });
    await host.dispatcher.invoke('cards.verifyPin', { pin: pin ?? '1234' });
    return;
  }
  if (pin !== undefined) {
    const result = await host.dispatcher.invoke('cards.verifyPin', { pin });
    if (!result.ok) throw new AppError('DMP_CARD_REQUIRED', { pinRejected: true, triesLeft: result.triesLeft });
  }
}

async function withHost<T>(ctx: CliContext, fn: (host: Host) => Promise<T>): Promise<T> {
  const host = await openHost(ctx, 'in-process');
  try {
    await openCardSession(host, ctx);
    return await fn(host);
  } finally {
    await host.close();
  }
}

const yesNo = (value: boolean | null): string => (value === null ? 'inconnu' : value ? 'oui' : 'non');
const EXISTENCE: Record<string, string> = { active: 'ouvert', closed: 'fermé', absent: 'pas de DMP' };
const AUTHORISATION: Record<string, string> = { VALIDE: 'accès autorisé', EXPIRE: 'autorisation expirée', INTERDIT: 'accès interdit (le patient vous a bloqué)', NON_EXISTE: 'pas encore d’autorisation' };

export const dmpStatusCommand: Command = {
  name: 'dmp',
  subcommand: 'status',
  usage: 'pupitre dmp status INS [--pin CODE] [--json]',
  summary: "État du DMP d'un patient (TD0.2) : ouvert/fermé, autorisation d'accès, médecin traitant, Mon espace santé.",
  valued: ['pin'],
  waitingFor: 'réponse du DMP',
  async run(ctx) {
    return withHost(ctx, async (host) => {
      const patientId = await patientByIns(host, ctx.args.positionals[0], this.usage);
      const opened = await host.dispatcher.invoke('dmp.open', { patientId });
      const value = { status: opened.status, rights: opened.rights, newCount: opened.newCount, offline: opened.offline };
      const status = opened.status;
      print(ctx, value, () =>
        [
          ...(opened.offline === null
            ? []
            : [`Le DMP ne répond pas : ${opened.offline.lastCheckedAt === null ? 'aucun état connu sur ce poste.' : `dernier état connu du ${frenchDateTime(opened.offline.lastCheckedAt)}.`}`]),
          ...(status === null
            ? []
            : [
                `DMP                 ${EXISTENCE[status.existence] ?? status.existence}`,
                `Autorisation        ${AUTHORISATION[status.authorisation ?? ''] ?? '—'}`,
                `Médecin traitant    ${yesNo(status.treatingDoctor)}`,
                `Mon espace santé    ${yesNo(status.mesAttachment)}`,
                `Vérifié le          ${frenchDateTime(status.checkedAt)}`,
              ]),
          `Nouveaux documents  ${opened.newCount}`,
          ...(opened.listError === null ? [] : [`Documents           ${opened.listError.message}`]),
        ].join('\n'),
      );
      return opened.offline === null ? 0 : 1;
      return 0;
    });
  },
};

export const dmpListCommand: Command = {
  name: 'dmp',
  subcommand: 'list',
  usage: 'pupitre dmp list INS [--all] [--pin CODE] [--json]',
  summary: "Documents du DMP d'un patient (TD3.1) ; --all élargit la recherche au-delà de deux ans.",
  valued: ['pin'],
  waitingFor: 'réponse du DMP',
  async run(ctx) {
    return withHost(ctx, async (host) => {
      const patientId = await patientByIns(host, ctx.args.positionals[0], this.usage);
      const opened = await host.dispatcher.invoke('dmp.open', { patientId, widen: ctx.args.flags.get('all') === true });
      if (opened.listError !== null) throw new AppError(opened.listError.code as never);
      print(ctx, { documents: opened.documents, filter: opened.filter }, () =>
        [
          ...opened.documents.map(
            (d) =>
              `${(d.serviceStartTime ?? d.creationTime ?? '').slice(0, 10)}  ${d.isNew ? 'NOUVEAU ' : '        '}${(d.typeCode?.displayName ?? '').padEnd(36).slice(0, 36)}  ${d.title}  [${d.uniqueId}]`,
          ),
          '',
          `${opened.documents.length} document(s)${opened.filter.since === null ? '' : ` depuis le ${opened.filter.since.slice(0, 10)} (--all pour tout voir)`}`,
        ].join('\n'),
      );
      return 0;
    });
  },
};

export const dmpGetCommand: Command = {
  name: 'dmp',
  subcommand: 'get',
  usage: 'pupitre dmp get INS UNIQUEID -o FICHIER [--pin CODE] [--json]',
  summary: 'Télécharge un document du DMP (TD3.2) : le PDF, ou le document CDA.',
  valued: ['output', 'pin'],
  waitingFor: 'réponse du DMP',
  async run(ctx) {
    // `-o FICHIER` (short form, read from the positionals: the parser knows long flags only) or `--output FICHIER`.
    const positionals = [...ctx.args.positionals];
    const short = positionals.indexOf('-o');
    const output = short === -1 ? flagString(ctx.args, 'output') : positionals.splice(short, 2)[1];
    const [ins, uniqueId] = positionals;
    if (uniqueId === undefined || output === undefined) throw new UsageError(this.usage);
    return withHost(ctx, async (host) => {
      const patientId = await patientByIns(host, ins, this.usage);
      const doc = await host.dispatcher.invoke('dmp.document.get', { patientId, uniqueId });
      const bytes = Buffer.from(doc.pdfBase64 ?? doc.contentBase64, 'base64');
      writeFileSync(resolve(output), bytes);
      print(ctx, { uniqueId, mimeType: doc.pdfBase64 === null ? doc.mimeType : 'application/pdf', bytes: bytes.length, file: resolve(output) }, () => `Écrit ${output} (${bytes.length} octets).`);
      return 0;
    });
  },
};

export const dmpSendCommand: Command = {
  name: 'dmp',
  subcommand: 'send',
  usage: 'pupitre dmp send INS FICHIER.pdf|FICHIER.xml [--type LOINC] [--title TITRE] [--replace UNIQUEID] [--masque-ps] [--invisible-patient] [--pin CODE] [--json]',
  summary: "Envoie un PDF (encapsulé en CDA N1) ou un document CDA au DMP (TD2.1) via la file d'envoi.",
  valued: ['type', 'title', 'replace', 'pin'],
  waitingFor: 'envoi au DMP',
  async run(ctx) {
    const [ins, file] = ctx.args.positionals;
    if (file === undefined) throw new UsageError(this.usage);
    const path = resolve(file);
    const content = readInputFile(file, { maxBytes: MAX_DMP_DOCUMENT_BYTES, tooLarge: 'DMP_FILE_TOO_LARGE' });
    return withHost(ctx, async (host) => {
      const patientId = await patientByIns(host, ins, this.usage);
      const type = flagString(ctx.args, 'type');
      const title = flagString(ctx.args, 'title');
      const replaces = flagString(ctx.args, 'replace');
      const { sending } = await host.dispatcher.invoke('dmp.send', {
        patientId,
        fileName: basename(path),
        contentBase64: content.toString('base64'),
        ...(type === undefined ? {} : { typeCode: type }),
        ...(title === undefined ? {} : { title }),
        ...(replaces === undefined ? {} : { replaces }),
        visibility: {
          maskedFromProfessionals: ctx.args.flags.get('masque-ps') === true,
          hiddenFromPatient: ctx.args.flags.get('invisible-patient') === true,
          hiddenFromLegalRepresentatives: false,
        },
      });
      await host.outbox.syncNow();
      const after = (await host.dispatcher.invoke('dmp.sendings', { patientId })).sendings.find((s) => s.uniqueId === sending.uniqueId) ?? sending;
      const label: Record<string, string> = { sent: 'envoyé', queued: "en file d'attente", sending: 'en cours', 'waiting-card': 'attend la carte CPS', failed: 'échec', cancelled: 'annulé' };
      print(ctx, { sending: after }, () => `Document ${after.uniqueId} : ${label[after.state] ?? after.state}${after.message === null ? '' : ` — ${after.message}`}`);
      return after.state === 'failed' ? 1 : 0;
    });
  },
};
