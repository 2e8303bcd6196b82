export { ConfigError, Problems } from "./errors.js";
export { FORMS, formatDuration, formatSize, parseAddress, parseBoolean, parseDuration, parseSize, parseWholeNumber, type Address } from "./values.js";
export { LOG_LEVELS, address, boolean, duration, hostPort, httpUrl, logLevel, oneOf, size, text, textOr, url, wholeNumber, type LogLevel } from "./fields.js";
export { checkVariable, cleanEnv, readEnv, type Env } from "./env.js";
export { linkedDatabaseUrl, linkedRedisUrl, linkedSecret, readSstLinks, type SstLinks } from "./sst-links.js";
export { cacheLinkUrl, isLoopbackHost, redisFields, resolveRedisUrl, withRedisPassword, type CacheLink } from "./redis-url.js";
export { loadDotenv, parseDotenv, type StartEnv } from "./dotenv.js";
export { HONOURED_ORIGINAL_SETTINGS, IGNORED_ORIGINAL_SETTINGS, ORIGINAL_CLI_ONLY_SETTINGS, ignoredOriginalSettings, ignoredSettingMessage, type Honoured } from "./original.js";
