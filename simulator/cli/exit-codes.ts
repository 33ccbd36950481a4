/** The exit codes users' CI jobs depend on. */
export const EXIT = {
  pass: 0,
  gateFailed: 1,
  badInput: 2,
  couldNotRun: 3,
} as const;

/** Bad input or usage: the message names what is wrong and where; exit code 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
}
