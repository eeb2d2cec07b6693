/**
 * Validation of a CDA document against the official material of the reference folder (ANS
 * TestContenuCDA): the CDA R2 schema with French extensions (`cda/infrastructure/cda/CDA_extended.xsd`,
 * checked in-process by libxml2 compiled to WebAssembly, platform/xml/xsd.ts) and the CI-SIS
 * Schematrons (`cda/schematrons`), compiled with the ISO Schematron skeleton the folder ships
 * (`moteur/`: iso_dsdl_include → iso_abstract_expand → iso_svrl_for_xslt2) and run with Saxon-HE on
 * Java when the machine has it (Debian packages default-jre-headless + libsaxonhe-java: the engine
 * the ANS runs these rules with; compiling the structuration minimale rules takes seconds),
 * otherwise with SaxonJS (`xslt3`, npm), whose compiler needs 10 to 30 minutes for the same 10 MB
 * generated stylesheet. Compiled Schematrons are cached.
 *
 * Security (issue 14 point 1: a parameter entity made `xmllint` print /etc/passwd, an external
 * DTD made Saxon send the database key to a local listener): a document reaches no tool before
 * the safe parser accepted it (no DOCTYPE, no entity, no XInclude, bounded, strict encoding) and
 * its root is a CDA ClinicalDocument; the XSD engine has no file system nor network beyond the
 * schema folder; Saxon on Java runs with its XML parser refusing any DOCTYPE and XInclude off.
 * Outside tools run as child processes (the SaxonJS compiler needs a deeper stack than Node's
 * default; Java needs a larger thread stack for the generated templates).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError } from '../../contract';
import { attr, decodeXmlBytes, el, parseXml, readText, selectElements, serializeXml, xsdValidator } from '../../platform/xml';
import { HL7_NS } from './oids';

/** Schematrons for documents of every profile (CI-SIS structuration minimale and IHE rules). */
export const HEADER_SCHEMATRONS = {
  structurationMinimale: 'profils/structurationMinimale/ASIP-STRUCT-MIN-StrucMin.sch',
  ihe: 'profils/IHE.sch',
} as const;

export type SchematronName = keyof typeof HEADER_SCHEMATRONS;

export interface XsdResult {
  valid: boolean;
  errors: string[];
}

export interface SchematronFailure {
  /** SVRL role ("error", "warning"…), "error" when the rule gives none. */
  role: string;
  /** XPath of the node the rule fired on (element names only: no document content). */
  location: string;
  /** The rule's message (from the Schematron: rule text, never document content). */
  message: string;
}

export interface SchematronResult {
  schema: string;
  valid: boolean;
  /** Rules whose context matched a node of the document (proof that the Schematron looked at it). */
  firedRules: number;
  failures: SchematronFailure[];
}

export interface CdaValidationReport {
  valid: boolean;
  xsd: XsdResult;
  schematrons: SchematronResult[];
}

export interface ValidationOptions {
  /** The official reference folder (holds cda/infrastructure and cda/schematrons). */
  referenceDir: string;
  /** Where compiled Schematrons are kept between runs. */
  cacheDir: string;
  /** Schematrons to run (default: structuration minimale and IHE). */
  schematrons?: readonly SchematronName[];
  /** Called before a Schematron is compiled (slow, once per version). */
  onCompile?: (schema: string) => void;
  /** XSLT engine; `auto` prefers Saxon-HE on Java when installed (see the header). */
  engine?: EngineChoice;
}

export type EngineChoice = 'auto' | 'saxon-java' | 'saxonjs';

/** Where Debian's libsaxonhe-java puts the jar. */
export const DEBIAN_SAXON_JAR = '/usr/share/java/Saxon-HE.jar';

const STACK = '--stack-size=16000';
const MAX_OUTPUT = 256 * 1024 * 1024;

function unavailable(missing: string): AppError {
  return new AppError('CDA_VALIDATION_UNAVAILABLE', { missing });
}

