/**
 * A1 notation as the fake Sheets server understands it: `Sheet1!A1:C3`,
 * `'My Sheet'!A:B`, `A1:B2` (first sheet), `Sheet1` (whole sheet), `2:4`.
 * What Google would refuse ("Unable to parse range") returns undefined.
 */
export interface GridRange {
  sheet: string;
  /** Zero-based, inclusive; undefined = open towards the end of the sheet. */
  startRow: number;
  startCol: number;
  endRow: number | undefined;
  endCol: number | undefined;
}

const CELL = /^([A-Z]{1,3})?(\d{1,7})?$/;

export function columnNumber(letters: string): number {
  let n = 0;
  for (const c of letters) n = n * 26 + (c.charCodeAt(0) - 64);
  return n - 1;
}

export function columnLetters(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    out = String.fromCharCode(65 + rem) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

export function quoteSheet(title: string): string {
  return /^[A-Za-z0-9_]+$/.test(title) ? title : `'${title.replace(/'/g, "''")}'`;
}

function splitSheet(range: string): [string | undefined, string] {
  if (range.startsWith("'")) {
    const close = range.indexOf("'!", 1);
    if (close < 0) return [range.slice(1, -1).replace(/''/g, "'"), ''];
    return [range.slice(1, close).replace(/''/g, "'"), range.slice(close + 2)];
  }
  const bang = range.lastIndexOf('!');
  return bang < 0 ? [undefined, range] : [range.slice(0, bang), range.slice(bang + 1)];
}

function corner(text: string): { row?: number; col?: number } | undefined {
  const m = CELL.exec(text.toUpperCase());
  if (!m || (m[1] === undefined && m[2] === undefined)) return undefined;
  const row = m[2] === undefined ? undefined : Number(m[2]) - 1;
  if (row !== undefined && row < 0) return undefined;
  return { col: m[1] === undefined ? undefined : columnNumber(m[1]), row };
}

export function parseA1(range: string, sheetTitles: readonly string[]): GridRange | undefined {
  const first = sheetTitles[0];
  if (first === undefined) return undefined;
  let [sheet, cells] = splitSheet(range);
  if (sheet === undefined && sheetTitles.includes(cells)) [sheet, cells] = [cells, ''];
  const title = sheet ?? first;
  if (!sheetTitles.includes(title)) return undefined;
  if (cells === '') return { sheet: title, startRow: 0, startCol: 0, endRow: undefined, endCol: undefined };
  const [a, b, extra] = cells.split(':');
  if (a === undefined || extra !== undefined) return undefined;
  const start = corner(a);
  const end = b === undefined ? start : corner(b);
  if (!start || !end) return undefined;
  return {
    sheet: title,
    startRow: start.row ?? 0,
    startCol: start.col ?? 0,
    endRow: end.row,
    endCol: end.col,
  };
}

export function formatA1(
  sheet: string,
  startRow: number,
  startCol: number,
  endRow: number,
  endCol: number,
): string {
  return `${quoteSheet(sheet)}!${columnLetters(startCol)}${startRow + 1}:${columnLetters(endCol)}${endRow + 1}`;
}
