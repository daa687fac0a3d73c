import { ANSWER_CLASSIFICATION } from '../../lambda/readiness/outcome';

/**
 * The Python module `dra_outcome`, generated at synth time from the readiness
 * function's own classification (lambda/readiness/outcome.ts): which answers
 * mean "the region answered, but is failing" (throttling, HTTP 5xx). The
 * network errors that mean "it does not answer" are botocore's exception
 * classes, so they stay in dra_common.py; the rules shared with TypeScript come
 * from here, so the two cannot drift.
 */
export function pythonClassification(): string {
  const c = ANSWER_CLASSIFICATION;
  return [
    '# Generated at synth time by lib/runbooks/classification.ts from lambda/readiness/outcome.ts; do not edit.',
    `THROTTLING_NAMES = frozenset(${JSON.stringify(c.throttlingNames)})`,
    `THROTTLING_STATUS = ${c.throttlingStatus}`,
    `SERVER_ERROR_STATUS = ${c.serverErrorStatus}`,
    '',
    '',
    'def failing_reason(code, status):',
    '    """Why an answer with this error code and HTTP status means the service is failing, or None."""',
    '    if status == THROTTLING_STATUS or code in THROTTLING_NAMES:',
    '        return "throttled"',
    '    if status is not None and status >= SERVER_ERROR_STATUS:',
    '        return f"server error {status}"',
    '    return None',
    '',
  ].join('\n');
}
