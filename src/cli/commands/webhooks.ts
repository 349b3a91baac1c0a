import { isUtf8 } from 'node:buffer';
/**
 * integctl webhooks send: a realistic sample delivery for a source, signed
 * with its newest active secret exactly as the provider would sign it, POSTed
 * to a daemon. Like `stripe trigger`, for checking a deployment end to end.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { activeSecrets, type WebhookSource } from '../../domain/source.js';
import { isTenantId, TENANT_RULE } from '../../domain/tenant.js';
import { redactUrl } from '../../lib/redact.js';
import { signedSample } from '../../services/sample-webhooks.js';
import { SourceRepository } from '../../store/source-repository.js';
import { daemonUrl } from '../daemon-url.js';
import { CommandFailed, UsageError, writeJson, writeLine } from '../io.js';
import type { CommandContext } from '../context.js';
import type { CommandDeps } from '../program.js';

export function registerWebhooks(program: Command, deps: CommandDeps): void {
  const webhooks = program.command('webhooks').description('send test webhooks to a daemon');
  webhooks
    .command('send')
    .description('send a signed sample event for a source and print the answer')
    .argument('<source>', 'source name (see integctl sources list)')
    .option('--event <type>', 'event type of the sample (e.g. charge.refunded)')
    .option('--payload <file>', 'send this file as the body instead of the sample')
    .option('--url <url>', 'daemon base URL', 'http://127.0.0.1:8009')
    .option('--tenant <id>', 'send X-Management-Company-ID')
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nExample:\n  integctl webhooks send stripe --event payment_intent.succeeded')
    .action(
      async (
        name: string,
        flags: { event?: string; payload?: string; url: string; tenant?: string; json?: boolean },
      ) =>
        deps.run(async (ctx, io) => {
          const base = daemonUrl(flags.url, ctx.config, '--url');
          // The daemon answers 400 INVALID_TENANT to any other: a usage error, found before connecting.
          if (flags.tenant !== undefined && !isTenantId(flags.tenant))
            throw new UsageError(`--tenant ${JSON.stringify(flags.tenant.slice(0, 40))}: ${TENANT_RULE}`);
          let payload: Buffer | undefined;
          if (flags.payload !== undefined) {
            try {
              payload = readFileSync(flags.payload);
            } catch (err) {
              throw new UsageError(
                `--payload ${flags.payload} cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
              );
            }
          }
          const source = await findSource(ctx, name);
          if (
            payload !== undefined &&
            (source.scheme === 'stripe' || source.scheme === 'standard-webhooks') &&
            !isUtf8(payload)
          ) {
            // Both providers send UTF-8 and their libraries sign text: other bytes would be re-encoded.
            throw new UsageError(
              `--payload ${flags.payload}: ${source.scheme} events are UTF-8 text; this file is not UTF-8`,
            );
          }
          const secrets = activeSecrets(source, new Date());
          const delivery = signedSample(source, secrets[secrets.length - 1], {
            eventType: flags.event,
            payload,
          });
          const headers: Record<string, string> = { ...delivery.headers };
          if (flags.tenant !== undefined) headers['x-management-company-id'] = flags.tenant;
          if (payload !== undefined && !('content-type' in headers))
            headers['content-type'] = 'application/json';
          const url = new URL(delivery.path, base);
          let response: Response;
          try {
            response = await fetch(url, {
              method: 'POST',
              headers,
              body: delivery.body,
              signal: AbortSignal.timeout(10_000),
            });
          } catch (err) {
            const inner = (err as { cause?: { code?: string; message?: string } }).cause;
            const cause = inner?.code ?? inner?.message ?? (err as Error).message;
            throw new CommandFailed(
              `cannot reach the daemon at ${base.origin} (${cause}); is integrationd running? (--url)`,
            );
          }
          const text = await response.text();
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON; print as text
          }
          if (flags.json)
            writeJson(io.stdout, { url: redactUrl(url.toString()), status: response.status, body });
          else {
            writeLine(io.stdout, `POST ${url.pathname} -> ${response.status}`);
            writeLine(io.stdout, typeof body === 'string' ? body : JSON.stringify(body));
          }
          if (!response.ok) throw new CommandFailed(`the daemon answered ${response.status}`);
        }),
    );
}

export async function findSource(ctx: CommandContext, name: string): Promise<WebhookSource> {
  const stored = await new SourceRepository((await ctx.orm()).models).find(name);
  if (stored) return stored;
  if (name === 'stripe' && ctx.config.stripeWebhookSecret.length > 0) {
    return {
      name,
      scheme: 'stripe',
      options: {},
      secrets: ctx.config.stripeWebhookSecret.map((value) => ({ value, createdAt: '', expiresAt: null })),
      tenantId: null,
      maxRetries: null,
      rateLimitPerMinute: null,
      isActive: true,
      description: null,
    };
  }
  throw new CommandFailed(`no source named ${JSON.stringify(name)}; see integctl sources list`);
}
