// Types for the parts of rdf-canonize 5.0.0 (JavaScript only) that canonical-cache.ts uses, read from its source:
// lib/index.js (canonize) and lib/NQuads.js (parse, serializeQuad); terms follow RDF/JS.
declare module 'rdf-canonize' {
  export type Term =
    | { termType: 'NamedNode' | 'BlankNode' | 'DefaultGraph'; value: string }
    | {
        termType: 'Literal';
        value: string;
        datatype?: { termType: 'NamedNode'; value: string };
        language?: string;
      };
  export type Quad = { subject: Term; predicate: Term; object: Term; graph: Term };
  export const NQuads: {
    parse(input: string): Quad[];
    serializeQuad(quad: Quad): string;
  };
  export function canonize(input: Quad[] | string, options: Record<string, unknown>): Promise<string>;
}
