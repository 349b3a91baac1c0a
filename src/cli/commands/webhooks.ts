/**
 * integctl webhooks send: a realistic sample delivery for a source, signed
 * with its newest active secret exactly as the provider would sign it, POSTed
 * to a daemon. Like `stripe trigger`, for checking a deployment end to end.
 */
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { isTenantId, TENANT_RULE } from '../../domain/tenant.js';
import { redactUrl } from '../../lib/redact.js';
import { signedSample } from '../../services/sample-webhooks.js';
import { daemonUrl, fetchFailure } from '../daemon-url.js';
import { CommandFailed, UsageError, writeJson, writeLine } from '../io.js';
import type { CommandDeps } from '../run.js';
import { newestSecret, signingSource } from '../signing-source.js';

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
          const source = await signingSource(ctx, name);
          if (source === undefined)
            throw new CommandFailed(`no source named ${JSON.stringify(name)}; see integctl sources list`);
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
          const delivery = signedSample(source, newestSecret(source), {
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
            throw new CommandFailed(
              `cannot reach the daemon at ${base.origin} (${fetchFailure(err)}); is integrationd running? (--url)`,
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
