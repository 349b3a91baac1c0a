/**
 * Swagger UI's files for GET /docs, served by the daemon from the installed
 * swagger-ui-dist package so the page works on a network with no way out.
 *
 * Only the files the page loads are served, each on a route of its own: there
 * is no path parameter, so no request can name another file on disk. Files are
 * read on the first request and kept (about 1.6 MB, the same for the life of
 * the process). Browsers keep a copy but revalidate it (`no-cache` with an
 * ETag of the content, answered 304), so upgrading swagger-ui-dist never mixes
 * a new page with an old cached bundle.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where the page finds them: /docs/static/swagger-ui.css, … */
export const DOCS_ASSETS_PREFIX = '/docs/static/';

const CSS = 'text/css; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';
const PNG = 'image/png';

/** The allow-list: file name in swagger-ui-dist → its Content-Type. */
const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': CSS,
  'swagger-ui-bundle.js': JS,
  'favicon-32x32.png': PNG,
  'favicon-16x16.png': PNG,
};

interface LoadedAsset {
  body: Buffer;
  etag: string;
}

const distDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const loaded = new Map<string, Promise<LoadedAsset>>();

function load(name: string): Promise<LoadedAsset> {
  let asset = loaded.get(name);
  if (asset === undefined) {
    asset = readFile(path.join(distDir, name)).then((body) => ({
      body,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    }));
    // A failed read (a broken install) is not kept: the next request tries again.
    void asset.catch(() => loaded.delete(name));
    loaded.set(name, asset);
  }
  return asset;
}

function revalidated(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  if (header === undefined) return false;
  return header
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === etag || tag === `W/${etag}` || tag === '*');
}

export function registerDocsAssets(app: FastifyInstance): void {
  for (const [name, contentType] of Object.entries(ASSETS)) {
    app.get(
      `${DOCS_ASSETS_PREFIX}${name}`,
      { schema: { hide: true } },
      async (request: FastifyRequest, reply: FastifyReply) => {
        const { body, etag } = await load(name);
        reply
          .header('ETag', etag)
          .header('Cache-Control', 'no-cache')
          .header('X-Content-Type-Options', 'nosniff');
        if (revalidated(request, etag)) return reply.code(304).send();
        return reply.type(contentType).send(body);
      },
    );
  }
}
