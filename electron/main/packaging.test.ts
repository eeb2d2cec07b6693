/**
 * Issue 14, point 8: the packaged app is sealed. electron-builder's own loader reads
 * electron-builder.yml, its schema validates it, and its fuse step maps it onto the Electron fuse
 * wire: the test checks what electron-builder will actually flip, not just the YAML text.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
  // What the rule matches is tested in electron/host/udev-rule.test.ts; here: that the package ships it.
  it('ships the rule and its helper where after-install.sh takes them', async () => {
    const config = await builderConfig();
    expect(config.extraResources).toEqual(expect.arrayContaining([{ from: 'build/udev', to: 'udev' }]));
    const afterInstall = readFileSync(join(projectRoot, 'build', 'linux', 'after-install.sh'), 'utf8');
    expect(afterInstall).toContain('/opt/Pupitre/resources/udev');
    expect(afterInstall).toContain('70-pupitre-hidpos.rules');
    expect(afterInstall).toContain('pupitre-hidpos-check');
  });
});
