import { type AwsLimitRule, allResourcesOfType } from './rule';

/**
 * SSM CreateDocument / UpdateDocument: "The content of the document must not exceed 64KB.
 * This quota also includes the content specified for input parameters at runtime"
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateDocument.html);
 * a larger one is refused with MaxDocumentSizeExceeded at deploy, which neither synth,
 * cdk-nag nor CloudFormation's schema validation catches.
 */
export const SSM_DOCUMENT_MAX_BYTES = 64 * 1024;

/**
 * What the app allows itself: three quarters of the limit, so that the parameters given at
 * run time, the ARNs CloudFormation substitutes for the references in the template and the
 * next few steps all fit.
 */
export const SSM_DOCUMENT_BUDGET_BYTES = 48 * 1024;

/** The size SSM measures: the content as compact JSON (DocumentFormat JSON), in UTF-8 bytes. */
export function documentContentBytes(content: unknown): number {
  return Buffer.byteLength(typeof content === 'string' ? content : JSON.stringify(content), 'utf8');
}

export const ssmDocumentSize: AwsLimitRule = {
  id: 'ssm-document-size',
  summary: `An SSM document's content stays under ${SSM_DOCUMENT_BUDGET_BYTES} bytes (three quarters of the ${SSM_DOCUMENT_MAX_BYTES}-byte limit, runtime parameters included)`,
  page: 'https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateDocument.html',
  check(stacks) {
    return allResourcesOfType(stacks, 'AWS::SSM::Document').flatMap(({ stack, logicalId, properties }) => {
      const bytes = documentContentBytes(properties.Content);
      if (bytes <= SSM_DOCUMENT_BUDGET_BYTES) return [];
      return [
        {
          stack,
          logicalId,
          path: 'Properties.Content',
          value: `${properties.Name ?? logicalId}: ${bytes} bytes of content (compact JSON)`,
          problem: `Over the app's budget of ${SSM_DOCUMENT_BUDGET_BYTES} bytes; SSM refuses more than ${SSM_DOCUMENT_MAX_BYTES} (MaxDocumentSizeExceeded) at deploy, runtime parameters included.`,
          fix: 'Put scripts in the document’s attachment (lib/runbooks/archive.ts), not inline, and shorten descriptions.',
        },
      ];
    });
  },
};