export function cdaSchemaPath(referenceDir: string): string {
  return join(referenceDir, 'cda', 'infrastructure', 'cda', 'CDA_extended.xsd');
}

/** Largest document validation accepts (the DMP's own bound on a document). */
export const MAX_VALIDATED_BYTES = 16 * 1024 * 1024;

/**
 * The gate every document passes before any validation tool sees it: bytes decoded strictly
 * (invalid UTF-8 is refused, never read with replacement characters), the safe parser (no
 * DOCTYPE, no entity, no XInclude, depth and memory bounded), and a CDA root element — an XSL
 * stylesheet holding a CDA as a template, or any other document, is not a CDA and is never
 * « conforme ». Returns the bytes to hand to the tools (UTF-8).
 */
export function admitCdaForValidation(input: string | Uint8Array): Uint8Array {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  if (bytes.byteLength > MAX_VALIDATED_BYTES) throw new AppError('XML_TOO_LARGE', { maxBytes: MAX_VALIDATED_BYTES, size: bytes.byteLength });
  // Decoding first: the tools must read exactly the characters the safe parser read.
  decodeXmlBytes(bytes);
  const root = parseXml(bytes, { maxBytes: MAX_VALIDATED_BYTES }).documentElement;
  if (root === null || root.namespaceURI !== HL7_NS || root.localName !== 'ClinicalDocument') {
    throw new AppError('CDA_NOT_A_DOCUMENT', { root: root === null ? null : `{${root.namespaceURI ?? ''}}${root.localName ?? ''}` });
  }
  return bytes;
}

/**
 * XSD validation (CDA_extended.xsd), in-process (platform/xml/xsd.ts: no child process, no file
 * system nor network for the document). The document must already be admitted.
 */
export async function validateCdaXsd(input: string | Uint8Array, referenceDir: string): Promise<XsdResult> {
  const xsd = cdaSchemaPath(referenceDir);
  if (!existsSync(xsd)) throw unavailable(xsd);
  const bytes = admitCdaForValidation(input);
  const result = (await xsdValidator(xsd)).validate(bytes);
  return { valid: result.valid, errors: result.issues.map((issue) => (issue.line > 0 ? `ligne ${issue.line} : ${issue.message}` : issue.message)) };
}

function xslt3Path(): string {
  try {
    return createRequire(import.meta.url).resolve('xslt3/xslt3.js');
  } catch {
    throw unavailable('xslt3 (SaxonJS, npm)');
  }
}

function runXslt3(args: string[]): void {
  const run = spawnSync(process.execPath, [STACK, xslt3Path(), ...args], { encoding: 'utf8', maxBuffer: MAX_OUTPUT });
  if (run.error !== undefined || run.status !== 0) {
    throw new Error(`xslt3 failed: ${(run.stderr || run.error?.message || '').slice(0, 500)}`);
  }
}

/**
 * Saxon-HE 9.9 options that keep its XML parser from reading anything a document points to: the
 * parser refuses any DOCTYPE (so no DTD, no parameter or external entity is ever loaded — the JDK's
 * javax.xml.accessExternalDTD does not apply, Saxon resolves entities itself) and XInclude is off.
 * The reference material read by the rules (value sets) carries no DOCTYPE.
 */
export const SAXON_SAFE_OPTIONS = ['--parserFeature?uri=http%3A//apache.org/xml/features/disallow-doctype-decl:on', '-xi:off'] as const;

function runSaxonJava(args: string[]): void {
  const run = spawnSync('java', ['-Xss16m', '-cp', DEBIAN_SAXON_JAR, 'net.sf.saxon.Transform', ...SAXON_SAFE_OPTIONS, ...args], { encoding: 'utf8', maxBuffer: MAX_OUTPUT });
  if (run.error !== undefined || run.status !== 0) {
    throw new Error(`Saxon-HE failed: ${(run.stderr || run.error?.message || '').slice(0, 500)}`);
  }
}

let javaSaxonAvailable: boolean | undefined;

