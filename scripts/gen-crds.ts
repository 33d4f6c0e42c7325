// Writes charts/pilotfish/crds/istio.yaml from the validator's schemas (`make crds`).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as yaml from "js-yaml";
import { CRDS_FILE, renderCrdsYaml } from "../src/webhook/validate/crds.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
fs.writeFileSync(path.join(root, CRDS_FILE), renderCrdsYaml((o) => yaml.dump(o, { noRefs: true, lineWidth: -1 })));
console.log(`wrote ${CRDS_FILE}`);
