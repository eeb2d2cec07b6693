/**
 * `pupitre settings set certificates.insi FICHIER.p12` and `… certificates.dmp AUTH.p12 SIGN.p12`:
 * the value the host checks (settings service), with the passphrase read from `--passphrase-file`,
 * `$PUPITRE_CERT_PASSPHRASE` or typed without echo — never from the command line, where the shell
 * history and the process list would keep it. `aucun` removes the certificate.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { flagString, UsageError, type ParsedArgs } from './args';

export const CERTIFICATE_USAGE = [
  'pupitre settings set certificates.insi FICHIER.p12 [--passphrase-file FICHIER]',
  'pupitre settings set certificates.dmp AUTH_CLI.p12 SIGN.p12 [--secteur SA07] [--passphrase-file FICHIER]',
  'pupitre settings set certificates.insi|certificates.dmp aucun',
].join('\n');

async function passphraseOf(args: ParsedArgs): Promise<string> {
  const file = flagString(args, 'passphrase-file');
  if (file !== undefined) {
    try {
      return readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '';
    } catch {
      throw new UsageError(`Fichier de mot de passe illisible : ${file}`);
    }
  }
  const fromEnv = process.env.PUPITRE_CERT_PASSPHRASE;
  if (fromEnv !== undefined) return fromEnv;
  if (process.stdin.isTTY) return promptHidden('Mot de passe du fichier PKCS#12 : ');
  throw new UsageError('Mot de passe du certificat attendu : --passphrase-file FICHIER, $PUPITRE_CERT_PASSPHRASE, ou saisie au clavier dans un terminal.');
}

/** Reads one line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolvePrompt) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let typed = '';
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolvePrompt(typed);
          return;
        }
        if (char === '\u0003') process.exit(130);
        typed = char === '\u007f' ? typed.slice(0, -1) : typed + char;
      }
    };
    stdin.on('data', onData);
  });
}

/** The value of `settings.set` for a certificate key, from the command line. */
export async function certificateValue(key: 'certificates.insi' | 'certificates.dmp', files: readonly string[], args: ParsedArgs): Promise<unknown> {
  if (files.length === 1 && files[0] === 'aucun') return null;
  if (key === 'certificates.insi') {
    if (files.length !== 1) throw new UsageError(CERTIFICATE_USAGE);
    return { file: resolve(files[0] as string), passphrase: await passphraseOf(args) };
  }
  if (files.length !== 2) throw new UsageError(CERTIFICATE_USAGE);
  const sector = flagString(args, 'secteur');
  return {
    authenticationFile: resolve(files[0] as string),
    signatureFile: resolve(files[1] as string),
    passphrase: await passphraseOf(args),
    ...(sector === undefined ? {} : { activitySector: sector }),
  };
}
