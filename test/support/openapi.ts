/** The parts of an OpenAPI document the docs tests read. */
export interface OpenApiResponse {
  description?: string;
  content?: Record<string, { schema?: Record<string, unknown>; examples?: Record<string, { value: unknown }> }>;
  headers?: Record<string, unknown>;
  'x-error-codes'?: string[];
}

export interface OpenApiOperation {
  operationId: string;
  summary?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, OpenApiResponse>;
  'x-required-scopes'?: string[];
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, { type?: string; required?: string[]; properties?: Record<string, Record<string, unknown>> }>;
    securitySchemes?: Record<string, { type: string; scheme?: string }>;
  };
}

/** `METHOD /path` of every operation of the document. */
export function operationsOf(doc: OpenApiDocument): Map<string, OpenApiOperation> {
  const out = new Map<string, OpenApiOperation>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) out.set(`${method.toUpperCase()} ${path}`, operation);
  }
  return out;
}

/** The example a client (Swagger UI's "Try it out") builds from a schema's property examples. */
export function exampleOf(doc: OpenApiDocument, ref: string): Record<string, unknown> {
  const schema = doc.components.schemas[ref.replace('#/components/schemas/', '')];
  return Object.fromEntries(
    Object.entries(schema.properties ?? {})
      .filter(([, p]) => p.example !== undefined)
      .map(([name, p]) => [name, p.example]),
  );
}
