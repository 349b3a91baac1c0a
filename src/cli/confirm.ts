import { confirm } from '@inquirer/prompts';
import { UsageError, type CliIO } from './io.js';

/**
 * Asks before a destructive or bulk change. --yes skips the question; without a
 * terminal to ask on, the command refuses rather than guess.
 */
export async function confirmChange(io: CliIO, question: string, yes: boolean | undefined): Promise<boolean> {
  if (yes) return true;
  if (!io.stdinIsTTY)
    throw new UsageError(`${question} Refusing without --yes: standard input is not a terminal.`);
  return confirm({ message: question, default: false }, { output: io.stderr });
}
