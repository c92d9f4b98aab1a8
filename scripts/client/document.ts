// GET /v1/openapi.json as src/app.ts serves it, built in this Node process with no server and no
// bindings (the document needs none), as scripts/check-openapi.ts does.

export type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, unknown>;
  webhooks?: Record<string, unknown>;
  [key: string]: unknown;
};

export async function openapiDocument(): Promise<OpenApiDocument> {
  // imported by a computed path: src/ is type-checked against the Workers types (tsconfig.json), which
  // clash with this Node project's DOM and Node types
  const appModule = "../../src/app";
  const { createApp } = (await import(appModule)) as { createApp: () => { request(path: string, init: object, env: object): Promise<Response> } };
  const res = await createApp().request("/v1/openapi.json", {}, {});
  if (res.status !== 200) throw new Error(`GET /v1/openapi.json → ${res.status}: ${await res.text()}`);
  return (await res.json()) as OpenApiDocument;
}
