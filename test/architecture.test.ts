// Registries and import rules (docs/design.md B2/B9): every command and job file is registered and named after
// its file; command words are unique after normalisation; action ids start with their command; job
// schedules are valid cron; commands/jobs/cards/domain/services import no SDK, node-cron, database
// driver or src/feishu/, never read process.env and never read the system clock; the rest of src/ reads
// the clock only in clock.ts, sandbox/, cli.ts and main.ts; text messages are built from constant strings
// or with textMessage (every interpolated value escaped).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import cron from 'node-cron';
import { describe, expect, it } from 'vitest';
import { commands } from '../commands/index.ts';
import { jobs } from '../jobs/index.ts';
import type { CommandModule } from '../src/core/contracts.ts';
import { normalizeWord } from '../src/router/parse.ts';
import { CommandRegistry } from '../src/router/registry.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function tsFiles(dir: string): string[] {
  const abs = join(ROOT, dir);
  return readdirSync(abs).flatMap((name) => {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) return tsFiles(join(dir, name));
    return name.endsWith('.ts') ? [join(dir, name)] : [];
  });
}

/** Source text with comments removed (strings, template literals and regex literals kept). */
function stripComments(src: string): string {
  let out = '';
  let i = 0;
  const braces: number[] = []; // template nesting: brace depth at each `${`
  let depth = 0;
  const regexAllowedAfter = /[(,=:[!&|?{};+\-*%<>~^]$|^$|\b(return|typeof|case|do|else|in|of|void|yield|await)$/;
  const readTemplate = () => {
    // at the character after ` or after the } closing a ${…}
    while (i < src.length) {
      const c = src[i] as string;
      if (c === '\\') {
        out += src.slice(i, i + 2);
        i += 2;
      } else if (c === '`') {
        out += c;
        i++;
        return;
      } else if (c === '$' && src[i + 1] === '{') {
        out += '${';
        i += 2;
        braces.push(depth);
        depth++;
        return;
      } else {
        out += c;
        i++;
      }
    }
  };
  while (i < src.length) {
    const c = src[i] as string;
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      i = end < 0 ? src.length : end + 2;
      out += ' ';
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
    } else if (c === '`') {
      out += c;
      i++;
      readTemplate();
    } else if (c === '{') {
      depth++;
      out += c;
      i++;
    } else if (c === '}') {
      depth--;
      out += c;
      i++;
      if (braces.length && braces[braces.length - 1] === depth) {
        braces.pop();
        readTemplate();
      }
    } else if (c === '/' && regexAllowedAfter.test(out.trimEnd())) {
      let j = i + 1;
      let inClass = false;
      while (j < src.length && src[j] !== '\n') {
        const d = src[j];
        if (d === '\\') j++;
        else if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) break;
        j++;
      }
      out += src.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function importsOf(src: string): string[] {
  const specs: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[\w*{}\s,$]*?\s*from\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of src.matchAll(re)) specs.push(m[1] as string);
  return specs;
}

const CLOCK_READS: [string, RegExp][] = [
  ['Date.now()', /\bDate\s*\.\s*now\s*\(/],
  ['new Date()', /\bnew\s+Date\s*\(\s*\)/],
  ['new Date without arguments', /\bnew\s+Date\b(?!\s*\()/],
];
const ENV_READS: RegExp[] = [
  /\bprocess\s*\.\s*env\b/,
  /\bprocess\s*\[\s*['"`]env['"`]\s*\]/,
  /\{[^}]*\benv\b[^}]*\}\s*=\s*process\b/,
];
const FORBIDDEN_PACKAGES = ['@larksuiteoapi/node-sdk', 'node-cron', 'better-sqlite3', 'pg'];

const source = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const code = (file: string) => stripComments(source(file));
/** A card module: src/cards, or a feature's cards and card contracts (pure: core and src/cards only). */
const isCardModule = (f: string) =>
  f.startsWith('src/cards/') || /^src\/features\/[^/]+\/([\w-]+-cards?|contracts)\.ts$/.test(f);
/** A feature's pure rules: its model (statuses, labels) and transitions. */
const isRulesModule = (f: string) => /^src\/features\/[^/]+\/(model|rules|held|[\w-]+-rules)\.ts$/.test(f);

const resolveSpec = (file: string, spec: string) =>
  spec.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), spec)) : spec;

describe('stripComments (the helper these rules rely on)', () => {
  it('drops comments and keeps code, strings, templates and regexes', () => {
    const template = '`x $' + "{'}'} // $" + '{a}`';
    const src = [
      '// Date.now() in a comment',
      '/* new Date() */ const a = "// not a comment";',
      `const r = /['"]\\/\\//g; const b = ${template};`,
      'const c = Date.now(); // trailing',
    ].join('\n');
    const out = stripComments(src);
    expect(out).not.toContain('in a comment');
    expect(out).not.toContain('new Date()');
    expect(out).not.toContain('trailing');
    expect(out).toContain('"// not a comment"');
    expect(out).toContain('/[\'"]\\/\\//g');
    expect(out).toContain(template);
    expect(out).toContain('Date.now()');
  });
});

describe('command registry', () => {
  const commandFiles = tsFiles('commands').filter((f) => f !== join('commands', 'index.ts'));

  it('lists every file in commands/ once, named after its file', async () => {
    expect(commandFiles.length).toBeGreaterThan(0);
    for (const file of commandFiles) {
      const mod = (await import(pathToFileURL(join(ROOT, file)).href)) as { default: CommandModule };
      expect(commands, `${file} is not in commands/index.ts`).toContain(mod.default);
      expect(mod.default.name).toBe(file.replace(/^commands[/\\]/, '').replace(/\.ts$/, ''));
    }
    expect(commands).toHaveLength(commandFiles.length);
    expect(new Set(commands).size).toBe(commands.length);
  });

  it('has unique names and aliases after normalisation', () => {
    expect(() => new CommandRegistry(commands)).not.toThrow();
    const words = commands.flatMap((c) => [c.name, ...c.aliases].map(normalizeWord));
    expect(words.filter((w, i) => words.indexOf(w) !== i)).toEqual([]);
    for (const c of commands) {
      expect(c.name).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(c.summary.trim()).not.toBe('');
      expect(c.usage.length).toBeGreaterThan(0);
    }
  });

  it('finds each command by its Chinese alias with and without the slash', () => {
    const registry = new CommandRegistry(commands);
    for (const c of commands) {
      for (const alias of c.aliases) {
        expect(registry.find(alias)?.name).toBe(c.name);
        expect(registry.find(`／${alias}`)?.name).toBe(c.name);
      }
    }
  });

  it('refuses duplicate words after normalisation', () => {
    const fake = (name: string, aliases: string[]) => ({
      ...(commands[0] as CommandModule),
      name,
      aliases,
      actions: {},
    });
    expect(() => new CommandRegistry([fake('help', ['帮助']), fake('other', ['／帮助'])])).toThrow(/帮助/);
    expect(() => new CommandRegistry([fake('help', []), fake('other', ['HELP'])])).toThrow(/HELP/);
  });

  it('prefixes every action id with its command name', () => {
    const registry = new CommandRegistry(commands);
    for (const c of commands) {
      for (const id of Object.keys(c.actions ?? {})) {
        expect(id.startsWith(`${c.name}.`), id).toBe(true);
        expect(registry.action(id)?.command).toBe(c);
      }
    }
  });
});

describe('job registry', () => {
  const jobFiles = tsFiles('jobs').filter((f) => f !== join('jobs', 'index.ts'));

  it('lists every file in jobs/ once, named after its file', async () => {
    expect(jobFiles.length).toBeGreaterThan(0);
    for (const file of jobFiles) {
      const mod = (await import(pathToFileURL(join(ROOT, file)).href)) as { default: (typeof jobs)[number] };
      expect(jobs, `${file} is not in jobs/index.ts`).toContain(mod.default);
      expect(mod.default.name).toBe(file.replace(/^jobs[/\\]/, '').replace(/\.ts$/, ''));
    }
    expect(jobs).toHaveLength(jobFiles.length);
    expect(new Set(jobs.map((j) => j.name)).size).toBe(jobs.length);
  });

  it('gives every job a valid cron schedule and something to do', () => {
    for (const job of jobs) {
      expect(cron.validate(job.schedule), `${job.name}: ${job.schedule}`).toBe(true);
      expect(Boolean(job.collect || job.run), job.name).toBe(true);
      expect(job.summary.trim()).not.toBe('');
    }
  });
});

describe('import and purity rules', () => {
  const featureDirs = ['commands', 'jobs', 'src/cards', 'src/domain', 'src/services', 'src/features'];
  const featureFiles = featureDirs.flatMap(tsFiles);

  it('finds the files it checks', () => {
    for (const dir of featureDirs)
      expect(
        featureFiles.some((f) => f.startsWith(dir)),
        dir,
      ).toBe(true);
  });

  it('feature code imports no SDK, scheduler, database driver or src/feishu/', () => {
    const violations: string[] = [];
    for (const file of featureFiles) {
      for (const spec of importsOf(source(file))) {
        const target = resolveSpec(file, spec);
        const pkg = FORBIDDEN_PACKAGES.find((p) => spec === p || spec.startsWith(`${p}/`));
        if (pkg || target.startsWith('src/feishu/')) violations.push(`${file} imports ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('feature code writes a text message only from a constant string or with textMessage/safeText', () => {
    // Stored text (a batch name, a template, a member's name) must never reach a text message unescaped:
    // `textMessage\`…${x}\`` escapes every value; a literal `{ type: 'text', text: … }` may only hold a
    // constant string.
    const violations: string[] = [];
    for (const file of featureFiles.filter((f) => f !== join('src', 'cards', 'text.ts'))) {
      const src = stripComments(source(file));
      for (const m of src.matchAll(/type:\s*'text'\s*,\s*text\b(\s*:\s*)?/g)) {
        const rest = src.slice((m.index ?? 0) + m[0].length);
        const constant = m[1] !== undefined && /^'(?:[^'\\\n]|\\.)*'\s*,?\s*\}/.test(rest);
        if (!constant) violations.push(`${file}: ${src.slice(m.index, (m.index ?? 0) + 80).replace(/\s+/g, ' ')}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('cards are built only in card modules (src/cards, each feature *-card(s).ts), which card-limits renders at their largest data', () => {
    // Elsewhere a file may read a long text back from a form (readLongText), nothing more of the card
    // pieces, and never spells a card's JSON itself.
    const violations: string[] = [];
    const allowed = new Set(['readLongText']);
    for (const file of tsFiles('commands')
      .concat(tsFiles('jobs'), tsFiles('src'))
      .filter((f) => !isCardModule(f) && !f.startsWith(join('src', 'sandbox')))) {
      const src = stripComments(source(file));
      for (const m of src.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
        if (!resolveSpec(file, m[2] as string).endsWith(join('src', 'cards', 'parts.ts'))) continue;
        const names = (m[1] as string)
          .split(',')
          .map((n) => n.trim().replace(/^type\s+/, ''))
          .filter(Boolean);
        for (const n of names) if (!allowed.has(n)) violations.push(`${file} imports ${n} from cards/parts.ts`);
      }
      if (/schema:\s*'2\.0'\s*,/.test(src)) violations.push(`${file} spells a card`);
    }
    expect(violations).toEqual([]);
  });

  it('commands and jobs do not import one another', () => {
    const violations: string[] = [];
    for (const dir of ['commands', 'jobs']) {
      for (const file of tsFiles(dir).filter((f) => !f.endsWith('index.ts'))) {
        for (const spec of importsOf(source(file))) {
          const target = resolveSpec(file, spec);
          if (target.startsWith('commands/') || target.startsWith('jobs/')) violations.push(`${file} imports ${spec}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('pure rules import only core and src/domain; card modules only core, src/cards and their own feature cards', () => {
    const violations: string[] = [];
    for (const file of [...tsFiles('src/domain'), ...tsFiles('src/features').filter(isRulesModule)]) {
      for (const spec of importsOf(source(file)).filter((s) => s.startsWith('.'))) {
        const target = resolveSpec(file, spec);
        const ok =
          target.startsWith('src/core/') ||
          target.startsWith('src/domain/') ||
          target.startsWith('src/db/schema') ||
          (isRulesModule(target) && dirname(target) === dirname(file));
        if (!ok) violations.push(`${file} imports ${spec}`);
      }
    }
    for (const file of [...tsFiles('src/cards'), ...tsFiles('src/features').filter(isCardModule)]) {
      for (const spec of importsOf(source(file)).filter((s) => s.startsWith('.'))) {
        const target = resolveSpec(file, spec);
        // A card counts and words what it shows as the records do: it may read its own feature's pure
        // rules (which import only core, src/domain and the schema's vocabulary) and that vocabulary.
        const ok =
          target.startsWith('src/core/') ||
          target.startsWith('src/cards/') ||
          target.startsWith('src/db/schema') ||
          ((isCardModule(target) || isRulesModule(target)) && dirname(target) === dirname(file));
        if (!ok) violations.push(`${file} imports ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('shared code never imports a feature: only entry points, the composition root and features do', () => {
    // Arrows run one way: commands/, jobs/ (and the composition root, the CLI and the sandbox's demo
    // world) → src/features → shared mechanisms → core.
    const entry = (f: string) =>
      f === 'src/app.ts' || f === 'src/main.ts' || f.startsWith('src/cli') || f.startsWith('src/sandbox/');
    const violations: string[] = [];
    for (const file of tsFiles('src').filter((f) => !f.startsWith('src/features/') && !entry(f))) {
      for (const spec of importsOf(source(file)).filter((s) => s.startsWith('.'))) {
        if (resolveSpec(file, spec).startsWith('src/features/')) violations.push(`${file} imports ${spec}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('feature code never reads process.env', () => {
    const violations = featureFiles.filter((file) => ENV_READS.some((re) => re.test(code(file))));
    expect(violations).toEqual([]);
  });

  it('feature code never reads the system clock', () => {
    const violations = featureFiles.flatMap((file) =>
      CLOCK_READS.filter(([, re]) => re.test(code(file))).map(([what]) => `${file}: ${what}`),
    );
    expect(violations).toEqual([]);
  });

  it('outside clock.ts, sandbox/, cli.ts and main.ts nothing in src/ reads the system clock', () => {
    const allowed = (f: string) =>
      f === 'src/clock.ts' || f.startsWith('src/sandbox/') || f === 'src/cli.ts' || f === 'src/main.ts';
    const violations = tsFiles('src')
      .filter((f) => !allowed(f))
      .flatMap((file) => CLOCK_READS.filter(([, re]) => re.test(code(file))).map(([what]) => `${file}: ${what}`));
    expect(violations).toEqual([]);
  });

  it('the clock rules catch what they should', () => {
    const hits = (s: string) => CLOCK_READS.filter(([, re]) => re.test(stripComments(s))).map(([w]) => w);
    expect(hits('const t = Date.now();')).toEqual(['Date.now()']);
    expect(hits('const d = new Date( );')).toEqual(['new Date()']);
    expect(hits('const d = new Date;')).toEqual(['new Date without arguments']);
    expect(hits('const d = new Date(now.getTime() + 1);')).toEqual([]);
    expect(hits("const d = new Date('2026-10-01');")).toEqual([]);
    expect(hits('// never call Date.now() here')).toEqual([]);
    expect(ENV_READS.some((re) => re.test('const { env } = process;'))).toBe(true);
    expect(importsOf("import {\n  a,\n  type B,\n} from '../src/feishu/client.ts';")).toEqual([
      '../src/feishu/client.ts',
    ]);
  });
});