/** Saxon-HE on Java is usable: the jar is there and `java` runs. */
export function hasSaxonJava(): boolean {
  javaSaxonAvailable ??= existsSync(DEBIAN_SAXON_JAR) && spawnSync('java', ['-version'], { encoding: 'utf8' }).status === 0;
  return javaSaxonAvailable;
}

/**
 * The two ways of running the skeleton and the generated validators. `prepare` turns a stylesheet
 * into what `apply` runs (SaxonJS: a SEF export; Java: the stylesheet itself, compiled at load);
 * `applyToFolder` transforms every file of a folder in one process (one JVM start, one compile).
 */
interface XsltEngine {
  id: 'saxon-java' | 'saxonjs';
  prepare(xsl: string, target: string): void;
  apply(prepared: string, source: string, output: string): void;
  applyToFolder(prepared: string, sourceDir: string, outputDir: string, names: readonly string[]): void;
}

const saxonJava: XsltEngine = {
  id: 'saxon-java',
  prepare: (xsl, target) => copyFileSync(xsl, target),
  apply: (prepared, source, output) => runSaxonJava([`-xsl:${prepared}`, `-s:${source}`, `-o:${output}`]),
  applyToFolder: (prepared, sourceDir, outputDir) => runSaxonJava([`-xsl:${prepared}`, `-s:${sourceDir}`, `-o:${outputDir}`]),
};

const saxonJs: XsltEngine = {
  id: 'saxonjs',
  prepare: (xsl, target) => runXslt3([`-xsl:${xsl}`, `-export:${target}`, '-nogo']),
  apply: (prepared, source, output) => runXslt3([`-xsl:${prepared}`, `-s:${source}`, `-o:${output}`]),
  applyToFolder: (prepared, sourceDir, outputDir, names) => {
    for (const name of names) runXslt3([`-xsl:${prepared}`, `-s:${join(sourceDir, name)}`, `-o:${join(outputDir, name)}`]);
  },
};

function pickEngine(choice: EngineChoice = 'auto'): XsltEngine {
  if (choice === 'saxonjs') return saxonJs;
  if (choice === 'saxon-java') {
    if (!hasSaxonJava()) throw unavailable('Saxon-HE sur Java (paquets Debian default-jre-headless et libsaxonhe-java)');
    return saxonJava;
  }
  return hasSaxonJava() ? saxonJava : saxonJs;
}

const PREPARED_SUFFIX = { 'saxon-java': '.xsl', saxonjs: '.sef.json' } as const;

