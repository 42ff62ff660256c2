// Bundles src/ into dist/: one ES module with its source map, not minified, plus the page, the style sheet and the icon,
// copied as they are. The same source and locked packages give the same bytes (test.sh checks that dist/ is current).
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "dist");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(here, "src", "main.tsx")],
  bundle: true,
  format: "esm",
  target: "es2022",
  jsx: "automatic",
  jsxImportSource: "preact",
  minify: false,
  sourcemap: "linked",
  legalComments: "inline",
  charset: "utf8",
  outfile: join(out, "app.js"),
  absWorkingDir: here,
  logLevel: "warning",
});
for (const file of ["index.html", "app.css", "favicon.svg"]) {
  copyFileSync(join(here, "src", file), join(out, file));
}
