/**
 * `pupitre sim cards`: virtual cards from a terminal, through Debian's vpcd into the real pcscd
 * (what the Démo panel does in the app). `insert` keeps the card in the reader until Ctrl-C (the
 * card lives in this process); `list` shows the profiles.
 */
import { AppError } from '../../contract';
import { cardProfile, cardProfiles, createCard, pcscdMissing, PCSCD_SOCKET, vpcdListening, VPCD_PORTS, VPCD_READERS, VpcdSlotBusyError, VpcdSlots } from '../../../fixtures/cards';
import { ensureSharedTestPki } from '../../../fixtures/sim/pki';
import { existsSync } from 'node:fs';
import { flagNumber, UsageError } from './args';
import type { Command } from './command';
import { print } from './context';

export const simCardsCommand: Command = {
  name: 'sim',
  subcommand: 'cards',
  usage: ['pupitre sim cards list [--json]', 'pupitre sim cards insert PROFIL [--slot 0|1] [--json]   (Ctrl-C retire la carte)'].join('\n'),
  summary: 'Cartes virtuelles (CPS, CPE, Vitale) insérées dans le lecteur virtuel vpcd de pcscd.',
  valued: ['slot'],
  longRunning: true,
  async run(ctx) {
    const [action = 'list', profileId] = ctx.args.positionals;
    if (action === 'list') {
      const profiles = cardProfiles().map((p) => ({ id: p.id, label: p.label, kind: p.kind }));
      print(ctx, { profiles, readers: VPCD_READERS }, () => profiles.map((p) => `${p.id.padEnd(16)} ${p.label}`).join('\n'));
      return 0;
    }
    if (action !== 'insert' || profileId === undefined) throw new UsageError(this.usage);
    const profile = cardProfile(profileId);
    if (profile === undefined) throw new AppError('CARD_DEMO_UNKNOWN_PROFILE', { profile: profileId });
    const missing = pcscdMissing();
    if (missing !== null || !existsSync(PCSCD_SOCKET) || !(await vpcdListening(VPCD_PORTS[0]))) throw new AppError('CARD_PCSC_UNAVAILABLE', { missing });
    const slot = flagNumber(ctx.args, 'slot') ?? (profile.kind === 'vitale' ? 1 : 0);
    if (slot !== 0 && slot !== 1) throw new UsageError('--slot vaut 0 ou 1');
    const pki = profile.kind === 'cps' ? await ensureSharedTestPki() : null;
    const slots = new VpcdSlots();
    const card = createCard(profile, pki);
    try {
      await slots.insert(slot, card);
    } catch (error) {
      if (error instanceof VpcdSlotBusyError) throw new AppError('CARD_DEMO_READER_BUSY', { reader: VPCD_READERS[slot] });
      throw error;
    }
    print(ctx, { inserted: profile.id, reader: VPCD_READERS[slot] }, () => `Carte « ${profile.label} » insérée dans ${VPCD_READERS[slot]}. Ctrl-C pour la retirer.`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await slots.removeAll();
    return 0;
  },
};