/** Runs `body` with a private temporary folder (documents may hold health data), removed after. */
function withTempDir<T>(body: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'pupitre-cda-'));
  try {
    return body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Applies a compiled stylesheet to a file, returning the output text. */
function transform(engine: XsltEngine, prepared: string, source: string, dir: string, name: string): string {
  const output = join(dir, name);
  engine.apply(prepared, source, output);
  return readFileSync(output, 'utf8');
}

function fileKey(path: string): string {
  const stat = statSync(path);
  return createHash('sha256').update(`${path}\n${stat.size}\n${stat.mtimeMs}`).digest('hex').slice(0, 16);
}

/** The skeleton's three steps, prepared once for the engine. */
function skeletonStep(engine: XsltEngine, moteur: string, cacheDir: string, step: string): string {
  const xsl = join(moteur, `${step}.xsl`);
  if (!existsSync(xsl)) throw unavailable(xsl);
  if (engine.id === 'saxon-java') return xsl;
  const prepared = join(cacheDir, `${step}-${fileKey(xsl)}${PREPARED_SUFFIX[engine.id]}`);
  if (!existsSync(prepared)) atomically(prepared, (tmp) => engine.prepare(xsl, tmp));
  return prepared;
}

function atomically(target: string, write: (tmp: string) => void): void {
  const tmp = `${target}.${process.pid}.tmp`;
  write(tmp);
  renameSync(tmp, target);
}

/** Bump when the way the tree is prepared changes (cached trees are then rebuilt). */
const TREE_VERSION = 'v5';

/**
 * The structuration minimale rules (ART-DECOR DTr1 INT) test integers with a pattern that is not a
 * valid XPath regular expression ("+?" quantifies the "^" anchor): Saxon-HE on Java, the ANS
 * engine, hands it to java.util.regex, which reads the second branch as "^\d*$"; SaxonJS refuses
 * it. The copy is given the pattern as Java reads it, so both engines apply the same rule.
 */
const JAVA_ONLY_REGEX = String.raw`'^-?[1-9]\d*$|^+?\d*$'`;
const JAVA_ONLY_REGEX_AS_JAVA_READS_IT = String.raw`'^-?[1-9]\d*$|^\d*$'`;

/**
 * A writable copy of the reference's `cda/schematrons` (with `cda/jeuxDeValeurs` beside it, which
 * the rules read by relative path), repaired for two gaps of the shipped material:
 * - it was written on a case-insensitive file system: an include whose exact name is absent
 *   (IHE.sch includes "E_directiveAnticipee_int.sch", the file is "E_directiveanticipee_int.sch")
 *   gets a copy under the expected name;
 * - an integer pattern only Java's regex engine accepts is given its Java reading (see below);
 * - a value-set file an ART-DECOR rule reads (`include/voc-<OID>-DYNAMIC.xml`) may be missing
 *   (structuration minimale reads voc-1.2.250.1.213.1.1.5.471, JDV_J07, absent from the folder):
 *   it is written from the official SVS file of the same OID in `cda/jeuxDeValeurs`, in the
 *   ART-DECOR form the rules query (valueSets/valueSet/conceptList/concept/@code).
 */
function schematronTree(referenceDir: string, cacheDir: string): string {
  const source = join(referenceDir, 'cda', 'schematrons');
  if (!existsSync(source)) throw unavailable(source);
  const tree = join(cacheDir, `tree-${TREE_VERSION}-${fileKey(source)}`);
  if (existsSync(join(tree, 'schematrons'))) return join(tree, 'schematrons');
  const tmp = `${tree}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  cpSync(source, join(tmp, 'schematrons'), { recursive: true, preserveTimestamps: true });
  const values = join(referenceDir, 'cda', 'jeuxDeValeurs');
  if (existsSync(values)) symlinkSync(values, join(tmp, 'jeuxDeValeurs'), 'dir');
  const svsById = existsSync(values) ? indexSvs(values) : new Map<string, string>();
  for (const file of listFiles(join(tmp, 'schematrons')).filter((f) => f.endsWith('.sch'))) {
    let text = readFileSync(file, 'utf8');
    if (text.includes(JAVA_ONLY_REGEX)) {
      // split/join: the pattern holds "$'", which String.replace would read as a substitution.
      text = text.split(JAVA_ONLY_REGEX).join(JAVA_ONLY_REGEX_AS_JAVA_READS_IT);
      writeFileSync(file, text);
    }
    for (const match of text.matchAll(/<(?:sch:)?include\s+href="([^"]+)"/g)) {
      const target = resolvePath(dirname(file), match[1] ?? '');
      if (existsSync(target) || !isDirectory(dirname(target))) continue;
      const twin = readdirSync(dirname(target)).find((name) => name.toLowerCase() === basename(target).toLowerCase());
      if (twin !== undefined) copyFileSync(join(dirname(target), twin), target);
    }
    for (const match of text.matchAll(/doc\('((?:[^'/]+\/)*voc-([0-9.]+)-DYNAMIC\.xml)'\)/g)) {
      // Included files resolve doc() against the including Schematron: the folder of the file or
      // one above, whichever already holds the other voc-*.xml files.
      const svs = svsById.get(match[2] ?? '');
      const target = [dirname(file), dirname(dirname(file))]
        .map((base) => resolvePath(base, match[1] ?? ''))
        .find((candidate) => isDirectory(dirname(candidate)) && readdirSync(dirname(candidate)).some((n) => /^voc-.*\.xml$/.test(n)));
      if (target === undefined || existsSync(target) || svs === undefined) continue;
      writeFileSync(target, artDecorValueSet(readFileSync(svs)));
    }
  }
  renameSync(tmp, tree);
  return join(tree, 'schematrons');
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

const SVS_NS = { svs: 'urn:ihe:iti:svs:2008' } as const;

/** Value-set OID → SVS file of the reference's jeuxDeValeurs. */
function indexSvs(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.xml'))) {
    // The OID is an attribute of the first element: the head of the file is enough.
    const id = /<ValueSet\b[^>]*\bid="([0-9.]+)"/.exec(readFileSync(join(dir, name), 'utf8').slice(0, 4096))?.[1];
    if (id !== undefined) out.set(id, join(dir, name));
  }
  return out;
}

/** An SVS value set in the ART-DECOR "voc-…-DYNAMIC.xml" shape the generated rules read. */
function artDecorValueSet(svs: Buffer): string {
  const doc = parseXml(svs, { maxBytes: MAX_OUTPUT });
  const valueSet = selectElements(doc, '//svs:ValueSet', SVS_NS)[0];
  if (valueSet === undefined) throw new Error('SVS file without ValueSet');
  const concepts = selectElements(valueSet, './/svs:Concept', SVS_NS).map((c) =>
    el('concept', attr('code', c.getAttribute('code')), attr('codeSystem', c.getAttribute('codeSystem')), attr('displayName', c.getAttribute('displayName'))),
  );
  return serializeXml(
    el('valueSets', el('valueSet', attr('id', valueSet.getAttribute('id')), attr('displayName', valueSet.getAttribute('displayName')), el('conceptList', concepts))),
    { declaration: true },
  );
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/**
 * Compiles a Schematron (path relative to `cda/schematrons`) to a validator for the engine, cached.
 * The generated XSLT gets the Schematron's location as xml:base so that the value-set files it
 * reads by relative path are found.
 */
export function compileSchematron(
  referenceDir: string,
  relativePath: string,
  cacheDir: string,
  onCompile?: (schema: string) => void,
  engineChoice: EngineChoice = 'auto',
): string {
  return compileFor(pickEngine(engineChoice), referenceDir, relativePath, cacheDir, onCompile);
}

function compileFor(engine: XsltEngine, referenceDir: string, relativePath: string, cacheDir: string, onCompile?: (schema: string) => void): string {
  mkdirSync(cacheDir, { recursive: true });
  const tree = schematronTree(referenceDir, cacheDir);
  const schPath = join(tree, relativePath);
  if (!existsSync(schPath)) throw unavailable(relativePath);
  const moteur = join(tree, 'moteur');
  const validator = join(cacheDir, `sch-${TREE_VERSION}-${fileKey(join(referenceDir, 'cda', 'schematrons', relativePath))}${PREPARED_SUFFIX[engine.id]}`);
  if (existsSync(validator)) return validator;
  onCompile?.(relativePath);
  const include = skeletonStep(engine, moteur, cacheDir, 'iso_dsdl_include');
  const expand = skeletonStep(engine, moteur, cacheDir, 'iso_abstract_expand');
  const svrl = skeletonStep(engine, moteur, cacheDir, 'iso_svrl_for_xslt2');
  withTempDir((dir) => {
    transform(engine, include, schPath, dir, 'included.sch');
    transform(engine, expand, join(dir, 'included.sch'), dir, 'expanded.sch');
    const xslt = withBase(transform(engine, svrl, join(dir, 'expanded.sch'), dir, 'generated.xsl'), pathToFileURL(schPath).href);
    const xslPath = join(dir, 'validator.xsl');
    writeFileSync(xslPath, xslt);
    atomically(validator, (tmp) => engine.prepare(xslPath, tmp));
  });
  return validator;
}

/** Sets xml:base on the stylesheet's root element (the generated XSLT's static base URI). */
function withBase(xslt: string, base: string): string {
  const escaped = base.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const replaced = xslt.replace(/<((?:xsl:)?(?:stylesheet|transform))\b/, `<$1 xml:base="${escaped}"`);
  if (replaced === xslt) throw new Error('generated Schematron XSLT has no stylesheet element');
  return replaced;
}

const SVRL = { svrl: 'http://purl.oclc.org/dsdl/svrl' } as const;

/** Parses an SVRL report: failed asserts and successful reports. */
export function readSvrl(svrl: string, schema: string): SchematronResult {
  const doc = parseXml(svrl, { maxBytes: MAX_OUTPUT });
  const failures = selectElements(doc, '//svrl:failed-assert | //svrl:successful-report', SVRL).map((node) => ({
    role: (node.getAttribute('role') || node.getAttribute('flag') || 'error').toLowerCase(),
    location: node.getAttribute('location') ?? '',
    message: (readText(node, 'svrl:text', SVRL) ?? '').replace(/\s+/g, ' ').trim(),
  }));
  const isError = (f: SchematronFailure): boolean => !['warning', 'warn', 'info', 'information', 'avertissement'].includes(f.role);
  const firedRules = selectElements(doc, '//svrl:fired-rule', SVRL).length;
  return { schema, valid: !failures.some(isError), firedRules, failures };
}

/** Runs one Schematron (path relative to `cda/schematrons`, e.g. HEADER_SCHEMATRONS.ihe) on a document. */
export function runSchematron(
  xml: string | Uint8Array,
  referenceDir: string,
  relativePath: string,
  cacheDir: string,
  onCompile?: (schema: string) => void,
  engineChoice: EngineChoice = 'auto',
): SchematronResult {
  const [result] = runSchematronOnMany([xml], referenceDir, relativePath, cacheDir, onCompile, engineChoice);
  if (result === undefined) throw new Error('no Schematron result');
  return result;
}

/**
 * Runs one Schematron on several documents at once: with Saxon-HE on Java, one process loads the
 * validator once for the whole batch (loading the 10 MB structuration minimale validator is most
 * of the cost of a run). Results come back in the order of `xmls`.
 */
export function runSchematronOnMany(
  xmls: ReadonlyArray<string | Uint8Array>,
  referenceDir: string,
  relativePath: string,
  cacheDir: string,
  onCompile?: (schema: string) => void,
  engineChoice: EngineChoice = 'auto',
): SchematronResult[] {
  const admitted = xmls.map((xml) => admitCdaForValidation(xml));
  const engine = pickEngine(engineChoice);
  const validator = compileFor(engine, referenceDir, relativePath, cacheDir, onCompile);
  return withTempDir((dir) => {
    const sources = join(dir, 'documents');
    const reports = join(dir, 'reports');
    mkdirSync(sources, { mode: 0o700 });
    mkdirSync(reports, { mode: 0o700 });
    const names = xmls.map((_, index) => `document-${String(index).padStart(4, '0')}.xml`);
    admitted.forEach((bytes, index) => writeFileSync(join(sources, names[index] as string), bytes, { mode: 0o600 }));
    engine.applyToFolder(validator, sources, reports, names);
    return names.map((name) => readSvrl(readFileSync(join(reports, name), 'utf8'), relativePath));
  });
}

/** The document admitted (see admitCdaForValidation), then the XSD, then each Schematron. */
export async function validateCda(input: string | Uint8Array, options: ValidationOptions): Promise<CdaValidationReport> {
  const bytes = admitCdaForValidation(input);
  const xsd = await validateCdaXsd(bytes, options.referenceDir);
  const names = options.schematrons ?? (Object.keys(HEADER_SCHEMATRONS) as SchematronName[]);
  const schematrons = names.map((name) => runSchematron(bytes, options.referenceDir, HEADER_SCHEMATRONS[name], options.cacheDir, options.onCompile, options.engine));
  return { valid: xsd.valid && schematrons.every((s) => s.valid), xsd, schematrons };
}
