import type { StageSettings } from "./stage";

/**
 * Your deployment's settings, per stage, on top of the presets in stage.ts. Validated at
 * `sst deploy` and by `npm run cost`. Example:
 *
 *   prod: { domainName: "llm.example.com", hostedZoneId: "Z0123456789", alarmEmail: "ops@example.com" },
 *   staging: { taskSubnets: "public", natType: "none", natGateways: 0 },
 */
export const stageOverrides: Partial<Record<string, Partial<StageSettings>>> = {};
