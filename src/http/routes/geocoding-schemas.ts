/**
 * JSON schemas of the geocoding endpoints: what bad input is refused before
 * any provider is asked (each a 400 VALIDATION_FAILED naming the field). The
 * strict validator (no coercion) keeps "55.75" from passing as a latitude;
 * NaN cannot be sent in JSON at all (400 MALFORMED_BODY). They are also the
 * OpenAPI document of /docs.
 */
export const address = {
  type: 'string',
  minLength: 1,
  maxLength: 500,
  // Not blank: at least one character that is not white space.
  pattern: '\\S',
  description: 'free text in any script, 1-500 characters, e.g. "Москва, улица Новый Арбат, 24"',
} as const;
const latitude = { type: 'number', minimum: -90, maximum: 90, description: 'decimal degrees' } as const;
const longitude = { type: 'number', minimum: -180, maximum: 180, description: 'decimal degrees' } as const;
const provider = {
  type: 'string',
  enum: ['auto', 'google_maps', 'yandex_maps'],
  default: 'auto',
  description:
    'auto: the providers in external_services priority order, falling back on not-found and failures',
} as const;
const language = {
  type: 'string',
  pattern: '^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?$',
  description: 'answer language: ru, en, ru_RU, en-US',
} as const;
const region = {
  type: 'string',
  pattern: '^[A-Za-z]{2}$',
  description:
    'a two-letter country code that biases the answer towards that country (Google region=; Yandex has none)',
} as const;

export const forwardBody = {
  type: 'object',
  required: ['address'],
  properties: { address, provider, language, region },
} as const;

export const reverseBody = {
  type: 'object',
  required: ['latitude', 'longitude'],
  properties: { latitude, longitude, provider, language },
} as const;

export const batchBody = {
  type: 'object',
  required: ['addresses'],
  properties: {
    addresses: { type: 'array', minItems: 1, maxItems: 100, items: address },
    provider,
    language,
  },
} as const;

const end = {
  type: 'object',
  oneOf: [
    {
      type: 'object',
      required: ['latitude', 'longitude'],
      additionalProperties: false,
      properties: { latitude, longitude },
    },
    { type: 'object', required: ['address'], additionalProperties: false, properties: { address } },
  ],
  description: '{latitude, longitude} or {address}',
} as const;

export const distanceBody = {
  type: 'object',
  required: ['origin', 'destination'],
  properties: { origin: end, destination: end, provider },
} as const;
