/**
 * Issue 14, point 8: the packaged app is sealed. electron-builder's own loader reads
 * electron-builder.yml, its schema validates it, and its fuse step maps it onto the Electron fuse
 * wire: the test checks what electron-builder will actually flip, not just the YAML text.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../fixtures/testing/tier';

const require = createRequire(import.meta.url);

interface BuilderConfig {
  electronFuses?: Record<string, boolean>;
  asar?: boolean;
  [key: string]: unknown;
}

// The package's entry first: its modules depend on each other in that load order.
require('app-builder-lib');
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(projectDir: string, configPath: string, fromOptions: null): Promise<BuilderConfig>;
  validateConfiguration(config: BuilderConfig, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
const { PlatformPackager } = require('app-builder-lib/out/platformPackager') as {
  PlatformPackager: { prototype: { generateFuseConfig(fuses: Record<string, boolean>): Promise<Record<string, unknown>> } };
};

async function builderConfig(): Promise<BuilderConfig> {
  return getConfig(projectRoot, join(projectRoot, 'electron-builder.yml'), null);
}

describe('electron-builder configuration', () => {
  it('is valid for electron-builder, fuses included', async () => {
    const config = await builderConfig();
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    // The schema really checks the fuses block: a misspelt fuse is refused.
    await expect(validateConfiguration({ ...config, electronFuses: { runAsNodes: false } }, new DebugLogger(false))).rejects.toThrow(/electronFuses/);
  });

  it('turns off running as Node, NODE_OPTIONS and --inspect; turns on cookie encryption, ASAR integrity and ASAR-only loading', async () => {
    const config = await builderConfig();
    expect(config.asar).not.toBe(false);
    const { FuseV1Options } = (await import('@electron/fuses')) as unknown as { FuseV1Options: Record<string, number> };
    const wire = await PlatformPackager.prototype.generateFuseConfig.call({}, config.electronFuses ?? {});
    expect(wire[FuseV1Options.RunAsNode as number]).toBe(false);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable as number]).toBe(false);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments as number]).toBe(false);
    expect(wire[FuseV1Options.EnableCookieEncryption as number]).toBe(true);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation as number]).toBe(true);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar as number]).toBe(true);
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges as number]).toBe(false);
  });
});

describe('udev rule for HID-POS scanners', () => {
  const RULE = readFileSync(join(projectRoot, 'build', 'linux', '70-pupitre-scanners.rules'), 'utf8');
  const HELPER = join(projectRoot, 'build', 'linux', 'pupitre-hidpos-match');
  const bytes = (hex: string) => Buffer.from(hex.replace(/\s+/g, ''), 'hex');
  const matches = (descriptor: Buffer): boolean => {
    const path = join(mkdtempSync(join(tmpdir(), 'pupitre-hid-')), 'report_descriptor');
    writeFileSync(path, descriptor);
    return spawnSync('sh', [HELPER, path]).status === 0;
  };

  // A HID-POS scanner's application collection (HID Point of Sale Usage Tables 1.02: Bar Code
  // Scanner page 0x8C, usage 0x02 Bar Code Scanner, 0x12 Scanned Data Report, 0xFE decoded data).
  const SCANNER = bytes('05 8C 09 02 A1 01 09 12 A1 02 85 02 15 00 26 FF 00 75 08 95 3F 09 FE 82 02 01 C0 C0');
  // The boot keyboard and mouse descriptors of the HID specification 1.11, appendix E.6 and E.10.
  const KEYBOARD = bytes(
    '05 01 09 06 A1 01 05 07 19 E0 29 E7 15 00 25 01 75 01 95 08 81 02 95 01 75 08 81 01 95 05 75 01 05 08 19 01 29 05 91 02 95 01 75 03 91 01 95 06 75 08 15 00 25 65 05 07 19 00 29 65 81 00 C0',
  );
  const MOUSE = bytes('05 01 09 02 A1 01 09 01 A1 00 05 09 19 01 29 03 15 00 25 01 95 03 75 01 81 02 95 01 75 05 81 01 05 01 09 30 09 31 15 81 25 7F 75 08 95 02 81 06 C0 C0');

  it('matches a HID-POS scanner only, never a keyboard or a mouse', () => {
    expect(matches(SCANNER)).toBe(true);
    expect(matches(KEYBOARD)).toBe(false);
    expect(matches(MOUSE)).toBe(false);
    // A scanner's own keyboard-wedge interface is a keyboard descriptor like the one above: not opened.
  });

  it('reads items, not bytes: 0x8C inside item data or a long item is not a usage page', () => {
    // Logical Minimum with 4 data bytes 06 8C 00 00, then Logical Maximum 05 8C 00 00 (0x8C05).
    expect(matches(Buffer.concat([bytes('06 00 FF 09 01 A1 01 17 06 8C 00 00 27 05 8C 00 00 75 08 95 01 81 02 C0')]))).toBe(false);
    // A long item (0xFE) whose data holds 05 8C.
    expect(matches(Buffer.concat([bytes('FE 02 10 05 8C'), KEYBOARD]))).toBe(false);
    // A 4-byte extended usage on the Bar Code Scanner page (page in the high 16 bits) is one.
    expect(matches(bytes('06 00 FF 0B 02 00 8C 00 A1 01 C0'))).toBe(true);
    // Truncated or unreadable descriptors match nothing.
    expect(matches(bytes('06 8C'))).toBe(false);
    expect(spawnSync('sh', [HELPER, '/nonexistent/report_descriptor']).status).toBe(1);
  });

  it('opens hidraw nodes through the helper only, with no rule for every HID interface', () => {
    const rules = RULE.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
    expect(rules).toHaveLength(1);
    expect(rules[0]).toContain('SUBSYSTEM=="hidraw"');
    expect(rules[0]).toMatch(/PROGRAM=="\/opt\/Pupitre\/resources\/udev\/pupitre-hidpos-match %S%p\/device\/report_descriptor"/);
    expect(rules[0]).not.toMatch(/bInterfaceClass/);
    expect(statSync(HELPER).mode & 0o111).not.toBe(0);
  });

  it('ships the rule and its helper where the rule looks for it', async () => {
    const config = await builderConfig();
    expect(config.extraResources).toEqual(
      expect.arrayContaining([
        { from: 'build/linux/70-pupitre-scanners.rules', to: 'udev/70-pupitre-scanners.rules' },
        { from: 'build/linux/pupitre-hidpos-match', to: 'udev/pupitre-hidpos-match' },
      ]),
    );
  });
});
