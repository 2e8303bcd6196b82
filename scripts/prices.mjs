#!/usr/bin/env node
// Writes the proxy's built-in price table (packages/proxy/src/usage/prices.json) from the pinned
// @pydantic/genai-prices package: its OpenAI and Anthropic models with a per-token price, in the
// PRICING_PATH shape (`models: { <name or glob>: { input, output, cached_input? } }`, USD per 1M
// tokens). Run after bumping that package: `npm run prices`.
import console from "node:console";
import fs from "node:fs";
import { URL } from "node:url";
import { findProvider } from "@pydantic/genai-prices";

const pkg = JSON.parse(fs.readFileSync(new URL("../node_modules/@pydantic/genai-prices/package.json", import.meta.url), "utf8"));
const OUT = new URL("../packages/proxy/src/usage/prices.json", import.meta.url);
// The package's publication date (`npm view @pydantic/genai-prices time`): when its data was taken.
const TAKEN_AT = { "0.1.8": "2026-09-23" }[pkg.version];
if (!TAKEN_AT) throw new Error(`add the publication date of @pydantic/genai-prices ${pkg.version} to scripts/prices.mjs`);

/** Names and globs a match rule covers; rules that are neither (`and`, odd regexes) are skipped. */
function names(match) {
  if (match.equals) return [match.equals];
  if (match.starts_with) return [`${match.starts_with}*`];
  if (match.contains) return [`*${match.contains}*`];
  if (match.or) return match.or.flatMap(names);
  if (match.regex) {
    const literal = /^\^((?:[A-Za-z0-9_:-]|\\\.)+)/.exec(match.regex)?.[1];
    return literal ? [`${literal.replaceAll("\\.", ".")}*`] : [];
  }
  return [];
}

const base = (p) => (typeof p === "number" ? p : typeof p?.base === "number" ? p.base : undefined);

/** The prices in force on TAKEN_AT: the latest dated entry that had started, tiers at their base. */
function current(prices) {
  if (!Array.isArray(prices)) return prices;
  const started = prices.filter((c) => !c.constraint || (c.constraint.type === "start_date" && c.constraint.start_date <= TAKEN_AT));
  return started.at(-1)?.prices ?? {};
}

const models = {};
for (const providerId of ["openai", "anthropic"]) {
  for (const m of findProvider({ providerId }).models) {
    const p = current(m.prices);
    const input = base(p.input_mtok);
    if (input === undefined) continue; // priced per second, image or search: not a token price
    const entry = { input, output: base(p.output_mtok) ?? 0 };
    const cached = base(p.cache_read_mtok);
    if (cached !== undefined) entry.cached_input = cached;
    for (const name of names(m.match)) models[name] ??= entry;
  }
}

const source = `@pydantic/genai-prices ${pkg.version} (npm; data of github.com/pydantic/genai-prices), OpenAI and Anthropic`;
// One model a line, so that a price change reads as a one-line diff.
const lines = Object.entries(models)
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([name, entry]) => `  ${JSON.stringify(name)}: ${JSON.stringify(entry)}`);
fs.writeFileSync(OUT, `{\n "source": ${JSON.stringify(source)},\n "taken_at": "${TAKEN_AT}",\n "models": {\n${lines.join(",\n")}\n }\n}\n`);
console.log(`${Object.keys(models).length} model names and globs written to ${OUT.pathname}`);
