/**
 * The pure rules of the geocoding use case: which queries share a cache key,
 * the great-circle distance, and where each effective setting of a service
 * comes from.
 */
import test from 'ava';
import { loadConfig } from '../../src/config/load.js';
import { greatCircleKm } from '../../src/domain/great-circle.js';
import { forwardCacheKey, normaliseAddress, reverseCacheKey } from '../../src/services/geocoding-cache.js';
import { effectiveSettings } from '../../src/services/service-settings.js';

test('one key per normalised query, provider choice and language', (t) => {
  const key = forwardCacheKey('Москва, улица Новый Арбат, 24', 'auto', 'ru');
  // NFD "й" (и + combining breve) and NFC "й" are one letter.
  const decomposed = 'москва, улица новый арбат, 24'.normalize('NFD');
  t.is(normaliseAddress(`  ${decomposed.toUpperCase()}\t`), 'москва, улица новый арбат, 24');
  t.is(forwardCacheKey(`  МОСКВА,   улица  Новый Арбат, 24 `, 'auto', 'RU'), key);
  t.is(forwardCacheKey(decomposed, 'auto', 'ru'), key);
  t.not(forwardCacheKey('Москва, улица Новый Арбат, 24', 'google_maps', 'ru'), key);
  t.not(forwardCacheKey('Москва, улица Новый Арбат, 24', 'auto', 'en'), key);
  t.not(forwardCacheKey('Москва, улица Новый Арбат, 24', 'auto'), key);
  t.is(forwardCacheKey('x', 'auto', 'ru_RU'), forwardCacheKey('x', 'auto', 'ru-ru'));
  // A region biases the answer: its own key, whatever its case.
  t.not(forwardCacheKey('x', 'auto', 'ru', 'ua'), forwardCacheKey('x', 'auto', 'ru'));
  t.is(forwardCacheKey('x', 'auto', 'ru', 'UA'), forwardCacheKey('x', 'auto', 'ru', 'ua'));
  t.regex(key, /^fwd:auto:ru:[A-Za-z0-9_-]{43}$/, 'hashed: short, no glob characters');
  t.is(reverseCacheKey(55.75214861, 37.5847163, 'auto'), 'rev:auto:-:55.7521486,37.5847163');
  t.is(reverseCacheKey(-0.00000001, 0, 'yandex_maps', 'en'), 'rev:yandex_maps:en:0.0000000,0.0000000');
});

test('great-circle distance: Moscow to London, and zero', (t) => {
  const km = greatCircleKm(
    { latitude: 55.7558, longitude: 37.6173 },
    { latitude: 51.5072, longitude: -0.1276 },
  );
  t.true(Math.abs(km - 2500) < 15, String(km));
  t.is(greatCircleKm({ latitude: 10, longitude: 20 }, { latitude: 10, longitude: 20 }), 0);
  t.true(
    Math.abs(greatCircleKm({ latitude: 0, longitude: 0 }, { latitude: 0, longitude: 180 }) - 20015.1) < 1,
  );
});

test('effective settings: row, then the configuration, then the default, and only what applies', (t) => {
  const config = loadConfig({
    env: { GOOGLE_MAPS_API_KEY: 'env-key-123456', OUTBOUND_RATE_LIMIT_PER_DAY: '500' },
  });
  const none = effectiveSettings('google_maps', undefined, config);
  t.deepEqual(none.apiKey, { value: 'env-key-123456', source: 'env' });
  t.deepEqual(none.priority, { value: 10, source: 'default' });
  t.deepEqual(none.rateLimitPerDay, { value: 500, source: 'env' });
  t.deepEqual(none.rateLimitPerMinute, { value: 0, source: 'default' });
  const row = {
    name: 'google_sheets',
    serviceType: 'sheets',
    baseUrl: 'https://ignored.example',
    apiKey: null,
    isActive: false,
    rateLimitPerMinute: 60,
    rateLimitPerHour: null,
    rateLimitPerDay: null,
    timeoutSeconds: 99,
    priority: 1,
    updatedAt: new Date(0),
  };
  const sheets = effectiveSettings('google_sheets', row, config);
  t.deepEqual(sheets.active, { value: false, source: 'row' });
  t.deepEqual(sheets.rateLimitPerMinute, { value: 60, source: 'row' });
  // Its client is built from GOOGLE_SHEETS_*: a row's URL and timeout do not reach it, and are not shown as if.
  t.deepEqual(sheets.baseUrl, { value: 'https://sheets.googleapis.com', source: 'default' });
  t.deepEqual(sheets.timeoutSeconds, { value: 30, source: 'default' });
  const yandex = effectiveSettings(
    'yandex_maps',
    { ...row, name: 'yandex_maps', apiKey: 'row-key-1234' },
    config,
  );
  t.deepEqual(yandex.apiKey, { value: 'row-key-1234', source: 'row' });
  t.deepEqual(yandex.baseUrl, { value: 'https://ignored.example', source: 'row' });
  t.deepEqual(yandex.priority, { value: 1, source: 'row' });
});
