/**
 * The CLI's error type: a message for the user and an exit code.
 *
 * @module
 */

/** A mistake the user can fix: printed without a stack, then the CLI exits with {@linkcode CliError.exitCode}. */
export class CliError extends Error {
  /** 2 for a bad command line, 1 for anything else. */
  readonly exitCode: 1 | 2;

  /**
   * Creates the error.
   *
   * @param message What was wrong and how to fix it.
   * @param exitCode 2 for a bad command line, 1 otherwise.
   */
  constructor(message: string, exitCode: 1 | 2 = 1) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}
