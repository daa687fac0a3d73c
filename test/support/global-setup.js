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
  // `npm test` prints Jest's report and nothing else. The SDK's notice that it will need
  // Node.js 22 (this switch is the SDK's own: aws/aws-sdk-js-v3#7983) and the handlers'
  // Powertools logs (SILENT is a Powertools log level); workers and child processes inherit both.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
};
