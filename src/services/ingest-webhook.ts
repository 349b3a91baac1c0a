/**
 * The ingest use case: verify on the raw bytes, parse, name the dedup key,
 * commit, hand the stored event to processing, answer. Nothing here waits for
 * Redis: the hand-off only queues the event (process-events.ts publishes it
 * once the event loop turns), and a daemon that does not process leaves it
 * to the workers' claim (claim-due-events.ts).
 */
import { AppError } from '../domain/errors.js';
import { cleanLabel, eventTypeOf } from '../domain/event.js';
import { SOURCE_NAME } from '../domain/source.js';
import { isTenantId, TENANT_RULE } from '../domain/tenant.js';
import { jsonObjectOf, NO_BODY, parseBody, storedHeaders } from '../domain/webhook-body.js';
import { timeOrderedId } from '../lib/time-ordered-id.js';
import type { Headers } from '../domain/webhook-body.js';
import type { Verifier, WebhookRequest } from '../providers/verifier.js';
import type { EventStore, StoredEvent } from './ports.js';
import type { SourceRegistry } from './source-registry.js';

export interface IngestRequest {
  sourceName: string;
  /** The body to verify, parse and store: decoded when it came with a Content-Encoding. */
  rawBody: Buffer;
  /**
   * The body's bytes as they arrived, when they were decoded into rawBody: a
   * signature over them is accepted too (senders differ on which they sign).
   */
  sentBody?: Buffer;
  headers: Headers;
  /** Tenant named by the caller (X-Management-Company-ID / X-Tenant-ID). */
  tenantId?: string;
}

export interface IngestResult {
  status: 'accepted' | 'duplicate';
  eventId: string;
  source: string;
}

/** Ingest budgets per source and tenant (ratelimit/ingest-limiter.ts); throws 429 RATE_LIMITED. */
export interface IngestBudget {
  check(call: { source: string; tenantId?: string; perMinute?: number | null }): Promise<void>;
}

export interface IngestOptions {
  registry: SourceRegistry;
  store: EventStore;
  /**
   * Where a stored event goes to be published at once (EventProcessor.accept);
   * absent in an api-only daemon, whose events wait for a worker's claim.
   */
  processing?: { accept(event: StoredEvent): void };
  /** Applied after the signature checks out, so unsigned floods cannot spend a source's budget. */
  budget?: IngestBudget;
  defaultMaxRetries: number;
  now?: () => Date;
  /** Extra secret-bearing header names (a source's custom signature or token header). */
  onSignatureFailure?: (source: string) => void;
}

export class IngestService {
  constructor(private readonly options: IngestOptions) {}

  async ingest(request: IngestRequest): Promise<IngestResult> {
    if (!SOURCE_NAME.test(request.sourceName)) throw new AppError('UNKNOWN_SOURCE');
    // Never cut or cleaned: two long ids sharing a prefix must not become one tenant.
    if (request.tenantId !== undefined && !isTenantId(request.tenantId)) {
      throw new AppError(
        'INVALID_TENANT',
        `the tenant header (X-Management-Company-ID or X-Tenant-ID): ${TENANT_RULE}`,
      );
    }
    let resolved;
    try {
      resolved = await this.options.registry.get(request.sourceName);
    } catch {
      throw new AppError('STORAGE_UNAVAILABLE', 'webhook sources cannot be read; retry later', 5);
    }
    if (resolved === undefined) throw new AppError('UNKNOWN_SOURCE');
    const { source, verifier } = resolved;
    const now = this.options.now?.() ?? new Date();
    const webhook = { rawBody: request.rawBody, headers: request.headers, now };
    try {
      verifyEither(verifier, webhook, request.sentBody, resolved.secrets(now));
    } catch (err) {
      this.options.onSignatureFailure?.(source.name);
      throw err;
    }

    // The event's tenant, as stored: no header and the source's own tenant share
    // one budget. A source tenant saved before tenant ids had a rule is not a
    // valid budget key; such a source keeps its tenant-less budget, as before.
    await this.options.budget?.check({
      source: source.name,
      tenantId:
        request.tenantId ?? (isTenantId(source.tenantId) ? (source.tenantId ?? undefined) : undefined),
      perMinute: source.rateLimitPerMinute,
    });

    const contentType =
      typeof request.headers['content-type'] === 'string' ? request.headers['content-type'] : null;
    const { payload, payloadJson, payloadIsBody, fromJson } =
      verifier.bodyless?.(webhook) === true ? NO_BODY : parseBody(request.rawBody, contentType);
    // The dedup key must not hang on the Content-Type, which no signature
    // covers: a JSON object body is read for its id whatever its label (sent
    // again as text/plain or as a form, it is the same event, not a new one).
    // Form fields are read only when labelled so: reading ids out of any text
    // would merge distinct events ("id=1&state=open" and "id=1&state=closed").
    const identity = verifier.identify(
      webhook,
      fromJson ? payload : (jsonObjectOf(request.rawBody) ?? payload),
    );
    const publish = verifier.publishable(webhook);
    const tenant = request.tenantId ?? source.tenantId;
    const result = await this.options.store.write({
      // UUIDv7: ids rise with time, so the primary key index grows at its right
      // edge instead of dirtying a random leaf page per webhook.
      id: timeOrderedId(),
      source: source.name,
      eventId: identity.eventId,
      dedupKey: identity.dedupKey,
      eventType: eventTypeOf(source.scheme, payload, request.headers),
      tenantId: tenant === '' ? null : tenant,
      contentType: contentType === null ? null : cleanLabel(contentType, 200),
      rawBody: request.rawBody,
      payloadJson,
      payloadIsBody,
      headersJson: storedHeaders(request.headers, verifier.secretHeaders ?? []),
      status: publish ? 'pending' : 'completed',
      maxRetries: source.maxRetries ?? this.options.defaultMaxRetries,
    });
    if (result.duplicate) return { status: 'duplicate', eventId: result.id, source: source.name };
    if (result.status === 'pending') this.options.processing?.accept(result.stored);
    return { status: 'accepted', eventId: result.id, source: source.name };
  }
}

/**
 * Verifies the decoded body, or else the bytes as they arrived: a provider
 * that compresses after signing signed the decoded body, one that signs what
 * it sends signed the compressed bytes. Either way the signature is checked on
 * bytes that were sent, never on anything re-encoded.
 */
function verifyEither(
  verifier: Verifier,
  webhook: WebhookRequest,
  sentBody: Buffer | undefined,
  secrets: readonly string[],
): void {
  try {
    verifier.verify(webhook, secrets);
  } catch (err) {
    if (sentBody === undefined || !(err instanceof AppError) || err.code !== 'INVALID_SIGNATURE') throw err;
    try {
      verifier.verify({ ...webhook, rawBody: sentBody }, secrets);
    } catch {
      throw err;
    }
  }
}
