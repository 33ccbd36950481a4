import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { InputError } from './exit-codes.ts';

/** Parses argv strictly (unknown flags are errors) and validates the values with a zod schema. */
export function parseFlags<S extends z.ZodType>(
  command: string,
  argv: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
  schema: S,
): { flags: z.infer<S>; positionals: string[] } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new InputError(`clinsim ${command}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const result = schema.safeParse(parsed.values);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new InputError(`clinsim ${command}: --${issue.path.join('.')}: ${issue.message}`);
  }
  return { flags: result.data, positionals: parsed.positionals };
}

/** A flag given as text that must be a whole number in range. */
export const intFlag = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
