import manifest from "../package.json" with { type: "json" };

/** The proxy's version, read from its package.json: health, metrics, the admin footer and the upstream `x-proxy-version` header. */
export const VERSION: string = manifest.version;
