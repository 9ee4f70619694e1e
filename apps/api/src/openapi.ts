import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AppConfig } from './config/app-config';
import { APP_CONFIG } from './config/app-config.provider';

/** Where the OpenAPI description is served: the Swagger UI and the JSON document. */
export const OPENAPI_UI_PATH = '/docs';
export const OPENAPI_JSON_PATH = '/docs-json';

/** Version of the REST contract in the document (the package version; test/docs checks they agree). */
export const OPENAPI_VERSION = '0.1.0';

/** Name of the security scheme of the admin routes (`@ApiBearerAuth('admin-key')` in libs/admin). */
export const ADMIN_SECURITY_SCHEME = 'admin-key';

export function openApiConfig(): Omit<OpenAPIObject, 'paths'> {
  return new DocumentBuilder()
    .setTitle('Identity verification API (본인인증)')
    .setDescription(
      "Korean mobile identity verification on the i'mport (PortOne V1) API: SMS OTP, popup and redirect flows, signup " +
        'with one account per person and an age policy, and an admin API.\n\n' +
        'Every error answers `{"error": {"code", "message", "details"}, "request_id"}` with a stable `code`; each ' +
        'operation lists its codes per HTTP status (also as `x-error-codes` on the response). Field names are snake_case. ' +
        'Personal data never travels in a URL and never appears in an error.',
    )
    .setVersion(OPENAPI_VERSION)
    .addTag('certifications', 'Identity verification: SMS OTP, popup and redirect flows')
    .addTag('users', 'Signup with a verification token')
    .addTag('admin', 'Operator API: Authorization: Bearer <admin key> with scopes')
    .addTag('operations', 'Health probes and metrics')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'admin API key',
        description: 'An admin API key (`adm_...`, see `npm run admin:key`); each route needs a scope (`x-required-scopes`)',
      },
      ADMIN_SECURITY_SCHEME,
    )
    .build();
}

/**
 * Serves the OpenAPI document at `/docs-json` and the Swagger UI at `/docs`, unless DOCS_ENABLED
 * is off (the default in production: the document maps every route for an attacker).
 *
 * The document is built at its first request (boot does not pay for it). The UI's files come
 * from `swagger-ui-dist` (a dependency of @nestjs/swagger) through Fastify routes of our own:
 * `SwaggerModule.setup` serves them on Fastify with `@fastify/static`, which is not installed,
 * and it ends the process when that package is missing. With @fastify/static installed,
 * `SwaggerModule.setup('docs', app, document)` alone would do the same.
 */
export function setupOpenApi(app: NestFastifyApplication): void {
  if (!app.get<AppConfig>(APP_CONFIG, { strict: false }).docsEnabled) return;
  const document = (): OpenAPIObject => SwaggerModule.createDocument(app, openApiConfig());
  SwaggerModule.setup(OPENAPI_UI_PATH.slice(1), app, document, { ui: false, raw: ['json'] });
  serveSwaggerUi(app);
}

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

function serveSwaggerUi(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const logger = new Logger('OpenApi');
  const cache = new Map<string, Promise<Buffer>>();
  let assetsDir: Promise<string> | undefined;
  const asset = (name: string): Promise<Buffer> => {
    let file = cache.get(name);
    if (!file) {
      assetsDir ??= swaggerUiDistPath();
      file = assetsDir.then((dir) => readFile(join(dir, name)));
      file.catch(() => cache.delete(name));
      cache.set(name, file);
    }
    return file;
  };

  const page = (reply: FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(SWAGGER_UI_HTML);
  fastify.get(OPENAPI_UI_PATH, (_request, reply) => page(reply));
  fastify.get(`${OPENAPI_UI_PATH}/`, (_request, reply) => page(reply));
  fastify.get(`${OPENAPI_UI_PATH}/swagger-ui-init.js`, (_request, reply) =>
    reply.type('application/javascript; charset=utf-8').header('cache-control', 'no-cache').send(SWAGGER_UI_INIT_JS),
  );
  for (const [name, type] of Object.entries(ASSETS)) {
    fastify.get(`${OPENAPI_UI_PATH}/${name}`, async (_request, reply) => {
      try {
        const body = await asset(name);
        return reply.type(type).header('cache-control', 'public, max-age=3600').send(body);
      } catch (error) {
        logger.warn(`Swagger UI file ${name} unavailable: ${(error as Error).name}`);
        return reply.code(404).type('text/plain; charset=utf-8').send('Swagger UI files are not installed (swagger-ui-dist)');
      }
    });
  }
}

/** The folder of swagger-ui-dist (installed with @nestjs/swagger). */
async function swaggerUiDistPath(): Promise<string> {
  // A specifier in a variable: the package has no type declarations, and the import must stay a
  // real dynamic import both in the CommonJS build and under Jest's ESM mode.
  const specifier: string = 'swagger-ui-dist/absolute-path.js';
  const loaded = (await import(specifier)) as { default?: () => string } | (() => string);
  const absolutePath = typeof loaded === 'function' ? loaded : loaded.default;
  if (typeof absolutePath !== 'function') throw new Error('swagger-ui-dist/absolute-path.js exports no function');
  return absolutePath();
}

const SWAGGER_UI_HTML = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Identity verification API</title>
  <link rel="stylesheet" type="text/css" href="${OPENAPI_UI_PATH}/swagger-ui.css">
  <link rel="icon" type="image/png" href="${OPENAPI_UI_PATH}/favicon-32x32.png" sizes="32x32">
  <link rel="icon" type="image/png" href="${OPENAPI_UI_PATH}/favicon-16x16.png" sizes="16x16">
  <style>html { box-sizing: border-box; overflow-y: scroll; } *, *:before, *:after { box-sizing: inherit; } body { margin: 0; background: #fafafa; }</style>
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${OPENAPI_UI_PATH}/swagger-ui-bundle.js"></script>
  <script src="${OPENAPI_UI_PATH}/swagger-ui-init.js"></script>
</body>
</html>
`;

const SWAGGER_UI_INIT_JS = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(OPENAPI_JSON_PATH)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    displayRequestDuration: true,
    persistAuthorization: false,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
};
`;
