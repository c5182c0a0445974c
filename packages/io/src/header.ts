// The .npy header is the repr of a Python dict, e.g.
//   {'descr': '<f4', 'fortran_order': False, 'shape': (1009, 512), }
// This is a parser for the Python literal subset such headers use (dicts, tuples, lists, strings,
// integers, True/False/None), so a header is read without anything like eval.

/** A Python tuple, kept apart from lists: NumPy requires `shape` to be a tuple. */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

export type PyValue = string | number | boolean | null | PyTuple | PyValue[] | Map<string, PyValue>;

/** Parses `text` as one Python literal; throws a plain Error whose message says where it failed. */
export const parsePyLiteral = (text: string): PyValue => {
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at character ${i} of the header ${JSON.stringify(text.trim())}`);
  };
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const expect = (ch: string) => {
    skipSpace();
    if (text[i] !== ch) fail(`expected '${ch}'`);
    i++;
  };

  // Items up to `close`, separated by commas, an optional trailing comma allowed. Returns whether
  // any comma was seen (to tell `(1)`, an int, from `(1,)`, a tuple).
  const sequence = <T>(close: string, item: () => T): { items: T[]; comma: boolean } => {
    const items: T[] = [];
    let comma = false;
    for (;;) {
      skipSpace();
      if (text[i] === close) {
        i++;
        return { items, comma };
      }
      items.push(item());
      skipSpace();
      if (text[i] === ',') {
        comma = true;
        i++;
      } else if (text[i] !== close) {
        fail(`expected ',' or '${close}'`);
      }
    }
  };

  const str = (): string => {
    const quote = text[i]!;
    i++;
    let out = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const ch = text[i]!;
      i++;
      if (ch === quote) return out;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const esc = text[i];
      i++;
      const simple: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', '0': '\0' };
      if (esc !== undefined && esc in simple) out += simple[esc];
      else if (esc === 'x' || esc === 'u' || esc === 'U') {
        const n = esc === 'x' ? 2 : esc === 'u' ? 4 : 8;
        const hex = text.slice(i, i + n);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) fail(`bad \\${esc} escape`);
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff) fail(`bad \\${esc} escape`);
        out += String.fromCodePoint(cp);
        i += n;
      } else fail('unsupported escape in string');
    }
  };

  const value = (): PyValue => {
    skipSpace();
    const ch = text[i];
    if (ch === undefined) return fail('unexpected end');
    if (ch === '{') {
      i++;
      const entries = sequence('}', () => {
        skipSpace();
        const k = value();
        if (typeof k !== 'string') fail('dict key is not a string');
        expect(':');
        return [k as string, value()] as const;
      }).items;
      const map = new Map<string, PyValue>();
      for (const [k, v] of entries) {
        if (map.has(k)) fail(`duplicate key '${k}'`);
        map.set(k, v);
      }
      return map;
    }
    if (ch === '(') {
      i++;
      const { items, comma } = sequence(')', value);
      // `(x)` is just x in Python; `()` and `(x,)` are tuples.
      return items.length === 1 && !comma ? items[0]! : new PyTuple(items);
    }
    if (ch === '[') {
      i++;
      return sequence(']', value).items;
    }
    if (ch === "'" || ch === '"') return str();
    const m = /^(?:(-?\d+)L?|True|False|None)(?![\w.])/.exec(text.slice(i));
    if (m) {
      i += m[0].length;
      if (m[1] !== undefined) {
        const n = Number(m[1]);
        if (!Number.isSafeInteger(n)) fail(`integer ${m[1]} is too large`);
        return n;
      }
      return m[0] === 'True' ? true : m[0] === 'False' ? false : null;
    }
    return fail('unexpected character');
  };

  const v = value();
  skipSpace();
  if (i !== text.length) fail('unexpected text after the literal');
  return v;
};

/** Python's repr of a value as it appears in a header (for error messages). */
export const pyRepr = (v: PyValue): string => {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null) return 'None';
  if (v instanceof PyTuple) return v.items.length === 1 ? `(${pyRepr(v.items[0]!)},)` : `(${v.items.map(pyRepr).join(', ')})`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return `{${[...v].map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
};

/** NumPy's spare room after the header dict, so `shape[0]` can grow in place (GROWTH_AXIS_MAX_DIGITS). */
const GROWTH_AXIS_MAX_DIGITS = 21;

/**
 * The header dict exactly as `numpy.save` writes it for a C-order array (keys sorted, the tuple
 * repr of the shape, spare spaces for the first axis to grow).
 */
export const formatHeaderDict = (descr: string, shape: readonly number[]): string => {
  const shapeRepr = pyRepr(new PyTuple([...shape]));
  const spare = shape.length > 0 ? Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length) : 0;
  return `{'descr': ${pyRepr(descr)}, 'fortran_order': False, 'shape': ${shapeRepr}, }` + ' '.repeat(spare);
};
