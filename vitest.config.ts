import path from "node:path";
import { defineConfig } from "vitest/config";

// One Pulumi runtime for SST's platform sources and the infra harness, so the mocks apply.
const sstPlatform = path.resolve(import.meta.dirname, ".sst/platform/node_modules/@pulumi");

export default defineConfig({
  test: {
    // Suites start servers and databases; two cores do not gain from more workers.
    maxWorkers: 2,
    // Suites spawn the compiled entry points, as `npm start` runs them: build them once if stale.
    globalSetup: ["scripts/build.mjs"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.{ts,tsx}"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["packages/*/test/**/*.test.{ts,tsx}"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Synth tests need SST's platform sources: installed on demand when .sst/platform is missing.
        resolve: {
          alias: {
            "@pulumi/pulumi": path.join(sstPlatform, "pulumi"),
            "@pulumi/aws": path.join(sstPlatform, "aws"),
          },
        },
        test: {
          name: "infra",
          include: ["infra/test/**/*.test.ts"],
          globalSetup: ["infra/test/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
