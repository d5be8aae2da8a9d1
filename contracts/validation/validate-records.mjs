#!/usr/bin/env node
// Validates Kafka event records against the committed JSON Schemas with ajv (draft 2020-12), so the
// schemas are proven by a validator that shares no code with the Python that generates them.
//
// Usage: node validate-records.mjs <schemas dir> < records.jsonl
// Each input line is one record: {"value": "<the record value, an event envelope as JSON text>"}.
// The envelope is checked against <schemas dir>/envelope.json and its payload against the schema
// whose x-event-type and x-schema-version match the envelope (found by those, not by file name, so
// records on a test's own topic are judged too). Prints one JSON report on stdout:
//   {"checked": n, "by_type": {"Type.vN": count}, "invalid": [{"record": i, "event_type", "schema_version",
//    "errors": [{"path", "message"}]}]}
// and exits 1 when a record is invalid, 2 when the input or the schemas cannot be read. Errors name
// the place and the rule, never the value: a record may hold personal data.

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

function fail(message) {
  process.stderr.write(`validate-records: ${message}\n`);
  process.exit(2);
}

function loadSchemas(dir) {
  const envelope = JSON.parse(readFileSync(join(dir, "envelope.json"), "utf8"));
  const events = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const file of readdirSync(join(dir, entry.name))) {
      if (file.endsWith(".json")) events.push(JSON.parse(readFileSync(join(dir, entry.name, file), "utf8")));
    }
  }
  if (events.length === 0) fail(`no event schemas under ${dir}`);
  return { envelope, events };
}

// Every "x-..." annotation the schemas use, declared as a vocabulary so ajv's strict mode accepts
// them and still rejects any other unknown keyword.
function annotationKeywords(schemas) {
  const found = new Set();
  const walk = (node) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if (key.startsWith("x-")) found.add(key);
        else walk(value);
      }
    }
  };
  schemas.forEach(walk);
  return [...found];
}

function describe(errors) {
  return (errors || []).map((e) => ({ path: e.instancePath || "/", message: `${e.keyword}: ${e.message}` }));
}

function main() {
  const dir = process.argv[2];
  if (!dir) fail("usage: node validate-records.mjs <schemas dir> < records.jsonl");
  const { envelope, events } = loadSchemas(dir);
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  ajv.addVocabulary(annotationKeywords([envelope, ...events]));
  const checkEnvelope = ajv.compile(envelope);
  const payloadCheckers = new Map(
    events.map((schema) => [`${schema["x-event-type"]}.v${schema["x-schema-version"]}`, ajv.compile(schema)]),
  );

  const lines = readFileSync(0, "utf8").split("\n").filter((line) => line.trim() !== "");
  const report = { checked: 0, by_type: {}, invalid: [] };
  lines.forEach((line, index) => {
    let record;
    try {
      record = JSON.parse(JSON.parse(line).value);
    } catch {
      report.invalid.push({ record: index, errors: [{ path: "/", message: "the value is not JSON" }] });
      return;
    }
    report.checked += 1;
    const key = `${record.event_type}.v${record.schema_version}`;
    report.by_type[key] = (report.by_type[key] || 0) + 1;
    const errors = [];
    if (!checkEnvelope(record)) errors.push(...describe(checkEnvelope.errors));
    const checkPayload = payloadCheckers.get(key);
    if (!checkPayload) errors.push({ path: "/event_type", message: `no committed schema for ${key}` });
    else if (!checkPayload(record.payload)) {
      errors.push(...describe(checkPayload.errors).map((e) => ({ ...e, path: `/payload${e.path === "/" ? "" : e.path}` })));
    }
    if (errors.length > 0) {
      report.invalid.push({ record: index, event_type: record.event_type, schema_version: record.schema_version, errors });
    }
  });
  process.stdout.write(JSON.stringify(report) + "\n");
  process.exit(report.invalid.length > 0 ? 1 : 0);
}

main();
