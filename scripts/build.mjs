// `npm run build` (also run by `prepare` at `npm ci`): compile src/ once into dist/ with tsc, then copy the
// files the compiled code reads beside itself (the browser islands and styles in src/web/assets); then bundle
// the server's entry into one file, dist/http/server.js, with esbuild (issue 16, item 3: loading some 700
// modules one by one was a large share of the start). The CLI and the worker threads keep tsc's files.
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
  cwd: root,
});
cpSync(join(src, 'web', 'assets'), join(dist, 'web', 'assets'), { recursive: true });

// The commune registry's sources in compact form, beside the module that reads them (load-geography.ts):
// 5.6 MB of JSON instead of the package’s 12.6 MB, about 0.2 s less at each start of the server.
{
  const geography = join(dist, 'services', 'geography');
  const { COMPACT_PACKAGE_SOURCES, readPackageSources } = await import(
    pathToFileURL(join(geography, 'load-geography.js')).href
  );
  writeFileSync(join(geography, COMPACT_PACKAGE_SOURCES), JSON.stringify(readPackageSources()));
}

const serverBundle = join(dist, 'http', 'server.js');

/**
 * Packages left to Node's loader, resolved in node_modules at run time: those that read files beside their
 * own code (WebAssembly, fonts, static pages), load a native addon, or are only loaded on first use anyway.
 */
const EXTERNAL = [
  '@electric-sql/pglite', // WebAssembly and its data files
  '@node-rs/argon2', // native addon, one package per platform
  'highs', // WebAssembly (exact solver, in a worker thread of tsc's files)
  'pdfkit', // fonts read beside its code; loaded on the first poster or PDF
  'qrcode', // loaded on the first poster or survey link: not parsed at each start
  '@fastify/swagger-ui', // serves its own static files
  'pg-native', // optional in pg, never installed
];

/**
 * A module that finds files from its own address (`import.meta.url`) would look beside the bundle: each one
 * gets instead the address of its tsc-compiled twin under dist/, which stays in place.
 */
const ownAddress = {
  name: 'import-meta-url-of-compiled-twin',
  setup(bundler) {
    bundler.onLoad({ filter: /\.ts$/ }, (args) => {
      if (!args.path.startsWith(src + sep)) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const twin = join(dist, relative(src, args.path)).replace(/\.ts$/, '.js');
      const address = relative(dirname(serverBundle), twin).split(sep).join('/');
      return {
        contents: text.replaceAll(
          'import.meta.url',
          `new URL(${JSON.stringify(address)}, import.meta.url).href`,
        ),
        loader: 'ts',
      };
    });
  },
};

await build({
  entryPoints: [join(src, 'http', 'server.ts')],
  outfile: serverBundle,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  sourcesContent: false,
  // Less text to parse at each start (7 → 4.8 MB); names are kept, so stack traces and `name`-reading code stay.
  minifyWhitespace: true,
  minifySyntax: true,
  external: EXTERNAL,
  plugins: [ownAddress],
  // The map points at src/ and node_modules/, which sit beside dist/: no copy of the sources inside it (a 13 MB
  // map parsed at each start under --enable-source-maps cost about a second of CPU; 4 MB without them).
  // The CommonJS packages inside the bundle call `require` for Node's own modules and the external packages.
  // Bundled packages that use `__dirname` (pino's and thread-stream's transport workers, @fastify/swagger's
  // reading of its own package.json) only do so for features not used here, or inside a try.
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
