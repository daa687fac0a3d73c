// The floor of `npm run bench`: the least a `cdk synth` of this project can take. One stack holding one
// resource (CloudFormation's validator rejects a template without resources), run the way bin/app.ts is
// run: same CLI, cdk.json (context, built-in validation) and TypeScript runner. The ratio app / floor so
// leaves out the CLI's own start, npx, tsx, loading aws-cdk-lib and starting the validator, and measures
// what the app adds:
//   npx cdk synth -q --app 'npx tsx scripts/floor-app.ts' -o cdk.out.floor
import { App, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';

const app = new App();
const stack = new Stack(app, 'Floor', { env: { account: '111111111111', region: 'us-east-1' } });
new CfnWaitConditionHandle(stack, 'Placeholder');
app.synth();
