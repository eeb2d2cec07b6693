import { settingKeySchema, type SettingKey, type Settings } from '../../contract';
import { SETTING_POLICIES } from '../../contract/settings-policy';
import { flagString, UsageError } from './args';
import type { Command } from './command';
import { openHost, print } from './context';
import { CERTIFICATE_USAGE, certificateValue } from './settings-certificates';

export const settingsCommand: Command = {
  name: 'settings',
  usage:
    'pupitre settings get [--json] | pupitre settings set CLÉ VALEUR [--yes] [--pin CODE]\n' +
    '  Les paramètres de sécurité (adresses des téléservices, module PKCS#11, origines autorisées, certificats de structure) demandent --yes,\n' +
    `  et --pin CODE (code de la carte CPS) quand ils protègent un certificat.\n${CERTIFICATE_USAGE}`,
  summary: 'Lit ou modifie les paramètres (environnement, adresses des téléservices, module PKCS#11, certificats de structure…).',
  valued: ['pin', 'passphrase-file', 'secteur'],
  async run(ctx) {
    const [action, key, value] = ctx.args.positionals;
    const host = await openHost(ctx, 'in-process');
    try {
      if (action === 'get' || action === undefined) {
        const settings = await host.dispatcher.invoke('settings.get', {});
        print(ctx, settings, () => flatten(settings).map(([k, v]) => `${k} = ${v}`).join('\n'));
        return 0;
      }
      if (action === 'set') {
        const parsedKey = settingKeySchema.safeParse(key);
        if (!parsedKey.success || value === undefined) {
          throw new UsageError(`usage : pupitre settings set CLÉ VALEUR (clés : ${settingKeySchema.options.join(', ')})`);
        }
        const k = parsedKey.data;
        const parsedValue =
          k === 'certificates.insi' || k === 'certificates.dmp' ? await certificateValue(k, ctx.args.positionals.slice(2), ctx.args) : k === 'allowedOrigins' ? value.split(',').filter(Boolean) : value;
        const policy = SETTING_POLICIES[k];
        if (!policy.sensitive) {
          const settings = await host.dispatcher.invoke('settings.set', { key: k, value: parsedValue });
          print(ctx, settings, () => savedText(k, settings));
          return 0;
        }
        // A security-sensitive setting: the same two steps as the desk's confirmation dialog.
        const change = await host.dispatcher.invoke('settings.requestChange', { key: k, value: parsedValue });
        if (ctx.args.flags.get('yes') !== true) {
          throw new UsageError(`${k} deviendra : ${String(change.value)}\n${change.consequence}\nConfirmez avec --yes${change.cpsPin ? ' et le code de la carte CPS (--pin CODE)' : ''}.`);
        }
        const pin = flagString(ctx.args, 'pin');
        const settings = await host.dispatcher.invoke('settings.confirmChange', { changeId: change.changeId, ...(pin === undefined ? {} : { pin }) });
        print(ctx, settings, () => `${savedText(k, settings).replace(/\.$/, '')} (modification confirmée).`);
        return 0;
      }
      throw new UsageError('usage : pupitre settings get | set CLÉ VALEUR');
    } finally {
      await host.close();
    }
  },
};

function savedText(key: SettingKey, settings: Settings): string {
  const until = (iso: string) => new Date(iso).toLocaleDateString('fr-FR');
  const { insi, dmp } = settings.certificates;
  if (key === 'certificates.insi') return insi === null ? 'Certificat de structure INSi retiré.' : `Certificat de structure INSi enregistré : ${insi.kind} (structure ${insi.structureId}), expire le ${until(insi.expiresAt)}.`;
  if (key === 'certificates.dmp') return dmp === null ? 'Certificats du mode indirect DMP retirés.' : `Certificats du mode indirect DMP enregistrés : structure ${dmp.structureId} (${dmp.structureName}).`;
  if (key === 'environment' && settings.pendingEnvironment !== null) {
    return `Environnement « ${settings.pendingEnvironment} » enregistré : il s’applique au prochain démarrage de Pupitre (un poste ouvert reste en « ${settings.environment} » jusqu’à sa fermeture).`;
  }
  return `${key} enregistré.`;
}

function flatten(value: unknown, prefix = ''): Array<[string, string]> {
  if (value === null) return [[prefix, 'non configuré']];
  if (typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix, Array.isArray(value) ? value.join(',') : String(value)]];
}
