import { randomBytes } from "node:crypto";
import { ConfigError, loadConfig } from "@llm-proxy/proxy/src/config.js";
import { UsageError } from "./errors.js";
import { SECRETS, type SecretName } from "./sst.js";

/** 256 bits from the OS CSPRNG, URL-safe (it travels in Authorization headers and shells). */
export const generateManagementToken = () => randomBytes(32).toString("base64url");
/** What the proxy's ENCRYPTION_KEY expects: base64 of exactly 32 bytes. */
export const generateEncryptionKey = () => randomBytes(32).toString("base64");

/** The secrets the CLI can generate; the sink keys come from their providers. */
export const generators: Partial<Record<SecretName, () => string>> = {
  ManagementToken: generateManagementToken,
  EncryptionKey: generateEncryptionKey,
};

/** The proxy variable a secret becomes (checked by the proxy's own schema). */
const proxyVariable: Partial<Record<SecretName, string>> = { ManagementToken: "MANAGEMENT_TOKEN", EncryptionKey: "ENCRYPTION_KEY" };

export function checkSecretName(name: string): SecretName {
  const known = SECRETS.find((s) => s === name);
  if (!known) throw new UsageError(`unknown secret ${name} (infra/secrets.ts declares ${SECRETS.join(", ")})`);
  return known;
}

/** Rejects a value the services would refuse at boot, naming the secret but never the value. */
export function checkSecretValue(name: SecretName, value: string): void {
  const variable = proxyVariable[name];
  if (variable === undefined) return;
  if (value === "") throw new UsageError(`${name}: empty value`);
  try {
    loadConfig({ [variable]: value });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`${name}: ${err.message.replace(`${variable}: `, "")}`);
    throw err;
  }
}

/** How a secret shows without --reveal. */
export const masked = (value: string) => (value === "" ? "(empty)" : `set (${value.length} characters)`);
