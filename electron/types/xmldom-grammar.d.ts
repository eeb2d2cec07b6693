// @xmldom/xmldom's grammar module (CommonJS, no types of its own): only what xml/xmldom-grammar.ts uses.
declare module '@xmldom/xmldom/lib/grammar.js' {
  const grammar: { reg: (...parts: Array<string | RegExp>) => RegExp; [name: string]: unknown };
  export default grammar;
}
