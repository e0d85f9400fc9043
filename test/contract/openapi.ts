/**
 * openapi.yaml as the tests hold the Worker to it: the parsed document, its operations, and a
 * validator that checks a response (status, content type, required headers, body) against the
 * operation's declared response. Used by the typed client (test/e2e/client.ts), which runs it on
 * every response, and by the contract tests in this folder.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

export const OPENAPI_PATH = new URL('../../openapi.yaml', import.meta.url);
export const openapiText = readFileSync(OPENAPI_PATH, 'utf8');

/** The parts of an OpenAPI 3.1 document these tests read. */
export interface OpenApiDocument {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, OperationObject | unknown>>;
  components: Record<string, Record<string, unknown>>;
}
export interface OperationObject {
  operationId: string;
  responses: Record<string, ResponseObject | Ref>;
}
interface Ref {
  $ref: string;
}
interface ResponseObject {
  description: string;
  headers?: Record<string, HeaderObject | Ref>;
  content?: Record<string, { schema?: unknown }>;
}
interface HeaderObject {
  required?: boolean;
  schema?: { type?: string };
}

export const openapi = parseYaml(openapiText) as OpenApiDocument;

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Every operation of the document: `GET /v1/cloud-init` … */
export function operations(document: OpenApiDocument = openapi): { method: HttpMethod; path: string; operation: OperationObject }[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    HTTP_METHODS.filter((method) => item[method] !== undefined).map((method) => ({ method, path, operation: item[method] as OperationObject })),
  );
}

const pointerSegment = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
const unescapeSegment = (segment: string) => segment.replace(/~1/g, '/').replace(/~0/g, '~');

/** Follows local `$ref`s (OpenAPI objects, not schemas); returns the object and its JSON pointer. */
function resolve<T>(document: OpenApiDocument, value: T | Ref, pointer: string): { value: T; pointer: string } {
  let current: unknown = value;
  let at = pointer;
  for (let hops = 0; typeof current === 'object' && current !== null && '$ref' in current; hops++) {
    const ref = (current as Ref).$ref;
    if (!ref.startsWith('#/') || hops > 10) throw new Error(`openapi.yaml: unsupported $ref ${ref}`);
    at = ref.slice(1);
    current = at
      .split('/')
      .slice(1)
      .reduce<unknown>((node, segment) => (node as Record<string, unknown> | undefined)?.[unescapeSegment(segment)], document);
    if (current === undefined) throw new Error(`openapi.yaml: dangling $ref ${ref}`);
  }
  return { value: current as T, pointer: at };
}

/** The media type without parameters, lower case: `text/x-shellscript; charset=utf-8` → `text/x-shellscript`. */
export const mediaTypeOf = (contentType: string | null): string | undefined => contentType?.split(';')[0]?.trim().toLowerCase() || undefined;
const isJson = (mediaType: string) => mediaType === 'application/json' || mediaType.endsWith('+json');

/** Matches a concrete path (`/v1/tokens/abc123`) to the document's path template (`/v1/tokens/{id}`). */
export function pathTemplateFor(concretePath: string, document: OpenApiDocument = openapi): string | undefined {
  const path = concretePath.split('?')[0]!;
  if (document.paths[path] !== undefined) return path;
  return Object.keys(document.paths).find((template) => {
    const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
    return new RegExp(`^${pattern}$`).test(path);
  });
}

/** What a response looked like on the wire, as far as the contract speaks about it. */
export interface ObservedResponse {
  status: number;
  headers: Headers;
  /** The body as text ('' for none). */
  text: string;
}

/**
 * Checks responses against openapi.yaml. One instance compiles each response schema once (ajv,
 * JSON Schema 2020-12, the dialect of OpenAPI 3.1, with `format` checked by ajv-formats).
 */
