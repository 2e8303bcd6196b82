// postgres.js 3.4.9 (the latest release) can run a buffered write after its connection closed and
// dereference a null socket from a setImmediate: an uncaught TypeError that ends the process
// (porsager/postgres#1066, #1154, #1208; fixes proposed in #1168/#1176/#1209, not released).
// Our fault suite hits it when PostgreSQL connections are killed. Until a release carries the
// guard, this adds it to the installed driver: the write is dropped, since the close already
// rejected its query with CONNECTION_CLOSED. Idempotent; runs at `npm install` and in the image.
import console from "node:console";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const original = "  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)";
const guarded = "  function nextWrite(fn) {\n    if (!socket) { nextWriteTimer !== null && clearImmediate(nextWriteTimer); chunk = nextWriteTimer = null; return false } // llm-proxy: porsager/postgres#1208\n    const x = socket.write(chunk, fn)";

for (const flavour of ["src", "cjs/src", "cf/src"]) {
  const file = path.join(root, "node_modules/postgres", flavour, "connection.js");
  if (!existsSync(file)) continue;
  const text = readFileSync(file, "utf8");
  if (text.includes(guarded)) continue;
  if (!text.includes(original)) {
    console.warn(`patch-postgres: ${path.relative(root, file)} changed upstream; check whether it still needs the nextWrite guard`);
    continue;
  }
  writeFileSync(file, text.replace(original, guarded));
}
