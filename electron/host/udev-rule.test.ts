/**
 * The udev rule shipped in build/udev opens HID-POS scanners (usage page 0x8C) to the desk user and
 * nothing else: its helper walks the HID report descriptor the way the HID 1.11 specification
 * defines items. Run on fake sysfs trees with real descriptor shapes.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../fixtures/testing/tier';

const HELPER = join(projectRoot, 'build', 'udev', 'pupitre-hidpos-check');
const RULE = join(projectRoot, 'build', 'udev', '70-pupitre-hidpos.rules');

/** A sysfs-like hidraw node whose HID device has `descriptor` as report_descriptor. */
function hidrawNode(descriptor: number[]): string {
  const root = mkdtempSync(join(tmpdir(), 'pupitre-udev-'));
  const device = join(root, 'device');
  mkdirSync(device, { recursive: true });
  writeFileSync(join(device, 'report_descriptor'), Buffer.from(descriptor));
  return root;
}

const matches = (path: string): boolean => spawnSync('sh', [HELPER, path]).status === 0;

// Usage Page (0x8C), Usage (Bar Code Scanner), Collection (Application), Report ID 2 … End Collection.
const HID_POS = [0x05, 0x8c, 0x09, 0x02, 0xa1, 0x01, 0x85, 0x02, 0x15, 0x00, 0x26, 0xff, 0x00, 0x75, 0x08, 0x95, 0x3f, 0x09, 0xfe, 0x81, 0x02, 0xc0];
// Same with a 2-byte Usage Page item (06 8C 00), as many scanners write it.
const HID_POS_WIDE = [0x06, 0x8c, 0x00, 0x09, 0x02, 0xa1, 0x01, 0xc0];
// Boot keyboard: Usage Page (Generic Desktop), Usage (Keyboard) … whose Logical Maximum is 0x8C.
const KEYBOARD = [0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x05, 0x07, 0x19, 0xe0, 0x29, 0xe7, 0x15, 0x00, 0x25, 0x8c, 0x75, 0x01, 0x95, 0x08, 0x81, 0x02, 0xc0];
// Vendor page with a long item carrying 0x05 0x8C as data, before the real content.
const LONG_ITEM = [0x06, 0x00, 0xff, 0xfe, 0x02, 0x10, 0x05, 0x8c, 0x09, 0x01, 0xa1, 0x01, 0xc0];
// Extended usage: Local Usage with 4 bytes, page 0x008C in the high half (HID 1.11 §6.2.2.8).
const EXTENDED_USAGE = [0x05, 0x01, 0x0b, 0x02, 0x00, 0x8c, 0x00, 0xa1, 0x01, 0xc0];

describe('udev helper: only HID-POS scanners', () => {
  it('is executable and called by the rule through %S%p, for hidraw only', () => {
    expect(statSync(HELPER).mode & 0o111).not.toBe(0);
    const rule = readFileSync(RULE, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(rule).toEqual(['SUBSYSTEM=="hidraw", ACTION=="add|change", PROGRAM="pupitre-hidpos-check %S%p", MODE="0660", GROUP="plugdev", TAG+="uaccess"']);
  });

  it('matches a scanner declaring usage page 0x8C, in the short and the two-byte form', () => {
    expect(matches(hidrawNode(HID_POS))).toBe(true);
    expect(matches(hidrawNode(HID_POS_WIDE))).toBe(true);
    expect(matches(hidrawNode(EXTENDED_USAGE))).toBe(true);
  });

  it('does not match a keyboard, even with a 0x8C data byte, nor 0x8C inside a long item', () => {
    expect(matches(hidrawNode(KEYBOARD))).toBe(false);
    expect(matches(hidrawNode(LONG_ITEM))).toBe(false);
  });

  it('fails on a missing, empty or truncated descriptor', () => {
    expect(matches(join(tmpdir(), 'pupitre-udev-nothing-here'))).toBe(false);
    expect(spawnSync('sh', [HELPER]).status).not.toBe(0);
    expect(matches(hidrawNode([]))).toBe(false);
    expect(matches(hidrawNode([0x06, 0x8c]))).toBe(false);
  });
});
