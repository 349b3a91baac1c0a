/**
 * Webhook bodies sent with a Content-Encoding: gzip (x-gzip), deflate (zlib
 * or raw) and br are decoded, in the reverse of the order they were applied,
 * with the same size limit on every decoded step as on the bytes that arrived,
 * so a small zip bomb is a 413 before it can grow. Any other coding is a 415
 * that names what we read; a body that does not decode is a 400.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { AppError } from '../../domain/errors.js';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotli = promisify(zlib.brotliDecompress);

type Decoder = (body: Buffer, options: zlib.ZlibOptions & zlib.BrotliOptions) => Promise<Buffer>;

const DECODERS: Record<string, Decoder> = {
  gzip: gunzip,
  'x-gzip': gunzip,
  // RFC 9110's deflate is zlib-wrapped; some senders send it raw.
  deflate: async (body, options) => {
    try {
      return await inflate(body, options);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw err;
      return inflateRaw(body, options);
    }
  },
  br: brotli,
};

export const SUPPORTED_CODINGS = 'gzip, deflate, br';

/** The codings named by a Content-Encoding header, in the order they were applied; identity dropped. */
export function codingsOf(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const joined = Array.isArray(header) ? header.join(',') : header;
  return joined
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
}

/**
 * A webhook's body to verify and store, and the headers to store with it: as
 * sent when there is no Content-Encoding (no copy, the common case), else
 * decoded, with the bytes as sent kept for the signature check and the
 * Content-Encoding header left out (what is stored is not encoded).
 */
export async function decodedWebhook(
  sent: Buffer,
  headers: IncomingHttpHeaders,
  maxBytes: number,
): Promise<{ rawBody: Buffer; headers: IncomingHttpHeaders; sentBody?: Buffer }> {
  const codings = codingsOf(headers['content-encoding']);
  if (codings.length === 0) return { rawBody: sent, headers };
  const { 'content-encoding': _coding, ...rest } = headers;
  return { rawBody: await decodeBody(sent, codings, maxBytes), headers: rest, sentBody: sent };
}

export async function decodeBody(
  body: Buffer,
  codings: readonly string[],
  maxBytes: number,
): Promise<Buffer> {
  for (const coding of codings) {
    if (DECODERS[coding] === undefined) {
      throw new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Content-Encoding ${JSON.stringify(coding.slice(0, 40))} is not supported; send ${SUPPORTED_CODINGS} or none`,
      );
    }
  }
  let decoded = body;
  for (const coding of [...codings].reverse()) {
    const decoder = DECODERS[coding] as Decoder;
    try {
      decoded = await decoder(decoded, { maxOutputLength: maxBytes });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new AppError(
          'PAYLOAD_TOO_LARGE',
          `the body decoded from ${coding} is larger than WEBHOOK_MAX_BODY_BYTES (${maxBytes} bytes)`,
        );
      }
      throw new AppError('MALFORMED_BODY', `the body is not valid ${coding} data`);
    }
  }
  return decoded;
}
