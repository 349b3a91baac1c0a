/**
 * Realistic sample deliveries, signed exactly as each provider signs: used by
 * `integctl webhooks send`, the ingest benchmark and the load test. Stripe
 * deliveries are signed with the stripe package's generateTestHeaderString,
 * Standard Webhooks with the standardwebhooks package's sign.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { NAMED_ROUTE_SOURCES, type WebhookSource } from '../domain/source.js';
import { GITHUB_OPTIONS, hmacSignature, parseHmacOptions } from '../providers/hmac.js';

export interface SignedDelivery {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export function pathFor(source: string): string {
  if (source === NAMED_ROUTE_SOURCES.stripe) return '/api/v1/webhooks/stripe';
  if (source === NAMED_ROUTE_SOURCES.googleSheets) return '/api/v1/webhooks/google/sheets';
  if (source === NAMED_ROUTE_SOURCES.yandexMaps) return '/api/v1/webhooks/yandex/maps';
  return `/api/v1/webhooks/generic/${encodeURIComponent(source)}`;
}

export interface SampleOptions {
  /** Event type to send (scheme's usual sample otherwise). */
  eventType?: string;
  /** Body to send instead of the sample (a provider's real payload, say). */
  payload?: Buffer;
  /** Pads the sample body to about this many bytes (benchmarks). */
  padToBytes?: number;
  now?: Date;
}

function pad(body: Record<string, unknown>, bytes: number | undefined): Buffer {
  const text = JSON.stringify(body);
  if (bytes === undefined || text.length >= bytes) return Buffer.from(text);
  return Buffer.from(JSON.stringify({ ...body, padding: 'x'.repeat(bytes - text.length - 14) }));
}

const json = { 'content-type': 'application/json', 'user-agent': 'integctl/webhooks-send' };

/** Builds and signs one delivery for `source` with `secret` (undefined for scheme none). */
export function signedSample(
  source: WebhookSource,
  secret: string | undefined,
  options: SampleOptions = {},
): SignedDelivery {
  const now = options.now ?? new Date();
  const seconds = Math.floor(now.getTime() / 1000);
  const path = pathFor(source.name);
  const need = () => {
    if (secret === undefined) throw new Error(`source ${source.name} has no active secret to sign with`);
    return secret;
  };
  switch (source.scheme) {
    case 'stripe': {
      const body =
        options.payload ??
        pad(
          {
            id: `evt_${randomBytes(12).toString('hex')}`,
            object: 'event',
            api_version: '2024-06-20',
            created: seconds,
            livemode: false,
            type: options.eventType ?? 'payment_intent.succeeded',
            data: {
              object: {
                id: `pi_${randomBytes(12).toString('hex')}`,
                object: 'payment_intent',
                amount: 2000,
                currency: 'usd',
                status: 'succeeded',
              },
            },
          },
          options.padToBytes,
        );
      const signature = Stripe.webhooks.generateTestHeaderString({
        payload: body.toString('utf8'),
        secret: need(),
        timestamp: seconds,
      });
      return { path, body, headers: { ...json, 'stripe-signature': signature } };
    }
    case 'standard-webhooks': {
      const id = `msg_${randomBytes(12).toString('hex')}`;
      const body =
        options.payload ??
        pad(
          {
            type: options.eventType ?? 'invoice.paid',
            timestamp: now.toISOString(),
            data: { invoice_id: randomUUID(), amount: 4200 },
          },
          options.padToBytes,
        );
      const signature = new Webhook(need()).sign(id, now, body);
      return {
        path,
        body,
        headers: {
          ...json,
          'webhook-id': id,
          'webhook-timestamp': String(seconds),
          'webhook-signature': signature,
        },
      };
    }
    case 'github': {
      const body =
        options.payload ??
        pad({ action: 'opened', zen: 'Keep it logically awesome.', hook_id: 1 }, options.padToBytes);
      return {
        path,
        body,
        headers: {
          ...json,
          'x-github-event': options.eventType ?? 'ping',
          'x-github-delivery': randomUUID(),
          [GITHUB_OPTIONS.header]: hmacSignature(GITHUB_OPTIONS, need(), body),
        },
      };
    }
    case 'google-drive': {
      const channelIds = source.options.channelIds;
      const channel =
        Array.isArray(channelIds) && typeof channelIds[0] === 'string'
          ? channelIds[0]
          : 'integctl-test-channel';
      return {
        path,
        body: options.payload ?? Buffer.alloc(0),
        headers: {
          // As Google sends them: labelled JSON, with an empty body.
          ...(options.payload === undefined ? { 'content-type': 'application/json; utf-8' } : {}),
          'user-agent': 'integctl/webhooks-send',
          'x-goog-channel-id': channel,
          'x-goog-channel-token': need(),
          'x-goog-resource-state': options.eventType ?? 'update',
          'x-goog-message-number': String(Date.now()),
          'x-goog-resource-id': `res-${randomBytes(6).toString('hex')}`,
          'x-goog-changed': 'content',
        },
      };
    }
    case 'hmac':
    case 'token':
    case 'none': {
      const body =
        options.payload ??
        pad(
          {
            event_id: randomUUID(),
            event_type: options.eventType ?? 'test.event',
            created_at: now.toISOString(),
            data: { message: 'hello from integctl' },
          },
          options.padToBytes,
        );
      const headers: Record<string, string> = { ...json };
      if (source.scheme === 'hmac') {
        const o = parseHmacOptions(source.options);
        const timestamp = o.timestampHeader === undefined ? undefined : String(seconds);
        if (o.timestampHeader !== undefined && timestamp !== undefined)
          headers[o.timestampHeader] = timestamp;
        headers[o.header] = hmacSignature(o, need(), body, timestamp);
      } else if (source.scheme === 'token') {
        const name =
          typeof source.options.header === 'string' ? source.options.header.toLowerCase() : 'x-webhook-token';
        headers[name] = need();
      }
      return { path, body, headers };
    }
  }
}
