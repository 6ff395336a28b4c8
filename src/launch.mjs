#!/usr/bin/env node
/**
 * Runs a TypeScript entry point (`src/main.ts`, `src/cli.ts`) from source, fast: esbuild compiles our
 * own files into one ES module (dependencies stay in node_modules and load natively), writes it to
 * node_modules/.cache/qingfeng (tsx runs the sources when that is read-only), and Node imports it
 * with source maps on, so stack traces name the .ts lines. Running every module through tsx's loader
 * hooks instead cost about a second and 50 MB at every start (BENCHMARKS.md, start-up). Compiling
 * takes ~0.1 s at each start; nothing is built ahead of time and nothing is stale.
 *
 *   node src/launch.mjs src/main.ts
 *   node src/launch.mjs src/cli.ts migrate
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = process.argv[2];
if (!entry?.endsWith('.ts')) {
  process.stderr.write('用法：node src/launch.mjs src/main.ts [参数…]\n');
  process.exit(2);
}

/** Each file keeps its own `import.meta.url` (files next to it, `createRequire`), not the bundle's. */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replaceAll(
        'import.meta.url',
        JSON.stringify(pathToFileURL(args.path).href),
      ),
      loader: 'ts',
    }));
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints: [resolve(root, entry)],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  outfile: join(root, 'node_modules', '.cache', 'qingfeng', `${basename(entry, '.ts')}.mjs`),
  write: false,
  logLevel: 'error',
  plugins: [ownImportMetaUrl],
});

/**
 * Writes the output files into `dir`; several processes may start at once (replicas on one host,
 * the test suite), so each writes its own temporary file and renames it into place.
 */
function writeInto(dir) {
  mkdirSync(dir, { recursive: true });
  let code = '';
  // The map first, so the module never points at a map that is not there yet.
  for (const file of [...result.outputFiles].sort((a) => (a.path.endsWith('.map') ? -1 : 1))) {
    const path = join(dir, basename(file.path));
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, file.contents);
    renameSync(tmp, path);
    if (path.endsWith('.mjs')) code = path;
  }
  return code;
}

let outfile;
try {
  outfile = writeInto(dirname(result.outputFiles[0].path));
} catch (err) {
  // node_modules is read-only here: the bundle has to sit inside the project for its bare imports to
  // find the packages, so run the sources through tsx's loader instead (slower to start, same bot).
  process.stderr.write(`（无法写入编译缓存，改用 tsx 运行：${err instanceof Error ? err.message : err}）\n`);
}

process.setSourceMapsEnabled(true);
// The entry sees the arguments it would see when run directly: [node, entry, …].
process.argv.splice(1, 2, resolve(root, entry));
if (outfile) {
  await import(pathToFileURL(outfile).href);
} else {
  const tsx = await import('tsx/esm/api').catch(() => undefined);
  if (!tsx) {
    process.stderr.write('无法启动：node_modules/.cache 不可写，且未安装 tsx（npm ci 不带 --omit=dev 即可）。\n');
    process.exit(1);
  }
  tsx.register();
  await import(pathToFileURL(resolve(root, entry)).href);
}
