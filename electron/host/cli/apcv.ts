/**
 * Appli carte Vitale and ADRi from the terminal (support):
 *   pupitre apcv status [--json]               configuration, reachability, session limits
 *   pupitre apcv check TEXTE|--fichier F [--json]  is this payload an appli carte Vitale QR code? (no network)
 *   pupitre adri rights PATIENT_ID [--json]    the patient's last known rights and their date
 * Nothing here prints a payload back or a NIR; rights are shown to the person who asked only.
 */
import { readFileSync } from 'node:fs';
import type { AdriRights } from '../../contract/domains/adri';
import type { ApcvStatus } from '../../contract/domains/apcv';
import { recogniseApcvPayload } from '../../services/apcv';
import { flagString, UsageError } from './args';
import type { Command } from './command';
import { openHost, print } from './context';

const MODE_LABEL: Record<ApcvStatus['mode'], string> = {
  simulator: 'simulateur local (démo)',
  modelled: 'format modélisé',
  unavailable: 'non disponible (spécifications SESAM-Vitale addendum 8 nécessaires)',
};

function minutes(ms: number): string {
  return `${Math.round(ms / 60_000)} min`;
}

export const apcvStatusCommand: Command = {
  name: 'apcv',
  subcommand: 'status',
  usage: 'pupitre apcv status [--json]',
  summary: 'État de l’appli carte Vitale : service, joignabilité, durée de session et factures par session.',
  async run(ctx) {
    const host = await openHost(ctx, 'in-process');
    try {
      const status = await host.dispatcher.invoke('apcv.status', {});
      print(ctx, status, () =>
        [
          `Appli carte Vitale : ${MODE_LABEL[status.mode]}`,
          `  service : ${status.endpoint}`,
          `  joignable : ${status.reachable === 'yes' ? 'oui' : status.reachable === 'no' ? `non (dernier échec ${status.lastFailureAt ?? '?'})` : 'pas encore essayé'}`,
          `  session : ${minutes(status.limits.contextLifetimeMs)}, ${status.limits.invoicesPerContext} facture(s) par session`,
        ].join('\n'),
      );
      return status.mode === 'unavailable' ? 1 : 0;
    } finally {
      await host.close();
    }
  },
};

export const apcvCheckCommand: Command = {
  name: 'apcv',
  subcommand: 'check',
  usage: 'pupitre apcv check TEXTE | --fichier FICHIER [--json]',
  summary: 'Dit si un contenu scanné est un QR code de l’appli carte Vitale (forme modélisée du simulateur), sans rien envoyer.',
  valued: ['fichier'],
  async run(ctx) {
    const file = flagString(ctx.args, 'fichier');
    const text = ctx.args.positionals.join(' ');
    if (file === undefined && text === '') throw new UsageError(`usage : ${this.usage}`);
    const bytes = file === undefined ? new TextEncoder().encode(text) : new Uint8Array(readFileSync(file));
    const recognition = recogniseApcvPayload(bytes, '');
    const result = { recognised: recognition !== null, kind: recognition?.kind ?? 'unknown', shape: recognition?.shape ?? null, bytes: bytes.byteLength };
    print(ctx, result, () =>
      recognition === null
        ? `Pas un QR code de l’appli carte Vitale reconnu (${bytes.byteLength} octets). Le format réel de l’appli n’est pas public : seule la forme du simulateur est reconnue.`
        : `QR code de l’appli carte Vitale (forme modélisée du simulateur, ${bytes.byteLength} octets).`,
    );
    return recognition === null ? 1 : 0;
  },
};

const STATUS_LABEL: Record<AdriRights['status'], string> = { open: 'droits ouverts', closed: 'droits fermés', unverified: 'droits non vérifiés' };
const REASON_LABEL: Record<NonNullable<AdriRights['reason']>, string> = {
  offline: 'hors ligne',
  unavailable: 'service indisponible',
  'not-configured': 'service non configuré',
  'not-found': 'bénéficiaire inconnu du service',
  refused: 'demande refusée',
  'card-session': 'sans carte CPS',
};

export function rightsText(rights: AdriRights | null): string {
  if (rights === null) return 'Aucun droit connu pour ce patient : lisez sa carte Vitale ou son appli carte Vitale.';
  const lines = [
    `${STATUS_LABEL[rights.status]}${rights.reason === null ? '' : ` (${REASON_LABEL[rights.reason]})`} — vérifiés le ${new Date(rights.checkedAt).toLocaleString('fr-FR')}`,
    `  régime : ${rights.regime === null ? '—' : `${rights.regime.label} (${rights.regime.code})`}, caisse ${rights.caisse ?? '—'}, centre ${rights.centre ?? '—'}`,
  ];
  if (rights.amo !== null) lines.push(`  AMO : du ${rights.amo.start ?? '?'} au ${rights.amo.end ?? '(sans fin)'}`);
  for (const e of rights.exonerations) lines.push(`  exonération : ${e.label}${e.end === null ? '' : ` jusqu’au ${e.end}`}`);
  if (rights.complementary !== null) lines.push(`  complémentaire : ${rights.complementary}`);
  return lines.join('\n');
}

export const adriRightsCommand: Command = {
  name: 'adri',
  subcommand: 'rights',
  usage: 'pupitre adri rights PATIENT_ID [--json]',
  summary: 'Derniers droits connus d’un patient (ADRi) et leur date, ou « droits non vérifiés » et pourquoi.',
  async run(ctx) {
    const patientId = ctx.args.positionals[0];
    if (patientId === undefined) throw new UsageError(`usage : ${this.usage}`);
    const host = await openHost(ctx, 'in-process');
    try {
      const rights = await host.dispatcher.invoke('adri.rights', { patientId });
      print(ctx, rights, () => rightsText(rights));
      return rights === null ? 1 : 0;
    } finally {
      await host.close();
    }
  },
};
