import { existsSync } from "node:fs";
import path from "node:path";
import { println, type Context } from "./context.js";
import { writePrivateDotenv } from "./dotenv.js";
import { UsageError } from "./errors.js";
import { generateEncryptionKey, generateManagementToken } from "./secrets.js";

/** `setup --local`: a .env (mode 0600) with fresh secrets and the chosen settings. */
export async function setupLocal(file: string, force: boolean, config: Map<string, string>, ctx: Context): Promise<void> {
  if (existsSync(file) && !force) {
    throw new UsageError(`${file} exists: it holds the ENCRYPTION_KEY your stored keys are sealed with; pass --force to replace it`);
  }
  const lines = [
    "# Written by `llm-proxy setup --local`. Secrets: keep this file private (mode 0600), never commit it.",
    `MANAGEMENT_TOKEN=${generateManagementToken()}`,
    `ENCRYPTION_KEY=${generateEncryptionKey()}`,
    "REQUIRE_ENCRYPTION_KEY=true",
    ...[...config].map(([name, value]) => `${name}=${value}`),
  ];
  await writePrivateDotenv(file, lines, force);
  const rel = path.relative(ctx.cwd, file) || file;
  println(ctx.stdout, `wrote ${rel} (mode 0600): MANAGEMENT_TOKEN, ENCRYPTION_KEY${config.size ? `, ${[...config.keys()].join(", ")}` : ""}`);
  println(ctx.stdout);
  println(ctx.stdout, "Next:");
  println(ctx.stdout, `  node --env-file=${rel} --enable-source-maps packages/proxy/dist/main.js`);
  println(ctx.stdout, "  npx llm-proxy project create --name my-app --api-key-stdin < openai-key.txt   # reads MANAGEMENT_TOKEN from ./.env");
  println(ctx.stdout, "  npx llm-proxy token create --project <project id>");
}
