/**
 * The platform's templates, per construct area. The specs are separate files; they run
 * in this one test file so they share one load of aws-cdk-lib and one synth of each
 * environment (sharedPlatform in test/support/app.ts), which a test file per area paid
 * again each time: about half of `npm test` on the 2-core CI machine.
 */
import './foundation.spec';
import './storage.spec';
import './catalog.spec';
import './data-stores.spec';
import './deploy-guard.spec';
import './global-datastore.spec';
import './postgres-control.spec';
import './streaming-processing.spec';
import './logical-ids.spec';
import './assembly.spec';
