/**
 * The JSONPath subset SSM Automation selectors use: `$`, `.name`, `['name']`,
 * `[n]` and `[*]` (which maps the rest of the path over a list). Returns
 * undefined when the path does not exist.
 */
export function jsonPath(root: unknown, selector: string): unknown {
  const path = selector.trim();
  if (!path.startsWith('$')) throw new Error(`Selector ${selector} must start with $`);
  const tokens: (string | number | '*')[] = [];
  const re = /\.([A-Za-z0-9_-]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]|\[\*\]|\.\*/gy;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const start = re.lastIndex;
    const m = re.exec(path);
    if (!m)
      throw new Error(
        `Selector ${selector}: cannot read it from position ${start} (supported: .name, [n], ['name'], [*])`,
      );
    if (m[1] !== undefined) tokens.push(m[1]);
    else if (m[2] !== undefined) tokens.push(Number(m[2]));
    else if (m[3] !== undefined) tokens.push(m[3]);
    else if (m[4] !== undefined) tokens.push(m[4]);
    else tokens.push('*');
  }
  const walk = (value: unknown, i: number): unknown => {
    if (i === tokens.length) return value;
    if (value === null || value === undefined) return undefined;
    const token = tokens[i];
    if (token === '*') {
      const items = Array.isArray(value)
        ? value
        : typeof value === 'object'
          ? Object.values(value)
          : undefined;
      return items?.map((v) => walk(v, i + 1)).filter((v) => v !== undefined);
    }
    if (typeof token === 'number') return Array.isArray(value) ? walk(value[token], i + 1) : undefined;
    return typeof value === 'object' ? walk((value as Record<string, unknown>)[token], i + 1) : undefined;
  };
  return walk(root, 0);
}
