// Field paths placed in YAML text (validate -f's file:line:column).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fieldPosition, pathSegments } from "../../src/cli/yamlpos.js";

const doc = `apiVersion: v1
kind: X
metadata:
  name: a
  annotations:
    istio.io/dry-run: "true"
spec:
  http:
  - match:
    - headers:
        x.user.id:
          exact: "1"
  - route: []
`;

describe("fieldPosition", () => {
  it("splits paths with indexes and bracketed keys", () => {
    assert.deepEqual(pathSegments("spec.http[0].match[1].uri"), ["spec", "http", 0, "match", 1, "uri"]);
    assert.deepEqual(pathSegments("metadata.annotations[istio.io/dry-run]"), ["metadata", "annotations", "istio.io/dry-run"]);
  });
  it("finds keys, list items and keys that hold dots", () => {
    assert.deepEqual(fieldPosition(doc, "metadata.name"), { line: 4, column: 3 });
    assert.deepEqual(fieldPosition(doc, "metadata.annotations[istio.io/dry-run]"), { line: 6, column: 5 });
    assert.deepEqual(fieldPosition(doc, "spec.http[0].match[0].headers.x.user.id.exact"), { line: 12, column: 11 });
    assert.deepEqual(fieldPosition(doc, "spec.http[1].route"), { line: 13, column: 5 });
  });
  it("falls back to the deepest field that exists", () => {
    assert.deepEqual(fieldPosition(doc, "spec.http[1].route[0].destination.host"), { line: 13, column: 5 });
    assert.deepEqual(fieldPosition(doc, "spec.nothing"), { line: 7, column: 1 });
  });
});
