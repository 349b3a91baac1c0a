/**
 * Google Drive / Sheets push notifications (changes.watch, files.watch): no
 * body signature; Google echoes the channel token we registered in
 * X-Goog-Channel-Token, compared in constant time with the source's secrets,
 * and X-Goog-Channel-ID must be a known channel when channelIds is configured.
 * `sync` (sent once when a channel opens) is stored but not published.
 * Dedup key: channel id + message number, so a push without
 * X-Goog-Message-Number (Google always sends one) is refused rather than
 * taken for a duplicate of every other such push. The body of a push is empty
 * although Google labels it `application/json; utf-8`.
 *
 * Apps Script triggers cannot send custom Drive headers; with the appsScript
 * option (HMAC settings) the same route accepts signed JSON from them.
 */
import { safeIncludes } from './constant-time.js';
import { parseHmacOptions, verifyHmac, type HmacOptions } from './hmac.js';
import {
  genericIdentity,
  header,
  invalidSignature,
  InvalidSourceOptions,
  readOptions,
  type Verifier,
  type WebhookRequest,
} from './verifier.js';

function isDrivePush(request: WebhookRequest): boolean {
  return header(request.headers, 'x-goog-channel-id') !== undefined;
}

export function googleDriveVerifier(options: unknown, toleranceSeconds: number): Verifier {
  const o = readOptions(options, ['channelIds', 'appsScript'], 'google-drive');
  let channelIds: string[] | undefined;
  if (o.channelIds !== undefined) {
    if (!Array.isArray(o.channelIds) || !o.channelIds.every((c) => typeof c === 'string' && c !== '')) {
      throw new InvalidSourceOptions('option channelIds must be a list of channel id strings');
    }
    channelIds = o.channelIds as string[];
  }
  const appsScript: HmacOptions | undefined =
    o.appsScript === undefined ? undefined : parseHmacOptions(o.appsScript, 'google-drive appsScript');
  return {
    needsSecret: true,
    secretHeaders: appsScript === undefined ? [] : [appsScript.header],
    verify(request, secrets) {
      if (!isDrivePush(request)) {
        if (appsScript === undefined) throw invalidSignature('missing X-Goog-Channel-ID header');
        verifyHmac(appsScript, request, secrets, toleranceSeconds);
        return;
      }
      const channel = header(request.headers, 'x-goog-channel-id') ?? '';
      const token = header(request.headers, 'x-goog-channel-token');
      if (token === undefined || token === '') throw invalidSignature('missing X-Goog-Channel-Token header');
      const tokenOk = safeIncludes(secrets, token);
      const channelOk = channelIds === undefined || safeIncludes(channelIds, channel);
      if (!tokenOk || !channelOk) throw invalidSignature('unknown Drive channel or wrong channel token');
      if (!header(request.headers, 'x-goog-resource-state'))
        throw invalidSignature('missing X-Goog-Resource-State header');
      if (!/^\d{1,20}$/.test(header(request.headers, 'x-goog-message-number') ?? ''))
        throw invalidSignature('missing or malformed X-Goog-Message-Number header');
    },
    identify(request, payload) {
      if (!isDrivePush(request)) return genericIdentity(request, payload, appsScript ?? {}, true);
      const channel = header(request.headers, 'x-goog-channel-id') ?? '';
      const message = header(request.headers, 'x-goog-message-number') ?? '';
      const key = `${channel}:${message}`;
      return { eventId: key, dedupKey: key };
    },
    bodyless: (request) => isDrivePush(request) && request.rawBody.length === 0,
    publishable: (request) =>
      !(isDrivePush(request) && header(request.headers, 'x-goog-resource-state') === 'sync'),
  };
}
