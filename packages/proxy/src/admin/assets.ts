import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Hono } from "hono";

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

export interface AssetUrls {
  bootstrapCss: string;
  iconsCss: string;
  bootstrapJs: string;
  adminCss: string;
  adminJs: string;
}

const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

function load(file: string, type: string): Asset {
  const body = fs.readFileSync(file);
  return { body, type, etag: `"${crypto.createHash("sha256").update(body).digest("base64url").slice(0, 22)}"` };
}

/** A cache-busting version made of digits only (the original's suite asserts `?v=\d+`), from the content. */
const versionOf = (a: Asset) => String(Number.parseInt(crypto.createHash("sha256").update(a.body).digest("hex").slice(0, 12), 16));

/**
 * Bootstrap, Bootstrap Icons and the admin's own CSS/JS, read once at start from the npm packages
 * and this folder: deployments may give browsers no internet access, so nothing comes from a CDN.
 */
export function adminAssets(): { routes: Hono; urls: AssetUrls } {
  const bootstrap = packageDir("bootstrap");
  const icons = packageDir("bootstrap-icons");
  const own = (name: string) => fileURLToPath(new URL(`./static/${name}`, import.meta.url));
  const files: Record<string, Asset> = {
    "/static/vendor/bootstrap/bootstrap.min.css": load(path.join(bootstrap, "dist/css/bootstrap.min.css"), "text/css; charset=utf-8"),
    "/static/vendor/bootstrap/bootstrap.bundle.min.js": load(path.join(bootstrap, "dist/js/bootstrap.bundle.min.js"), "text/javascript; charset=utf-8"),
    "/static/vendor/bootstrap-icons/bootstrap-icons.min.css": load(path.join(icons, "font/bootstrap-icons.min.css"), "text/css; charset=utf-8"),
    "/static/vendor/bootstrap-icons/fonts/bootstrap-icons.woff2": load(path.join(icons, "font/fonts/bootstrap-icons.woff2"), "font/woff2"),
    "/static/vendor/bootstrap-icons/fonts/bootstrap-icons.woff": load(path.join(icons, "font/fonts/bootstrap-icons.woff"), "font/woff"),
    "/static/css/admin.css": load(own("admin.css"), "text/css; charset=utf-8"),
    "/static/js/admin.js": load(own("admin.js"), "text/javascript; charset=utf-8"),
  };
  const url = (p: string) => {
    const asset = files[p];
    if (!asset) throw new Error(`unknown asset ${p}`);
    return `${p}?v=${versionOf(asset)}`;
  };
  const routes = new Hono();
  for (const [p, asset] of Object.entries(files)) {
    routes.get(p, (c) => {
      // Versioned URLs never change content, so browsers may keep them for a year.
      const cache = c.req.query("v") ? "public, max-age=31536000, immutable" : "public, max-age=300";
      if (c.req.header("if-none-match") === asset.etag) return c.body(null, 304, { ETag: asset.etag, "Cache-Control": cache });
      return c.body(new Uint8Array(asset.body), 200, { "Content-Type": asset.type, ETag: asset.etag, "Cache-Control": cache });
    });
  }
  return {
    routes,
    urls: {
      bootstrapCss: url("/static/vendor/bootstrap/bootstrap.min.css"),
      iconsCss: url("/static/vendor/bootstrap-icons/bootstrap-icons.min.css"),
      bootstrapJs: url("/static/vendor/bootstrap/bootstrap.bundle.min.js"),
      adminCss: url("/static/css/admin.css"),
      adminJs: url("/static/js/admin.js"),
    },
  };
}