export class ContractValidator {
  private readonly ajv = new Ajv2020({ strict: true, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  private static readonly ID = 'urn:kube-join-broker:openapi';

  constructor(private readonly document: OpenApiDocument = openapi) {
    addFormats(this.ajv);
    // OpenAPI's own schema keywords (3.1 §4.8.24) are annotations, never assertions; the
    // document's top-level fields are named so that ajv, which compiles the document's root
    // once to resolve `#/components/...`, accepts it in strict mode (which still refuses a
    // misspelt keyword in any schema).
    this.ajv.addVocabulary(['discriminator', 'xml', 'externalDocs', 'example']);
    this.ajv.addVocabulary(['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components', 'security', 'tags']);
    this.ajv.addSchema({ ...document, $id: ContractValidator.ID } as object, undefined, undefined, false);
  }

  /** The schema at `pointer` in the document, compiled with the document as its base (so `#/components/...` resolves). */
  private schemaAt(pointer: string): ValidateFunction {
    let validate = this.compiled.get(pointer);
    if (validate === undefined) {
      validate = this.ajv.compile({ $ref: `${ContractValidator.ID}#${pointer}` });
      this.compiled.set(pointer, validate);
    }
    return validate;
  }

  private errorsOf(validate: ValidateFunction): string {
    return this.ajv.errorsText(validate.errors, { dataVar: 'body' });
  }

  /**
   * What is wrong with `response` as an answer of `method path` (path as a template or concrete),
   * by the contract: [] when nothing. Checks that the status is declared (or a `default`), that
   * the content type is one the status declares, that every header the response object marks
   * `required` is present and valid, and that the body validates against the media type's schema
   * (JSON bodies parsed first).
   */
  violations(method: string, path: string, response: ObservedResponse): string[] {
    const template = pathTemplateFor(path, this.document);
    const lower = method.toLowerCase() as HttpMethod;
    if (template === undefined) return [`${method} ${path}: no such path in openapi.yaml`];
    const operationPointer = `/paths/${pointerSegment(template)}/${lower}`;
    const operation = this.document.paths[template]![lower] as OperationObject | undefined;
    if (operation === undefined) return [`${method} ${template}: no such operation in openapi.yaml`];
    const where = `${method.toUpperCase()} ${template} → ${response.status}`;

    const status = String(response.status);
    const declared = operation.responses[status] !== undefined ? status : operation.responses[`${status[0]}XX`] !== undefined ? `${status[0]}XX` : 'default';
    if (operation.responses[declared] === undefined) return [`${where}: status not declared (declared: ${Object.keys(operation.responses).join(', ')})`];
    const { value: declaredResponse, pointer: responsePointer } = resolve<ResponseObject>(this.document, operation.responses[declared]!, `${operationPointer}/responses/${declared}`);

    const problems: string[] = [];
    for (const [name, headerOrRef] of Object.entries(declaredResponse.headers ?? {})) {
      const { value: header, pointer: headerPointer } = resolve<HeaderObject>(this.document, headerOrRef, `${responsePointer}/headers/${pointerSegment(name)}`);
      const value = response.headers.get(name);
      if (value === null) {
        if (header.required === true) problems.push(`${where}: header ${name} missing`);
        continue;
      }
      if (header.schema === undefined) continue;
      const typed = header.schema.type === 'integer' || header.schema.type === 'number' ? Number(value) : value;
      const validate = this.schemaAt(`${headerPointer}/schema`);
      if (!validate(typed)) problems.push(`${where}: header ${name}: ${this.errorsOf(validate)}`);
    }

    const content = declaredResponse.content;
    if (content === undefined || Object.keys(content).length === 0) {
      if (response.text !== '') problems.push(`${where}: a body, but the contract declares none`);
      return problems;
    }
    const mediaType = mediaTypeOf(response.headers.get('content-type'));
    if (mediaType === undefined || content[mediaType] === undefined) {
      problems.push(`${where}: content type ${mediaType ?? '(none)'} not declared (declared: ${Object.keys(content).join(', ')})`);
      return problems;
    }
    if (content[mediaType]!.schema === undefined) return problems;
    let body: unknown = response.text;
    if (isJson(mediaType)) {
      try {
        body = JSON.parse(response.text);
      } catch {
        return [...problems, `${where}: ${mediaType} body is not JSON`];
      }
    }
    const validate = this.schemaAt(`${responsePointer}/content/${pointerSegment(mediaType)}/schema`);
    if (!validate(body)) problems.push(`${where} ${mediaType}: ${this.errorsOf(validate)}`);
    return problems;
  }
}

/** Thrown by the typed client when a response breaks the contract. */
export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
  constructor(readonly problems: readonly string[]) {
    super(`response breaks openapi.yaml:\n- ${problems.join('\n- ')}`);
  }
}
