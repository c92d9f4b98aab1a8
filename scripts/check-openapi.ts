// `npm run openapi:check` (part of `npm test`): builds the app in Node, takes its GET /v1/openapi.json
// and validates it against the OpenAPI 3.1 JSON Schema. It runs here rather than in the Workers
// runtime because the schema validator (Ajv) compiles code at run time, which workerd forbids.
import { Validator } from "@seriousme/openapi-schema-validator";

// imported by a computed path: src/ is type-checked against the Workers types (tsconfig.json), which
// clash with this Node project's DOM and Node types
const appModule = "../src/app";
const { createApp } = (await import(appModule)) as { createApp: () => { request(path: string, init: object, env: object): Promise<Response> } };

const res = await createApp().request("/v1/openapi.json", {}, {}); // the document needs no bindings
if (res.status !== 200) throw new Error(`GET /v1/openapi.json → ${res.status}: ${await res.text()}`);
const doc = (await res.json()) as { openapi: string; paths: Record<string, object>; webhooks?: Record<string, object> };

const result = await new Validator().validate(doc);
const operations = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
if (!result.valid || doc.openapi !== "3.1.0") {
  console.error(`/v1/openapi.json is not a valid OpenAPI 3.1 document (openapi: ${doc.openapi}):`);
  console.error(JSON.stringify(result.errors, null, 2));
  process.exit(1);
}
console.log(`openapi: /v1/openapi.json is valid OpenAPI ${doc.openapi} (${operations} operations, ${Object.keys(doc.webhooks ?? {}).length} webhooks)`);
