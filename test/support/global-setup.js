// One temporary directory per `npm test` run, removed afterwards: every synth's cloud
// assembly (about 24 MB each: CDK stages the 21 MB AWS CLI layer of BucketDeployment),
// every PostgreSQL data directory and every script file goes under it, so a run leaves
// nothing in /tmp. os.tmpdir() reads TMPDIR, and the workers start after this hook with
// this process's environment.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async function globalSetup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dra-test-'));
  // Traversable by the postgres OS user the real-server tests run initdb as when CI is root.
  fs.chmodSync(dir, 0o1777);
  process.env.DRA_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
};
