#!/usr/bin/env node
// Generates electron/services/cda/value-sets/*.json from the official CI-SIS value sets (SVS XML,
// IHE ITI-48 RetrieveValueSetResponse) shipped in the reference folder (ANS TestContenuCDA,
// jeuxDeValeurs/). The JSON is committed: it is data the project derives, with its source file
// name, OID and version, and only the value sets the CDA service needs.
//
//   node scripts/generate-value-sets.mjs [--check] [REFERENCE_DIR]
//
// --check compares the committed JSON with what the reference folder gives (exit 1 if they differ).
//
// REFERENCE_DIR defaults to $PUPITRE_REFERENCE_DIR, then ../shared/reference beside the checkout.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOMParser } from '@xmldom/xmldom';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'electron', 'services', 'cda', 'value-sets');
const SVS_NS = 'urn:ihe:iti:svs:2008';

/** The value sets the code needs: output name → source file. */
export const VALUE_SETS = {
  // XDS typeCode (CI-SIS): the document types offered when sending to the DMP.
  'JDV_J07_XdsTypeCode_CISIS': 'JDV_J07_XdsTypeCode_CISIS.xml',
  // XDS healthcareFacilityTypeCode (from encompassingEncounter/location/healthCareFacility/code).
  'JDV_J02_XdsHealthcareFacilityTypeCode_CISIS': 'JDV_J02_XdsHealthcareFacilityTypeCode_CISIS.xml',
  // XDS practiceSettingCode (from serviceEvent/performer/.../standardIndustryClassCode).
  'JDV_J04_XdsPracticeSettingCode_CISIS': 'JDV_J04_XdsPracticeSettingCode_CISIS.xml',
  // XDS authorSpecialty (profession/specialty codes G15_xx/SMyy of assignedAuthor/code).
  'JDV_J01_XdsAuthorSpecialty_CISIS': 'JDV_J01_XdsAuthorSpecialty_CISIS.xml',
  // XDS confidentialityCode: N/R/V + MASQUE_PS, INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS_LEGAUX.
  'JDV_J08_XdsConfidentialityCode_CISIS': 'JDV_J08_XdsConfidentialityCode_CISIS.xml',
  // EDQM routes of administration (eP-MED-DM / eDISP-MED routeCode).
  'JDV_RouteofAdministration_CISIS': 'JDV_RouteofAdministration_CISIS.xml',
  // Substitution permission / act (eP-MED-DM FR-Autorisation-Substitution, eDISP-MED FR-Acte-substitution).
  'JDV_HL7_ActSubstanceAdminSubstitutionCode_CISIS': 'JDV_HL7_ActSubstanceAdminSubstitutionCode_CISIS.xml',
};

function referenceDir(args) {
  const candidates = [args[0], process.env.PUPITRE_REFERENCE_DIR, join(ROOT, '..', 'shared', 'reference')];
  for (const candidate of candidates) if (candidate && existsSync(join(candidate, 'cda', 'jeuxDeValeurs'))) return candidate;
  return null;
}

function elementsNS(node, local) {
  return Array.from(node.getElementsByTagNameNS(SVS_NS, local));
}

/** Reads one SVS file into { oid, name, description, version, ... , concepts }. */
export function readSvs(xml, fileName) {
  if (/<!DOCTYPE/i.test(xml)) throw new Error(`${fileName}: DOCTYPE refused`);
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const valueSet = elementsNS(doc, 'ValueSet')[0];
  if (valueSet === undefined) throw new Error(`${fileName}: no svs:ValueSet`);
  const concepts = elementsNS(valueSet, 'Concept').map((c) => ({
    code: c.getAttribute('code') ?? '',
    codeSystem: c.getAttribute('codeSystem') ?? '',
    displayName: c.getAttribute('displayName') ?? '',
  }));
  if (concepts.length === 0 || concepts.some((c) => c.code === '' || c.codeSystem === '')) {
    throw new Error(`${fileName}: empty value set or concept without code/codeSystem`);
  }
  return {
    source: fileName,
    url: valueSet.getAttribute('urlFichier') ?? '',
    oid: valueSet.getAttribute('id') ?? '',
    description: valueSet.getAttribute('description') ?? '',
    // SVS "revisionDate" is the version of the value set (NOS publishes dateMaj as the same instant).
    version: valueSet.getAttribute('revisionDate') ?? valueSet.getAttribute('dateMaj') ?? '',
    concepts,
  };
}

function main(argv) {
  const check = argv.includes('--check');
  const reference = referenceDir(argv.slice(2).filter((a) => a !== '--check'));
  if (reference === null) {
    process.stderr.write('Dossier de référence introuvable (PUPITRE_REFERENCE_DIR ou ../shared/reference).\n');
    return 1;
  }
  mkdirSync(OUT, { recursive: true });
  let differences = 0;
  for (const [name, file] of Object.entries(VALUE_SETS)) {
    const path = join(reference, 'cda', 'jeuxDeValeurs', file);
    const data = readSvs(readFileSync(path, 'utf8'), basename(path));
    const json = `${JSON.stringify(data, null, 2)}\n`;
    const target = join(OUT, `${name}.json`);
    if (check) {
      const same = existsSync(target) && readFileSync(target, 'utf8') === json;
      if (!same) differences += 1;
      process.stdout.write(`${name}: ${same ? 'à jour' : 'DIFFÉRENT — relancer le script'}\n`);
      continue;
    }
    writeFileSync(target, json);
    process.stdout.write(`${name}: ${data.concepts.length} concepts, version ${data.version}\n`);
  }
  return differences === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv);
}
