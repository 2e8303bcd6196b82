import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/dist/**", ".sst/**", "**/*.d.ts", "data/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-exports": ["error", { restrictDefaultExports: { direct: true, named: true, defaultFrom: true } }],
    },
  },
  {
    // Routes and pages never talk to drivers; adapters never import Hono.
    files: ["packages/proxy/src/api/**", "packages/proxy/src/admin/**", "packages/proxy/src/gateway/**"],
    rules: {
      "no-restricted-imports": ["error", { paths: ["postgres", "ioredis", "@electric-sql/pglite"] }],
    },
  },
  {
    files: ["packages/proxy/src/storage/**", "packages/proxy/src/*/store.ts", "packages/proxy/src/*/redis.ts", "packages/proxy/src/*/memory.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: ["hono", "hono/*", "@hono/*"] }] },
  },
  {
    // Tool configs need a default export.
    files: ["vitest.config.ts", "eslint.config.js", "sst.config.ts", "**/vitest.config.ts"],
    rules: { "no-restricted-exports": "off", "@typescript-eslint/triple-slash-reference": "off" },
  },
);
