/**
 * The fake's data: spreadsheets of sheets of cells, and the Sheets v4 semantics
 * the adapter relies on: reads trim trailing empty rows and cells and omit
 * `values` when nothing is there; FORMATTED_VALUE renders numbers and booleans
 * as strings; USER_ENTERED turns numeric text into numbers; append writes after
 * the last row holding data in the range's columns.
 */
import { formatA1, parseA1, type GridRange } from './a1.js';

export type Cell = string | number | boolean | null;

export interface Sheet {
  sheetId: number;
  title: string;
  rowCount: number;
  columnCount: number;
  rows: Cell[][];
}

export interface Spreadsheet {
  spreadsheetId: string;
  title: string;
  sheets: Sheet[];
}

export class BadRange extends Error {}

function render(cell: Cell, option: string): Cell {
  if (option !== 'FORMATTED_VALUE') return cell;
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  return typeof cell === 'number' ? String(cell) : cell;
}

function parseInput(cell: Cell, option: string): Cell {
  if (option !== 'USER_ENTERED' || typeof cell !== 'string') return cell;
  if (/^-?\d+(\.\d+)?$/.test(cell)) return Number(cell);
  if (/^(true|false)$/i.test(cell)) return cell.toUpperCase() === 'TRUE';
  return cell;
}

export function newSpreadsheet(
  spreadsheetId: string,
  title: string,
  sheetTitles: string[] = ['Sheet1'],
): Spreadsheet {
  return {
    spreadsheetId,
    title,
    sheets: sheetTitles.map((t, i) => ({
      sheetId: i * 1000,
      title: t,
      rowCount: 1000,
      columnCount: 26,
      rows: [],
    })),
  };
}

function locate(book: Spreadsheet, range: string): [Sheet, GridRange] {
  const grid = parseA1(
    range,
    book.sheets.map((s) => s.title),
  );
  const sheet = grid && book.sheets.find((s) => s.title === grid.sheet);
  if (!grid || !sheet) throw new BadRange(`Unable to parse range: ${range}`);
  return [sheet, grid];
}

function isEmpty(cell: Cell | undefined): boolean {
  return cell === undefined || cell === null || cell === '';
}

export function readRange(book: Spreadsheet, range: string, renderOption: string) {
  const [sheet, grid] = locate(book, range);
  const endRow = grid.endRow ?? sheet.rowCount - 1;
  const endCol = grid.endCol ?? sheet.columnCount - 1;
  const values: Cell[][] = [];
  for (let r = grid.startRow; r <= endRow; r++) {
    const row = (sheet.rows[r] ?? [])
      .slice(grid.startCol, endCol + 1)
      .map((c) => render(c ?? '', renderOption));
    while (row.length > 0 && isEmpty(row[row.length - 1])) row.pop();
    values.push(row);
  }
  while (values.length > 0 && values[values.length - 1]?.length === 0) values.pop();
  const body: { range: string; majorDimension: string; values?: Cell[][] } = {
    range: formatA1(sheet.title, grid.startRow, grid.startCol, endRow, endCol),
    majorDimension: 'ROWS',
  };
  if (values.length > 0) body.values = values;
  return body;
}

function writeBlock(sheet: Sheet, top: number, left: number, values: Cell[][], inputOption: string) {
  let width = 0;
  values.forEach((row, i) => {
    const target = (sheet.rows[top + i] ??= []);
    row.forEach((cell, j) => {
      target[left + j] = parseInput(cell, inputOption);
    });
    width = Math.max(width, row.length);
  });
  sheet.rowCount = Math.max(sheet.rowCount, top + values.length);
  sheet.columnCount = Math.max(sheet.columnCount, left + width);
  return {
    updatedRange: formatA1(sheet.title, top, left, top + values.length - 1, left + Math.max(width, 1) - 1),
    updatedRows: values.length,
    updatedColumns: width,
    updatedCells: values.reduce((n, row) => n + row.length, 0),
  };
}

export function updateRange(book: Spreadsheet, range: string, values: Cell[][], inputOption: string) {
  const [sheet, grid] = locate(book, range);
  return {
    spreadsheetId: book.spreadsheetId,
    ...writeBlock(sheet, grid.startRow, grid.startCol, values, inputOption),
  };
}

export function appendRange(book: Spreadsheet, range: string, values: Cell[][], inputOption: string) {
  const [sheet, grid] = locate(book, range);
  const endCol = grid.endCol ?? sheet.columnCount - 1;
  let last = grid.startRow - 1;
  sheet.rows.forEach((row, r) => {
    if (r >= grid.startRow && row.slice(grid.startCol, endCol + 1).some((c) => !isEmpty(c))) last = r;
  });
  const updates = writeBlock(sheet, last + 1, grid.startCol, values, inputOption);
  return {
    spreadsheetId: book.spreadsheetId,
    tableRange:
      last >= grid.startRow ? formatA1(sheet.title, grid.startRow, grid.startCol, last, endCol) : undefined,
    updates: { spreadsheetId: book.spreadsheetId, ...updates },
  };
}

export function metadataOf(book: Spreadsheet, baseUrl: string) {
  return {
    spreadsheetId: book.spreadsheetId,
    properties: { title: book.title, locale: 'en_GB', timeZone: 'Europe/London' },
    sheets: book.sheets.map((s, index) => ({
      properties: {
        sheetId: s.sheetId,
        title: s.title,
        index,
        sheetType: 'GRID',
        gridProperties: { rowCount: s.rowCount, columnCount: s.columnCount },
      },
    })),
    spreadsheetUrl: `${baseUrl}/spreadsheets/d/${book.spreadsheetId}/edit`,
  };
}
