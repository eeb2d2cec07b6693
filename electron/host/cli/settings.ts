import { settingKeySchema } from '../../contract';
import { SETTING_POLICIES } from '../../contract/settings-policy';
import { flagString, UsageError } from './args';
import type { Command } from './command';
import { openHost, print } from './context';

export const settingsCommand: Command = {
  name: 'settings',
  usage:
    'pupitre settings get [--json] | pupitre settings set CLÉ VALEUR [--yes] [--pin CODE]\n' +
    '  Les paramètres de sécurité (adresses des téléservices, module PKCS#11, origines autorisées) demandent --yes,\n' +
    '  et --pin CODE (code de la carte CPS) quand ils protègent un certificat.',
  summary: 'Lit ou modifie les paramètres (environnement, adresses des téléservices, module PKCS#11…).',
  valued: ['pin'],
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
        const parsedValue = parsedKey.data === 'allowedOrigins' ? value.split(',').filter(Boolean) : value;
        const policy = SETTING_POLICIES[parsedKey.data];
        if (!policy.sensitive) {
          const settings = await host.dispatcher.invoke('settings.set', { key: parsedKey.data, value: parsedValue });
          print(ctx, settings, () => `${parsedKey.data} enregistré.`);
          return 0;
        }
        // A security-sensitive setting: the same two steps as the desk's confirmation dialog.
        const change = await host.dispatcher.invoke('settings.requestChange', { key: parsedKey.data, value: parsedValue });
        if (ctx.args.flags.get('yes') !== true) {
          throw new UsageError(`${change.consequence}\nConfirmez avec --yes${change.cpsPin ? ' et le code de la carte CPS (--pin CODE)' : ''}.`);
        }
        const pin = flagString(ctx.args, 'pin');
        const settings = await host.dispatcher.invoke('settings.confirmChange', { changeId: change.changeId, ...(pin === undefined ? {} : { pin }) });
        print(ctx, settings, () => `${parsedKey.data} enregistré (modification confirmée).`);
        return 0;
      }
      throw new UsageError('usage : pupitre settings get | set CLÉ VALEUR');
    } finally {
      await host.close();
    }
  },
};

function flatten(value: unknown, prefix = ''): Array<[string, string]> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix, Array.isArray(value) ? value.join(',') : String(value)]];
}
