/**
 * The structure certificates of Paramètres turned into what the INSi and DMP clients use: an HTTPS
 * transport presenting the certificate (mutual TLS) and, for the DMP indirect mode, the ORG SIGN
 * signer. Rebuilt when the setting changes (the clients keep one transport object per mode, so it
 * delegates to the current one), never logged.
 */
import { readFileSync } from 'node:fs';
import { AppError, type ErrorCode } from '../../contract';
import type { Clock } from '../../platform/clock';
import { Pkcs12Signer } from '../../platform/crypto';
import { HttpClient, type HttpClientOptions, type HttpTransport } from '../../platform/http';

function readCertificateFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (cause) {
    throw new AppError('CRYPTO_CERTIFICATE_NOT_FOUND', { reason: 'file-unreadable' }, { cause });
  }
}

/**
 * One value per identity of its source (file + subject), rebuilt when it changes. `dispose` releases
 * the value built last without reading the source again (at shutdown the settings may be closed).
 */
function cachedBy<S, V>(source: () => S | null, identity: (s: S) => string, build: (s: S) => V, release?: (v: V) => void) {
  let key: string | null = null;
  let value: V | null = null;
  return {
    current: (): V | null => {
      const next = source();
      const nextKey = next === null ? null : identity(next);
      if (nextKey !== key) {
        if (value !== null) release?.(value);
        value = null;
        key = null;
        if (next !== null) {
          value = build(next);
          key = nextKey;
        }
      }
      return value;
    },
    dispose: (): void => {
      if (value !== null) release?.(value);
      value = null;
      key = null;
    },
  };
}

/**
 * An HTTPS transport that presents the structure certificate of `source()` (PKCS#12 + passphrase).
 * Without a certificate configured, a request says so in French instead of going out without it.
 */
export function structureTransport(
  source: () => { file: string; passphrase: string; subject: string } | null,
  /** Said when no certificate is configured (INSi: INSI_NO_CREDENTIALS, DMP: DMP_CARD_REQUIRED). */
  missing: ErrorCode,
  options: Omit<HttpClientOptions, 'tls'> & { tls?: Omit<NonNullable<HttpClientOptions['tls']>, 'clientCertificate'> } = {},
): HttpTransport & { close(): void } {
  const client = cachedBy(
    source,
    (c) => `${c.file}\n${c.subject}`,
    (c) => new HttpClient({ ...options, tls: { ...options.tls, clientCertificate: { kind: 'pfx', pfx: readCertificateFile(c.file), passphrase: c.passphrase } } }),
    (old) => old.close(),
  );
  return {
    stream: (request) => {
      let current: HttpClient | null;
      try {
        current = client.current();
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      if (current === null) return Promise.reject(new AppError(missing));
      return current.stream(request);
    },
    close: () => client.dispose(),
  };
}

/** The ORG SIGN signer of the DMP indirect mode, opened once per configured file. */
export function structureSigner(source: () => { file: string; passphrase: string; subject: string } | null, clock: Clock): () => Pkcs12Signer | null {
  const signer = cachedBy(
    source,
    (c) => `${c.file}\n${c.subject}`,
    (c) => Pkcs12Signer.fromBuffer(readCertificateFile(c.file), c.passphrase, { clock }),
  );
  return signer.current;
}
