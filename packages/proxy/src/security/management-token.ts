import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { safeEqual } from "./secrets.js";

export interface TokenFile {
  token: string;
  /** True when this call created the file (main prints the token once). */
  generated: boolean;
  file: string;
}

/** Embedded mode only: a management token generated on first start and kept (0600) in the data dir. */
export async function embeddedManagementToken(dataDir: string): Promise<TokenFile> {
  const file = path.join(dataDir, "management-token");
  try {
    return { token: (await fs.readFile(file, "utf8")).trim(), generated: false, file };
  } catch {
    const token = randomBytes(32).toString("base64url");
    await fs.mkdir(dataDir, { recursive: true });
    await fs.writeFile(file, token + "\n", { mode: 0o600 });
    return { token, generated: true, file };
  }
}

/** The token file, as the sign-in page names it: only while it exists and holds the token in use. */
export function currentTokenFile(file: string, token: string): () => Promise<string | undefined> {
  return async () => {
    const held = await fs.readFile(file, "utf8").catch(() => undefined);
    if (held === undefined || !safeEqual(held.trim(), token)) return undefined;
    const relative = path.relative(process.cwd(), file);
    return relative.startsWith("..") ? file : relative;
  };
}
