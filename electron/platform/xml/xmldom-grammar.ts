/**
 * @xmldom/xmldom 0.9 builds a new Unicode regular expression for every end tag it reads
 * (`sax.js`: `g.reg('^', g.QName_group, g.S_OPT, '$')`, joining the source of XML's name grammar
 * and compiling it): about 1 ms of a 24 KB ITI-41 envelope's 3 ms, and the regression upstream
 * knows of (xmldom/xmldom#950, "improve parser performance", no fix planned). `reg` is a pure
 * function of its parts and its expressions carry no `g`/`y` flag (no `lastIndex` state), so the
 * same expression can be handed out again: this memoises it for parts that are strings or the
 * grammar's own expressions (anything else is built as before, so the memory stays bounded).
 * The parser reads `g.reg` from the module object at each call, hence the assignment.
 */
import grammar from '@xmldom/xmldom/lib/grammar.js';

interface Memo {
  next: Map<string | RegExp, Memo>;
  value?: RegExp;
}

const build = grammar.reg;
const constants = new Set<unknown>(Object.values(grammar).filter((v) => v instanceof RegExp));
const root: Memo = { next: new Map() };

if (!(build as { memoised?: boolean }).memoised) {
  const memoised = function (this: unknown, ...parts: Array<string | RegExp>): RegExp {
    let memo = root;
    for (const part of parts) {
      if (typeof part !== 'string' && !constants.has(part)) return build.apply(this, parts);
      let next = memo.next.get(part);
      if (next === undefined) {
        next = { next: new Map() };
        memo.next.set(part, next);
      }
      memo = next;
    }
    memo.value ??= build.apply(this, parts);
    return memo.value;
  };
  grammar.reg = Object.assign(memoised, { memoised: true });
}
