// Copies the API reference renderer (Scalar's standalone browser bundle) from node_modules into the
// Workers Static Assets directory, so /docs renders offline and the 4 MB bundle never enters the Worker
// script. The copy is not committed (public/.gitignore); `npm run dev`, `npm test` and `npm run deploy`
// run this first. Writes nothing when the copy is already current.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");
const OUT_DIR = path.join(ROOT, "public/docs/assets/vendor");
const OUT = path.join(OUT_DIR, "scalar-api-reference.js");

// The package's exports map hides these files, so read them by path.
const pkgDir = path.join(ROOT, "node_modules/@scalar/api-reference");
const { version, license } = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8")) as { version: string; license: string };

// The source map is not shipped: drop the comment that would send devtools looking for it.
const bundle = readFileSync(path.join(pkgDir, "dist/browser/standalone.js"), "utf8").replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");
const content = `/*! @scalar/api-reference ${version} (${license}), vendored by scripts/docs/vendor-assets.ts */\n${bundle}`;

if (existsSync(OUT) && readFileSync(OUT, "utf8") === content) {
  console.log(`docs: @scalar/api-reference ${version} already in public/docs/assets/vendor`);
} else {
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(OUT, content);
  console.log(`docs: copied @scalar/api-reference ${version} into public/docs/assets/vendor`);
}
