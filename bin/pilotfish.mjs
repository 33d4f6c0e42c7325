#!/usr/bin/env node
// Entry point: runs the compiled bundle in dist/ (`make build` / `npm run build` writes it; the image ships it).
// The TypeScript sources are never run from here: tests and tools that want them use `node --import tsx`.
import { existsSync } from "node:fs";
import module from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const entry = path.join(root, "dist", "cli", "main.js");
if (!existsSync(entry)) {
  process.stderr.write(
    `pilotfish: ${path.relative(process.cwd(), entry) || entry} is missing: this checkout has not been built.\n` +
      `Run \`make build\` (or \`npm run build\`) in ${root} first.\n`,
  );
  process.exit(2);
}
// Node >= 22.1 keeps V8's compiled code of the modules below on disk (the image's Node): later starts skip
// parsing and compiling them. Node 20 has no such cache; a cache directory that cannot be written is ignored.
module.enableCompileCache?.();
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv.slice(2));
