/**
 * AWS's own ASL validator, the one the AWS Toolkit runs in editors: amazon-states-language-service (its
 * JSON schema plus its graph checks). It answers in LSP terms (text ranges); this maps each diagnostic to
 * AWS's ValidateStateMachineDefinition shape: a code and a JSON path location found through the parsed
 * document, e.g. /States/Retrying/Retry/0/BackoffRate.
 */
// Default import: the package is CommonJS and re-exports through a helper Node's ESM loader cannot see.
import aslLanguageService, {
  type ASTNode,
  type LanguageService,
  type Diagnostic as LspDiagnostic,
} from 'amazon-states-language-service';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { stateNameOf } from './scopes';
import type { Diagnostic, DiagnosticCode } from './types';

// The package's own messages (constants/diagnosticStrings) for the rules AWS reports under their own codes.
const codeByMessage: [RegExp, DiagnosticCode][] = [
  [
    /^The value of "(Next|Default|StartAt)" property must be the name of an existing state/,
    'MISSING_TRANSITION_TARGET',
  ],
  [/^No terminal state/, 'MISSING_END_STATE'],
];
const duplicateKey = 520; // vscode-json-languageservice ErrorCode.DuplicateKey
const lspError = 1; // DiagnosticSeverity.Error in the LSP specification

let service: LanguageService | undefined;

export async function aslServiceDiagnostics(text: string): Promise<Diagnostic[]> {
  service ??= aslLanguageService.getLanguageService({});
  const document = TextDocument.create('file:///definition.asl.json', 'json', 1, text);
  const jsonDocument = service.parseJSONDocument(document);
  const root = (jsonDocument as { root?: ASTNode }).root;
  const diagnostics = await service.doValidation(document, jsonDocument);
  return diagnostics.map((diagnostic) =>
    toAws(diagnostic, locationAt(root, document.offsetAt(diagnostic.range.start))),
  );
}

const textOf = (diagnostic: LspDiagnostic): string =>
  typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;

function toAws(diagnostic: LspDiagnostic, location: string | undefined): Diagnostic {
  const state = stateNameOf(location);
  const code = codeOf(diagnostic, location);
  // The JSON parser's "Duplicate object key" says nothing of states; say what AWS's code means.
  const text =
    code === 'DUPLICATE_STATE_NAME' ? 'the state name appears more than once in States.' : textOf(diagnostic);
  return {
    severity:
      diagnostic.severity === lspError || (diagnostic.source === 'json' && diagnostic.code === duplicateKey)
        ? 'ERROR'
        : 'WARNING',
    code,
    message: state ? `State "${state}": ${text}` : text,
    ...(location ? { location } : {}),
  };
}

function codeOf(diagnostic: LspDiagnostic, location: string | undefined): DiagnosticCode {
  if (diagnostic.source === 'json') {
    // JSON.parse has already accepted the text, so the parser can only be objecting to a duplicate key.
    return diagnostic.code === duplicateKey && /\/States\/[^/]+$/.test(location ?? '')
      ? 'DUPLICATE_STATE_NAME'
      : 'INVALID_JSON_DESCRIPTION';
  }
  return (
    codeByMessage.find(([pattern]) => pattern.test(textOf(diagnostic)))?.[1] ?? 'SCHEMA_VALIDATION_FAILED'
  );
}

const contains = (node: ASTNode, offset: number): boolean =>
  offset >= node.offset && offset < node.offset + node.length;

/** The JSON path (`/States/A/Retry/0`) of the innermost value or key at `offset`; undefined for the root. */
function locationAt(root: ASTNode | undefined, offset: number): string | undefined {
  const segments: string[] = [];
  let node = root;
  while (node) {
    if (node.type === 'object') {
      const property = node.properties.find((p) => contains(p, offset));
      if (!property) break;
      segments.push(property.keyNode.value);
      if (contains(property.keyNode, offset)) break;
      node = property.valueNode;
    } else if (node.type === 'array') {
      const index = node.items.findIndex((item) => contains(item, offset));
      if (index < 0) break;
      segments.push(String(index));
      node = node.items[index];
    } else {
      break;
    }
  }
  return segments.length > 0 ? `/${segments.join('/')}` : undefined;
}
