// Run by `npm install` (scripts/build.mjs --prepare): makes the initialised database that a first
// embedded start copies instead of running initdb (see embedded-init.ts).
import { defaultTemplateDir, ensureTemplate } from "./embedded-init.js";

await ensureTemplate(await defaultTemplateDir());
