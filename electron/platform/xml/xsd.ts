/**
 * XML Schema validation in-process, with libxml2 compiled to WebAssembly (npm libxml2-wasm).
 *
 * Why not `xmllint` as a child process any more (issue 14 point 1, STYLE.md « XSD and Schematron »):
 * - isolation by construction: the WebAssembly module has no file system and no network of its
 *   own; it reads only what the input provider below hands it, which is the schema's own folder —
 *   so a document can never make it read `/etc/passwd` or the database key, nor reach a server,
 *   whatever it declares (and documents reach it only after the safe parser refused DOCTYPEs);
 * - speed: the schema is compiled once per process, where `xmllint --schema` recompiled
 *   CDA_extended.xsd for every document (measured on the official CDA examples: ~115 ms per
 *   document with xmllint, 1.5 to 20 ms in-process; bench/xml-parsing.bench.ts);
 * - no system package: `xmllint` (libxml2-utils) is absent from Windows and macOS desks;
 * - no pipe to break: a document is handed over in memory (xmllint stopping early made the write
 *   fail with EPIPE, which used to be reported as "xmllint missing").
 * Parsing options: no entity substitution (no XML_PARSE_NOENT), no DTD loading, no network
 * (XML_PARSE_NONET), no external entity (XML_PARSE_NO_XXE).
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Libxml2Module from 'libxml2-wasm';

type Libxml2 = typeof Libxml2Module;

let library: Promise<Libxml2> | null = null;
/** Folders the input provider may read (the folders of compiled schemas). */
const allowedFolders = new Set<string>();

function pathOf(name: string): string | null {
  try {
    if (name.startsWith('file:')) return fileURLToPath(name);
    if (/^[a-z][a-z0-9+.-]*:/i.test(name) && !/^[a-z]:[\\/]/i.test(name)) return null; // http:, ftp:…
    return resolve(name);
  } catch {
    return null;
  }
}

function allowed(name: string): string | null {
  const path = pathOf(name);
  if (path === null) return null;
  for (const folder of allowedFolders) if (path.startsWith(folder + sep)) return path;
  return null;
}

async function load(): Promise<Libxml2> {
  library ??= import('libxml2-wasm').then((lib) => {
    lib.xmlRegisterInputProvider({
      match: (name) => allowed(name) !== null,
      open: (name) => {
        const path = allowed(name);
        if (path === null) return undefined;
        try {
          return openSync(path, 'r');
        } catch {
          return undefined;
        }
      },
      read: (fd, buffer) => {
        try {
          return readSync(fd, buffer, 0, buffer.byteLength, null);
        } catch {
          return -1;
        }
      },
      close: (fd) => {
        try {
          closeSync(fd);
          return true;
        } catch {
          return false;
        }
      },
    });
    return lib;
  });
  return library;
}

export interface XsdIssue {
  line: number;
  /** libxml2's message (element and type names; for a bad value, the value: the caller's own document). */
  message: string;
}

export interface XsdValidation {
  valid: boolean;
  issues: XsdIssue[];
}

export interface XsdValidator {
  /** Validates a document the safe parser has already accepted (bytes as received). */
  validate(document: Uint8Array): XsdValidation;
}

const compiled = new Map<string, Promise<XsdValidator>>();

/**
 * A validator for the schema at `schemaPath` (its includes and imports are read from its folder
 * and below, nothing else), compiled once per process.
 */
export function xsdValidator(schemaPath: string): Promise<XsdValidator> {
  const path = resolve(schemaPath);
  let validator = compiled.get(path);
  if (validator === undefined) {
    validator = compile(path);
    compiled.set(path, validator);
    validator.catch(() => compiled.delete(path));
  }
  return validator;
}

async function compile(schemaPath: string): Promise<XsdValidator> {
  const lib = await load();
  allowedFolders.add(dirname(schemaPath));
  const { ParseOption, XmlDocument, XsdValidator: LibXsdValidator, XmlLibError } = lib;
  const options = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE;
  const schemaDocument = XmlDocument.fromBuffer(readFileSync(schemaPath), { url: schemaPath, option: options });
  const schema = LibXsdValidator.fromDoc(schemaDocument);
  schemaDocument.dispose();
  const issues = (error: unknown): XsdIssue[] =>
    error instanceof XmlLibError
      ? error.details.filter((d) => d.level >= 2).map((d) => ({ line: d.line, message: d.message.trim() }))
      : [{ line: 0, message: error instanceof Error ? error.message : String(error) }];
  return {
    validate(document) {
      let parsed;
      try {
        parsed = XmlDocument.fromBuffer(document, { option: options });
      } catch (error) {
        return { valid: false, issues: issues(error) };
      }
      try {
        schema.validate(parsed);
        return { valid: true, issues: [] };
      } catch (error) {
        return { valid: false, issues: issues(error) };
      } finally {
        parsed.dispose();
      }
    },
  };
}
