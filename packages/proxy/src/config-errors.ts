// The one ConfigError and duration parser (@llm-proxy/config), for modules that must not import
// config.ts (it imports them: gateway/providers.ts, storage/lock.ts, security/key-check.ts).
export { ConfigError, parseDuration } from "@llm-proxy/config";
