import { confirm } from '@inquirer/prompts';
import { UsageError, type CliIO } from './io.js';

/**
 * Asks before a destructive or bulk change. --yes skips the question; without a
 * terminal to ask on, the command refuses rather than guess, with `refusal`
 * when the command says more than the question and "Refusing without --yes".
 */
export async function confirmChange(
  io: CliIO,
  question: string,
  yes: boolean | undefined,
  refusal = `${question} Refusing without --yes: standard input is not a terminal.`,
): Promise<boolean> {
  if (yes) return true;
  if (!io.stdinIsTTY) throw new UsageError(refusal);
  return confirm({ message: question, default: false }, { input: io.stdin, output: io.stderr });
}
