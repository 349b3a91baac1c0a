/**
 * JSON schemas of the Sheets endpoints: the old service's request fields, with
 * the limits that keep bad input from reaching Google (a spreadsheet id is
 * letters, digits, - and _ only, so no slash can change the URL path).
 */
const spreadsheetId = {
  type: 'string',
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9_-]+$',
  description: 'the id from the sheet URL: letters, digits, - and _',
} as const;
const range = {
  type: 'string',
  minLength: 1,
  maxLength: 500,
  pattern: '^[^\\u0000-\\u001f]+$',
  description: 'A1 notation, e.g. Sheet1!A1:C10',
} as const;
const cell = { type: ['string', 'number', 'boolean', 'null'], maxLength: 50_000 } as const;
const values = {
  type: 'array',
  minItems: 1,
  items: { type: 'array', items: cell },
  description: 'rows of cells: a 2-D array',
} as const;
const valueRenderOption = {
  type: 'string',
  enum: ['FORMATTED_VALUE', 'UNFORMATTED_VALUE', 'FORMULA'],
} as const;
const valueInputOption = { type: 'string', enum: ['RAW', 'USER_ENTERED'] } as const;
const insertDataOption = { type: 'string', enum: ['OVERWRITE', 'INSERT_ROWS'] } as const;

export const readBody = {
  type: 'object',
  required: ['spreadsheet_id', 'range'],
  properties: { spreadsheet_id: spreadsheetId, range, value_render_option: valueRenderOption },
} as const;

export const writeBody = {
  type: 'object',
  required: ['spreadsheet_id', 'range', 'values'],
  properties: { spreadsheet_id: spreadsheetId, range, values, value_input_option: valueInputOption },
} as const;

export const appendBody = {
  type: 'object',
  required: ['spreadsheet_id', 'range', 'values'],
  properties: {
    spreadsheet_id: spreadsheetId,
    range,
    values,
    value_input_option: valueInputOption,
    insert_data_option: insertDataOption,
  },
} as const;

export const batchBody = {
  type: 'object',
  required: ['spreadsheet_id', 'operations'],
  properties: {
    spreadsheet_id: spreadsheetId,
    operations: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        required: ['operation', 'range'],
        properties: {
          operation: { type: 'string', enum: ['read', 'write', 'append'] },
          range,
          values,
          value_render_option: valueRenderOption,
          value_input_option: valueInputOption,
          insert_data_option: insertDataOption,
        },
        if: { properties: { operation: { enum: ['write', 'append'] } } },
        then: { required: ['values'] },
      },
    },
  },
} as const;

export const metadataParams = {
  type: 'object',
  required: ['spreadsheet_id'],
  properties: { spreadsheet_id: spreadsheetId },
} as const;
