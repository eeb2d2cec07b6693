import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { currentProcessIdentity, identityOf, livenessOf } from '.';

describe('process identity', () => {
  it('says this process is alive', () => {
    expect(livenessOf(currentProcessIdentity())).toBe('alive');
  });

  it('says a killed child is dead, and a running one alive', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('spawn', resolve));
    const identity = identityOf(child.pid as number);
    expect(livenessOf(identity)).toBe('alive');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(livenessOf(identity)).toBe('dead');
  });

  it('says a reused pid is dead when its start time differs', () => {
    if (process.platform !== 'linux') return;
    const self = currentProcessIdentity();
    expect(livenessOf({ ...self, start: String(Number(self.start) - 1) })).toBe('dead');
  });

  it('says dead after a reboot and unknown for another machine', () => {
    const self = currentProcessIdentity();
    expect(livenessOf({ ...self, boot: 'another-boot' })).toBe('dead');
    expect(livenessOf({ ...self, host: 'autre-poste' })).toBe('unknown');
  });
});
