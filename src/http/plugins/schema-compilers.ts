import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>;
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>;
type SerializerFactory = NonNullable<CompilersFactory['buildSerializer']>;
type Validate = ReturnType<ReturnType<ValidatorFactory>>;
type Serialize = ReturnType<ReturnType<SerializerFactory>>;

export interface SchemaWarmUp {
  /** Schemas compiled by this call (those already compiled by a request are not counted). */
  readonly compiled: number;
  readonly failures: ReadonlyArray<{ readonly route: string; readonly error: unknown }>;
}

export interface LazySchemaCompilers {
  /** Fastify's `schemaController.compilersFactory`. */
  readonly compilersFactory: CompilersFactory;
  /**
   * Compiles every schema not compiled yet, one at a time with a turn of the event loop between two, so that
   * requests keep being answered meanwhile. Resolves with the failures (a schema that does not compile is
   * reported here, and again at its route's first request, which gets a 500).
   */
  warmUp(): Promise<SchemaWarmUp>;
}

/**
 * Issue 16, item 3: Fastify compiles every route's schemas (AJV for the input, fast-json-stringify for the
 * answers) when the server becomes ready, and that was a large share of the start: some 400 schemas before the
 * first `/health`. These compilers are Fastify's own (the same packages, the same options: `ajv` and
 * `serializerOpts` of the server), but each schema is compiled on its route's first use, or in the background
 * once the server listens (`warmUp`), whichever comes first. Validation and serialization are unchanged.
 *
 * One difference with Fastify's default compiler: Fastify lower-cases the keys of a `headers` schema only for
 * its own compiler, so a `headers` schema is refused here (no route validates headers).
 */
export function lazySchemaCompilers(): LazySchemaCompilers {
  const queue: Array<{ readonly route: string; readonly compile: () => boolean }> = [];
  const buildValidator = AjvCompiler();
  const buildSerializer = SerializerSelector();

  const validatorFactory: ValidatorFactory = (externalSchemas, options) => {
    const compile = buildValidator(externalSchemas, options);
    return (routeSchema) => {
      const route = `${routeSchema.method} ${routeSchema.url} (${routeSchema.httpPart})`;
      if (routeSchema.httpPart === 'headers')
        throw new Error(`${route} : schéma d’en-têtes non pris en charge (plugins/schema-compilers.ts)`);
      let compiled: Validate | undefined;
      const get = () => {
        compiled ??= compile(routeSchema);
        return compiled;
      };
      queue.push({ route, compile: () => compiled === undefined && Boolean(get()) });
      const validate = ((data: unknown) => get()(data)) as Validate;
      // Fastify reads the errors of a failed validation on the function it was given.
      Object.defineProperty(validate, 'errors', { get: () => compiled?.errors });
      return validate;
    };
  };

  const serializerFactory: SerializerFactory = (externalSchemas, options) => {
    const compile = buildSerializer(externalSchemas, options);
    return (routeSchema) => {
      let compiled: Serialize | undefined;
      const get = () => {
        compiled ??= compile(routeSchema);
        return compiled;
      };
      queue.push({
        route: `${routeSchema.method} ${routeSchema.url} (${routeSchema.httpStatus})`,
        compile: () => compiled === undefined && Boolean(get()),
      });
      return (data: unknown) => get()(data);
    };
  };

  return {
    compilersFactory: { buildValidator: validatorFactory, buildSerializer: serializerFactory },
    async warmUp() {
      const failures: Array<{ route: string; error: unknown }> = [];
      let compiled = 0;
      for (let next = queue.shift(); next; next = queue.shift()) {
        try {
          if (next.compile()) compiled++;
        } catch (error) {
          failures.push({ route: next.route, error });
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      return { compiled, failures };
    },
  };
}
