// Preloaded into bin/app.ts by test/bin/app.test.ts (node --require): plants one stack with findings
// into the app bin/app.ts builds, through aws-cdk-lib's App init hook, so the synth under test is
// bin/app.ts's own, checks and exit code included. The parameter has a Tier SSM does not have (a
// CloudFormation validation finding only); the bucket is valid CloudFormation that each nag pack
// rejects (no access logging, versioning, replication or TLS-only policy).
globalThis[Symbol.for('@aws-cdk/core.App#initHook')] = (app) => {
  // L1 classes: the nag packs recognize resources by class.
  const { Stack, aws_s3: s3, aws_ssm: ssm } = require('aws-cdk-lib');
  const stack = new Stack(app, 'Planted', { env: { account: '111111111111', region: 'us-east-1' } });
  new ssm.CfnParameter(stack, 'BadTier', { type: 'String', value: 'x', tier: 'Bogus' });
  new s3.CfnBucket(stack, 'BareBucket');
};
