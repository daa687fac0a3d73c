#!/usr/bin/env node
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENVIRONMENT_NAMES, loadConfig } from '../config';
import { INTERFACE_ENDPOINTS } from '../lib/constructs/network';
import { costDoc } from '../lib/cost/doc';
import { estimateCost, MissingPriceError, renderEstimate } from '../lib/cost/estimate';
import { type CommandSpec, exitWith, runCommand } from './cli-args';

export const COST_COMMAND: CommandSpec = {
  usage: 'npm run cost --',
  summary: [
    'Estimates what the environment costs a month at list prices, offline, from its config and',
    "the dated price table in lib/cost/prices.ts: per service and region, the standby region's",
    "share and one failover drill. Use-based assumptions are the config's cost section (docs/cost.md).",
  ].join('\n'),
  flags: [{ name: '--docs', description: 'write docs/cost.md for every environment instead' }],
};

/** Interface endpoints per region, as lib/constructs/network.ts creates them. */
export const INTERFACE_ENDPOINT_COUNT = Object.keys(INTERFACE_ENDPOINTS).length;

export function runCost(argv: readonly string[]): Promise<number> {
  return runCommand(argv, COST_COMMAND, async (config, args) => {
    try {
      if (args.switches.has('--docs')) {
        const doc = costDoc(
          ENVIRONMENT_NAMES.map((name) => loadConfig(name)),
          INTERFACE_ENDPOINT_COUNT,
        );
        fs.writeFileSync(path.join(__dirname, '..', 'docs', 'cost.md'), doc);
        return { ok: true, message: 'wrote docs/cost.md' };
      }
      return {
        ok: true,
        message: renderEstimate(estimateCost(config, { interfaceEndpoints: INTERFACE_ENDPOINT_COUNT })),
      };
    } catch (error) {
      if (error instanceof MissingPriceError) return { ok: false, message: error.message };
      throw error;
    }
  });
}

if (require.main === module) exitWith('cost', runCost(process.argv.slice(2)));
