/**
 * SSM CreateDocument / UpdateDocument: "The content of the document must not
 * exceed 64KB. This quota also includes the content specified for input
 * parameters at runtime" (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateDocument.html);
 * a larger one is refused with MaxDocumentSizeExceeded at deploy, which neither
 * synth, cdk-nag nor CloudFormation's schema validation catches.
 */
export const SSM_DOCUMENT_MAX_BYTES = 64 * 1024;

/**
 * What the app allows itself: three quarters of the limit, so that the
 * parameters given at run time, the ARNs CloudFormation substitutes for the
 * references in the template and the next few steps all fit.
 */
export const SSM_DOCUMENT_BUDGET_BYTES = 48 * 1024;

export const SSM_DOCUMENT_SIZE_PAGE =
  'https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateDocument.html';

/** A finding in the family of the config rules: where, what was found, the fix, and the page. */
export interface LimitFinding {
  readonly path: string;
  readonly value: string;
  readonly fix: string;
  readonly page: string;
}

/** The size SSM measures: the content as compact JSON (DocumentFormat JSON), in UTF-8 bytes. */
export function documentContentBytes(content: unknown): number {
  return Buffer.byteLength(typeof content === 'string' ? content : JSON.stringify(content), 'utf8');
}

/** A finding when one document's content is over the app's budget (well under SSM's limit). */
export function documentSizeFinding(path: string, content: unknown): LimitFinding | undefined {
  const bytes = documentContentBytes(content);
  if (bytes <= SSM_DOCUMENT_BUDGET_BYTES) return undefined;
  return {
    path,
    value: `${bytes} bytes of content (compact JSON)`,
    fix: `Keep an SSM document's content under ${SSM_DOCUMENT_BUDGET_BYTES} bytes (the limit is ${SSM_DOCUMENT_MAX_BYTES}, runtime parameters included): put scripts in the document's attachment (lib/runbooks/archive.ts), not inline, and shorten descriptions.`,
    page: SSM_DOCUMENT_SIZE_PAGE,
  };
}

/** Every AWS::SSM::Document of a synthesized template whose content is over the budget. */
export function ssmDocumentSizeFindings(template: {
  Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown> }>;
}): LimitFinding[] {
  return Object.entries(template.Resources ?? {}).flatMap(([id, resource]) => {
    if (resource.Type !== 'AWS::SSM::Document') return [];
    const finding = documentSizeFinding(`Resources.${id}.Properties.Content`, resource.Properties?.Content);
    return finding ? [finding] : [];
  });
}
