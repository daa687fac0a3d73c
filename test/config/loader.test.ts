import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadEnvironmentFile } from '../../config';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const DEV = fs.readFileSync(path.join(ROOT, 'config', 'dev.ts'), 'utf8');

/** A config directory holding a dev.ts made from the shipped one, and the jars module it imports. */
function fixture(devSource: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dra-config-'));
  fs.writeFileSync(path.join(dir, 'dev.ts'), devSource);
  fs.copyFileSync(path.join(ROOT, 'config', 'jars.ts'), path.join(dir, 'jars.ts'));
  return dir;
}

const cases = {
  syntax: fixture(DEV.replace("tier: 'dev',", "tier: 'dev'")),
  undefinedName: fixture(DEV.replace('jars: [...EMR_7_9_JARS]', 'jars: [...EMR_7_9_JAR]')),
  misspelledImport: fixture(
    DEV.replace("import { EMR_7_9_JARS } from './jars';", "import { EMR_7_9_JAR } from './jars';").replace(
      '[...EMR_7_9_JARS]',
      '[...EMR_7_9_JAR]',
    ),
  ),
  missingModule: fixture(DEV.replace("from './jars'", "from './jar'")),
  wrongExport: fixture(DEV.replace('export const dev:', 'export const development:')),
};

/**
 * Loads each fixture the way `cdk synth` does (tsx, esbuild) in one process and
 * prints what a user would see: the ConfigError message, or a stack if anything else escaped.
 */
function loadUnderTsx(): Record<string, string> {
  const driver = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dra-driver-')), 'driver.ts');
  fs.writeFileSync(
    driver,
    `import { ConfigError, loadConfig } from ${JSON.stringify(path.join(ROOT, 'config'))};
const cases: Record<string, string> = ${JSON.stringify(cases)};
const out: Record<string, string> = {};
for (const [name, directory] of Object.entries(cases)) {
  try {
    loadConfig('dev', { directory });
    out[name] = 'loaded';
  } catch (error) {
    out[name] = error instanceof ConfigError ? error.message : String((error as Error).stack);
  }
}
process.stdout.write(JSON.stringify(out));
`,
  );
  const result = spawnSync(TSX, [driver], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

describe('loading config/<env>.ts under tsx (as cdk synth does)', () => {
  const seen = loadUnderTsx();

  it('gives file:line:column and the parser message for a syntax error, without a stack', () => {
    expect(seen.syntax).toMatch(/^config\/dev\.ts:8:\d+: syntax error: Expected "}" but found "account"/);
    expect(seen.syntax).not.toMatch(/\n\s+at /);
  });

  it('gives file:line for a misspelled identifier', () => {
    expect(seen.undefinedName).toMatch(
      /^config\/dev\.ts:\d+:\d+: EMR_7_9_JAR is not defined \(a misspelled name, or a missing import\?\)$/,
    );
  });

  it('names a misspelled named import and what the module does export', () => {
    expect(seen.misspelledImport).toBe(
      `config/dev.ts:1: "EMR_7_9_JAR" is not exported by './jars' (it exports EMR_7_9_JARS); check the spelling`,
    );
  });

  it('names a module path that does not resolve, with its line', () => {
    expect(seen.missingModule).toBe(`config/dev.ts:1: cannot find module './jar'; check the import path`);
  });

  it('says which export it found when the export name is wrong, instead of "Unknown environment"', () => {
    expect(seen.wrongExport).toMatch(
      /^config\/dev\.ts: exports "development" \(line 5\), but the environment "dev" is read from an export named "dev"\. Rename it: export const dev/,
    );
    expect(seen.wrongExport).not.toMatch(/Unknown environment/);
  });
});

describe('loadEnvironmentFile', () => {
  it('reports a registered environment whose file is missing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dra-config-'));
    expect(() => loadEnvironmentFile('dev', dir)).toThrow(ConfigError);
    expect(() => loadEnvironmentFile('dev', dir)).toThrow(
      /config\/dev\.ts does not exist, but "dev" is registered/,
    );
  });
});
