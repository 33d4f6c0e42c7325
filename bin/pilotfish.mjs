#!/usr/bin/env node
// Entry point. In a source checkout the TypeScript sources run through tsx (no stale build to trip over);
// an installed image ships only dist/ and runs the compiled JavaScript.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const src = path.join(root, "src", "cli", "main.ts");
let entry;
if (existsSync(src) && process.env.PILOTFISH_DIST !== "1") {
  const { register } = await import("tsx/esm/api");
  register();
  entry = src;
} else {
  entry = path.join(root, "dist", "cli", "main.js");
}
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv.slice(2));
