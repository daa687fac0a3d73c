import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCommandLine } from '../bin/cli-args';
import { COST_COMMAND } from '../bin/cost';
import { DEPLOY_COMMAND } from '../bin/deploy';
import { PREFLIGHT_COMMAND } from '../bin/preflight';
import { RETIRE_COMMAND } from '../bin/retire-old-writer';
import { buildSubmission, SUBMIT_COMMAND } from '../bin/submit';
import { ENVIRONMENT_NAMES, loadConfig } from '../config';

const ROOT = path.join(__dirname, '..');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

function markdownFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? markdownFiles(full) : entry.name.endsWith('.md') ? [full] : [];
  });
}
const PAGES = [path.join(ROOT, 'README.md'), ...markdownFiles(path.join(ROOT, 'docs'))];
const read = (file: string) => fs.readFileSync(file, 'utf8');
const withoutCode = (text: string) => text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to dashes, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of markdown.replace(/```[\s\S]*?```/g, '').split('\n')) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const base = heading[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Every relative link of a page, as written. */
function relativeLinks(markdown: string): string[] {
  return [...withoutCode(markdown).matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((target) => !/^[a-z]+:/i.test(target));
}

/** Why a relative link is broken, or undefined. */
function brokenLink(page: string, target: string): string | undefined {
  const [file, anchor] = target.split('#');
  const resolved = file ? path.resolve(path.dirname(page), file) : page;
  if (!fs.existsSync(resolved)) return `${target}: no file ${path.relative(ROOT, resolved)}`;
  if (anchor && resolved.endsWith('.md') && !anchorsOf(read(resolved)).has(anchor))
    return `${target}: no heading #${anchor} in ${path.relative(ROOT, resolved)}`;
  return undefined;
}

/** The commands a page shows: every line of its code blocks and every inline code span. */
function commandsIn(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].flatMap((m) =>
    m[1]
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim()),
  );
  const inline = [...withoutCodeBlocks(markdown).matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
  return [...blocks, ...inline].filter((c) => /^(npm|npx) /.test(c));
}
const withoutCodeBlocks = (text: string) => text.replace(/```[\s\S]*?```/g, '');

/** The options each npm script accepts after `--`. */
const SPECS = {
  preflight: PREFLIGHT_COMMAND,
  deploy: DEPLOY_COMMAND,
  submit: SUBMIT_COMMAND,
  cost: COST_COMMAND,
  'retire-old-writer': RETIRE_COMMAND,
} as const;
/** Scripts that are not bin/ commands, and the only options they take. */
const PLAIN: Record<string, readonly string[]> = {
  'synth:all': ['--control-tower'],
  // scripts/bench.mjs's sections.
  bench: ['synth', 'handlers', 'readiness', 'test'],
};
const placeholder = (word: string) => /^(<.*>|[A-Z][A-Z_]*)$/.test(word);

/** Why a command a page shows would not run as written, or undefined. */
function brokenCommand(command: string): string | undefined {
  const words = command.split(/\s+/).filter((w) => w !== '&&' && w !== '/');
  for (let i = 0; i < words.length; i++) {
    if ((words[i] === '-c' || words[i] === '--context') && words[i + 1]?.startsWith('env=')) {
      const env = words[i + 1].slice(4);
      if (!placeholder(env) && !ENVIRONMENT_NAMES.includes(env)) return `${command}: no environment "${env}"`;
    }
  }
  const npmRun = /^npm run ([\w:-]+)(?: -- (.*))?$/.exec(command.split(' / ')[0].trim());
  if (!npmRun) return undefined;
  const [, script, rest = ''] = npmRun;
  if (!PACKAGE.scripts[script]) return `${command}: package.json has no script "${script}"`;
  const args = rest.split(/\s+/).filter(Boolean);
  const spec = SPECS[script as keyof typeof SPECS];
  if (!spec) {
    const allowed = PLAIN[script] ?? [];
    const unknown = args.filter((a) => !allowed.includes(a));
    return unknown.length ? `${command}: ${script} takes no ${unknown.join(' ')}` : undefined;
  }
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(args, spec);
  } catch (error) {
    return `${command}: ${(error as Error).message}`;
  }
  if (script === 'submit' && args.length > 0 && !args.some(placeholder)) {
    const built = buildSubmission(loadConfig(placeholder(parsed.env) ? 'dev' : parsed.env), parsed);
    if (!built.ok) return `${command}: ${built.message}`;
  }
  return undefined;
}

describe('the README and docs/', () => {
  it('reads every page', () => {
    expect(PAGES.map((p) => path.relative(ROOT, p))).toEqual(
      expect.arrayContaining(['README.md', 'docs/tests.md', 'docs/runbooks/failover.md', 'docs/cost.md']),
    );
  });

  it.each(PAGES.map((p) => [path.relative(ROOT, p), p]))(
    '%s: every relative link leads to a file and heading',
    (_name, page) => {
      const broken = relativeLinks(read(page))
        .map((target) => brokenLink(page, target))
        .filter(Boolean);
      expect(broken).toEqual([]);
    },
  );

  it('the README shows only commands that run as written', () => {
    const commands = commandsIn(read(path.join(ROOT, 'README.md')));
    expect(commands.length).toBeGreaterThan(15);
    expect(commands.map(brokenCommand).filter(Boolean)).toEqual([]);
  });

  it.each(
    PAGES.filter((p) => p.includes(`${path.sep}docs${path.sep}`)).map((p) => [path.relative(ROOT, p), p]),
  )('%s shows only commands that run as written', (_name, page) => {
    expect(commandsIn(read(page)).map(brokenCommand).filter(Boolean)).toEqual([]);
  });

  it('the README stays a map: at most about 250 lines, no first person, no stale counts', () => {
    const readme = read(path.join(ROOT, 'README.md'));
    expect(readme.split('\n').length).toBeLessThanOrEqual(260);
    expect(readme).not.toMatch(/\b(I|I've|I'm|my)\b/);
    expect(readme).not.toMatch(/\b\d{3} tests\b/);
  });
});

describe('the checks themselves', () => {
  it('find a missing file, a missing heading, and accept a good anchor', () => {
    const page = path.join(ROOT, 'README.md');
    expect(brokenLink(page, 'docs/nope.md')).toMatch(/no file docs\/nope\.md/);
    expect(brokenLink(page, 'docs/tests.md#nope')).toMatch(/no heading #nope in docs\/tests\.md/);
    expect(brokenLink(page, 'docs/tests.md#the-real-postgresql-pair')).toBeUndefined();
    expect(anchorsOf('# A, b: c\n## A, b: c\n## `x` (y)')).toEqual(new Set(['a-b-c', 'a-b-c-1', 'x-y']));
  });

  it('find an unknown script, an unknown option, an unknown environment, and a bad job', () => {
    expect(brokenCommand('npm run deplyo -- -c env=dev')).toMatch(/no script "deplyo"/);
    expect(brokenCommand('npm run submit -- -c env=dev --jobb 01-example-console')).toMatch(
      /Unknown option --jobb/,
    );
    expect(brokenCommand('npm run preflight -- -c env=qa')).toMatch(/no environment "qa"/);
    expect(brokenCommand('npx cdk destroy --all -c env=qa')).toMatch(/no environment "qa"/);
    expect(brokenCommand('npm run submit -- -c env=dev --job nope')).toMatch(/No job "nope"/);
    expect(brokenCommand('npm run synth:all -- --control-towers')).toMatch(/takes no --control-towers/);
    expect(brokenCommand('npm run deploy -- -c env=NAME')).toBeUndefined();
  });
});
