import Table from 'cli-table3';

export interface TableOptions {
  /** Per column; numbers read best aligned right. */
  align?: Array<'left' | 'right'>;
  /** cli-table3's colours (red heads, grey borders): only for a terminal. */
  colour?: boolean;
}

/** A plain table for listings (cli-table3), without colours unless asked, so it pipes cleanly. */
export function renderTable(
  head: string[],
  rows: Array<Array<string | number | null | undefined>>,
  options: TableOptions = {},
): string {
  const table = new Table({
    head,
    style: options.colour ? {} : { head: [], border: [] },
    ...(options.align ? { colAligns: options.align } : {}),
  });
  for (const row of rows)
    table.push(row.map((cell) => (cell === null || cell === undefined ? '' : String(cell))));
  return table.toString();
}
