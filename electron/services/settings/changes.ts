/**
 * Two-step changes of security-sensitive settings (issue 14, point 6; which settings: the
 * contract's SETTING_POLICIES). `request` validates the value and keeps it for a few minutes,
 * bound to the window (session) that asked; `confirm` from that same window applies it once,
 * after checking the CPS/CPE code on the card when the setting protects a certificate. Nothing is
 * written before the confirmation, and the audit trail records that it was confirmed.
 */
import { randomBytes } from 'node:crypto';
import { AppError, type SettingKey, type Settings } from '../../contract';
import type { SettingPolicy } from '../../contract/settings-policy';
import type { Clock } from '../../platform/clock';
import type { SettingsService } from './index';

export interface RequestedChange {
  changeId: string;
  key: SettingKey;
  value: unknown;
  consequence: string;
  cpsPin: boolean;
  expiresAt: string;
}

export interface SensitiveChangesDeps {
  settings: SettingsService;
  clock: Clock;
  policies: Readonly<Record<SettingKey, SettingPolicy>>;
  /** Checks the CPS/CPE code on the card in the reader (the cards service). */
  verifyCpsPin?: (pin: string) => Promise<{ ok: boolean; triesLeft: number }>;
  /** How long a confirmation stays valid (ms); default 5 minutes. */
  ttlMs?: number;
}

interface Pending {
  key: SettingKey;
  value: unknown;
  owner: string;
  expiresAt: number;
}

export class SensitiveChanges {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly deps: SensitiveChangesDeps) {}

  isSensitive(key: SettingKey): boolean {
    return this.deps.policies[key].sensitive;
  }

  /** `owner` identifies the window asking (its session). */
  request(key: SettingKey, value: unknown, owner: string): RequestedChange {
    const policy = this.deps.policies[key];
    const normalized = this.deps.settings.normalize(key, value).value;
    this.sweep();
    const changeId = randomBytes(16).toString('hex');
    const expiresAt = this.deps.clock.now() + (this.deps.ttlMs ?? 5 * 60_000);
    this.pending.set(changeId, { key, value: normalized, owner, expiresAt });
    return {
      changeId,
      key,
      // What the person confirms; a certificate's passphrase stays in the pending change only.
      value: this.deps.settings.shown(key, normalized),
      consequence: policy.consequence ?? 'Ce paramètre sera modifié.',
      cpsPin: policy.cpsPin === true,
      expiresAt: new Date(expiresAt).toISOString(),
    };
  }

  async confirm(changeId: string, owner: string, options: { pin?: string; actor: string; caller: string }): Promise<{ key: SettingKey; settings: Settings }> {
    this.sweep();
    const change = this.pending.get(changeId);
    // Another window's confirmation is treated like an unknown one: nothing tells it exists.
    if (change === undefined || change.owner !== owner) throw new AppError('SETTINGS_CHANGE_EXPIRED');
    const policy = this.deps.policies[change.key];
    let pinVerified = false;
    if (policy.cpsPin === true) {
      if (options.pin === undefined || options.pin === '') throw new AppError('SETTINGS_PIN_REQUIRED');
      if (this.deps.verifyCpsPin === undefined) throw new AppError('SETTINGS_PIN_REQUIRED', { reason: 'no-card-service' });
      const result = await this.deps.verifyCpsPin(options.pin);
      if (!result.ok) throw new AppError('SETTINGS_PIN_REJECTED', { triesLeft: result.triesLeft });
      pinVerified = true;
    }
    // Used once, whatever happens next.
    this.pending.delete(changeId);
    const settings = this.deps.settings.set(change.key, change.value, options.actor, { confirmed: true, pinVerified, client: options.caller });
    return { key: change.key, settings };
  }

  private sweep(): void {
    const now = this.deps.clock.now();
    for (const [id, change] of this.pending) if (change.expiresAt <= now) this.pending.delete(id);
  }
}
