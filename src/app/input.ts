/**
 * What every use-case does with its input: validate it with its zod schema (use-cases validate
 * themselves, because the routes are not their only callers: the CLI and the demo call them too),
 * the version a change is made on, and the shape of a page of a list.
 */
import { z } from 'zod';
import { KamertonError } from '../core/errors.ts';

export const versionSchema = z.number().int().min(1).describe('The version of the record the change was made on (from the last read).');

export type Page<T> = { items: T[]; total: number; page: number; pageSize: number };

/**
 * The output of `schema` for `input`, or an invalid-input error naming the first offending field and
 * listing every issue in details.issues, in the shape the API gives a request that fails its schema
 * (an unknown field reported under its own name, as "Unknown field.").
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path, key].map(String).join('.'), message: 'Unknown field.' }))
      : [{ path: issue.path.map(String).join('.'), message: issue.message }]);
  const first = issues[0] ?? { path: '', message: 'invalid' };
  throw new KamertonError('invalid-input', first.path === '' ? first.message : `${first.path}: ${first.message}`, {
    field: first.path,
    issues,
  });
}
