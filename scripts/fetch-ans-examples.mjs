#!/usr/bin/env node
// Puts the official CI-SIS eP-MED-DM and eDISP-MED example documents of the ANS (GitHub
// ansforge/TestContenuCDA-3-0, ExemplesCDA/) in a local cache, for the conformance tests that
// check that `eprescription read` understands documents written by other software. The files are
// used where they are, by reference: they are never copied into the project (the repository states
// no licence). Each file is checked against its SHA-256.
//
//   node scripts/fetch-ans-examples.mjs [--git CLONE_DIR] [--dir TARGET_DIR]
//
// Default target: $PUPITRE_ANS_EXAMPLES_DIR, or ~/.cache/pupitre/ans-examples. With --git, the files
// are read from a local clone or mirror of the repository (git show COMMIT:path), otherwise
// downloaded from raw.githubusercontent.com at the pinned commit.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const ANS_REPOSITORY = 'ansforge/TestContenuCDA-3-0';
export const ANS_COMMIT = '7cd489b39368809df9bcf2cfef5e5d6354438a02';
export const ANS_EXAMPLES = {
  'eP-MED-DM_2024.01_PosoStruct.xml': '656d642d639882ac4bb4b0910a226ade18030965de15ada5eb3d1677b3a68c7d',
  'eP-MED-DM_2024.01_PosoNonStruct.xml': '10cd5339c3337a3a4ad0bdd1d5e08c3dccec925fc32c99ea56ccd08bc8f05178',
  'eP-MED-DM_2023.01_PosoStruct.xml': 'ebf9acc0b7f992dfd3edf5d0808636fe274be979ccfd56e89b3bff47f1231f0f',
  'eP-MED-DM_2023.01_PosoNonStruct.xml': 'd0f35626b474ac46e993a058d90d7ecb08fef4b5079ec760a0417bd2a414e88e',
  'eP-MED-DM_2022.01_PosoStruct.xml': '72a94175f831ebcd6e9330d56bd147ffc36cc43dc2aefccc86e7b965bf8d4244',
  'eP-MED-DM_2022.01_PosoNonStruct.xml': '26e5be6ccb427ecdf06ffea2cedd79be1cd063212bbd5c7b744f54dc3716da41',
  'eDISP-MED_2024.01.xml': '0da7cc258cde1cec9fc683dc9ca916b66ea8d3f3fcdb0459cf87961d2f3cf0bf',
};

export function defaultExamplesDir() {
  return process.env.PUPITRE_ANS_EXAMPLES_DIR || join(homedir(), '.cache', 'pupitre', 'ans-examples');
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

async function main(argv) {
  const flag = (name) => {
    const index = argv.indexOf(`--${name}`);
    return index < 0 ? undefined : argv[index + 1];
  };
  const target = flag('dir') ?? defaultExamplesDir();
  const clone = flag('git');
  mkdirSync(target, { recursive: true });
  let failures = 0;
  for (const [name, expected] of Object.entries(ANS_EXAMPLES)) {
    const path = join(target, name);
    if (existsSync(path) && sha256(readFileSync(path)) === expected) {
      process.stdout.write(`${name}: déjà présent\n`);
      continue;
    }
    let bytes;
    try {
      if (clone !== undefined) bytes = execFileSync('git', ['-C', clone, 'show', `${ANS_COMMIT}:ExemplesCDA/${name}`], { maxBuffer: 64 * 1024 * 1024 });
      else {
        const response = await fetch(`https://raw.githubusercontent.com/${ANS_REPOSITORY}/${ANS_COMMIT}/ExemplesCDA/${name}`);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        bytes = Buffer.from(await response.arrayBuffer());
      }
    } catch (error) {
      failures += 1;
      process.stderr.write(`${name}: non récupéré (${error instanceof Error ? error.message.split('\n')[0] : String(error)})\n`);
      continue;
    }
    if (sha256(bytes) !== expected) {
      failures += 1;
      process.stderr.write(`${name}: empreinte SHA-256 inattendue, fichier ignoré\n`);
      continue;
    }
    writeFileSync(`${path}.tmp`, bytes);
    renameSync(`${path}.tmp`, path);
    process.stdout.write(`${name}: récupéré\n`);
  }
  return failures === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exitCode = await main(process.argv.slice(2));
}
