import { ConfigError, loadConfig, placeholderAccount } from '../../config';
import { dev } from '../../config/dev';
import { rejectionOf } from '../support/config';

describe('a value of the wrong kind names the kind it should be', () => {
  it('an account written as a number is asked for as a string in quotes', () => {
    expect(rejectionOf(dev, (c) => (c.account = 123456789012))).toMatch(
      /account: 123456789012 is a number, but a string is expected; write it in quotes: "123456789012"/,
    );
  });

  it('a number where true or false belongs says so', () => {
    const message = rejectionOf(dev, (c) => (c.rds.multiAz = 0));
    expect(message).toMatch(/rds\.multiAz: 0 is a number, but a boolean is expected; use true or false/);
    expect(message).not.toMatch(/finite/);
  });

  it('a string where a number belongs names both kinds', () => {
    expect(rejectionOf(dev, (c) => (c.msk.topicPartitions = '6'))).toMatch(
      /msk\.topicPartitions: "6" is a string, but a number is expected; write it without quotes: 6/,
    );
  });

  it('an object where a list belongs names both kinds', () => {
    expect(rejectionOf(dev, (c) => (c.regions.dr.availabilityZones = { a: 'us-west-2a' }))).toMatch(
      /regions\.dr\.availabilityZones: \{"a":"us-west-2a"\} is an object, but an array is expected/,
    );
  });

  it('keeps "not a (finite) number" for NaN and Infinity, the one case where it is true', () => {
    expect(rejectionOf(dev, (c) => (c.msk.topicPartitions = Number.POSITIVE_INFINITY))).toMatch(
      /msk\.topicPartitions: Infinity is not a finite number/,
    );
    expect(rejectionOf(dev, (c) => (c.msk.topicPartitions = Number.NaN))).toMatch(
      /msk\.topicPartitions: NaN is not a number/,
    );
  });

  it('null is named as null', () => {
    expect(rejectionOf(dev, (c) => (c.rds.multiAz = null))).toMatch(
      /rds\.multiAz: null is null, but a boolean is expected/,
    );
  });
});

describe('the environment name', () => {
  it('an empty one (-c env=) has its own message, not "add config/.ts"', () => {
    expect(() => loadConfig('')).toThrow(ConfigError);
    expect(() => loadConfig('')).toThrow(
      /No environment name after -c env=\. Name one: -c env=dev \(known: dev, staging, prod\)/,
    );
    expect(() => loadConfig('  ')).not.toThrow(/config\/\s*\.ts/);
  });
});

describe('placeholder accounts', () => {
  it.each(['000000000000', '111111111111', '222222222222', '999999999999', '123456789012'])(
    '%s is a placeholder',
    (account) => {
      expect(placeholderAccount(account)).toBe(true);
    },
  );

  it.each(['444455556666', '210987654321', '111111111112'])('%s is not', (account) => {
    expect(placeholderAccount(account)).toBe(false);
  });
});
