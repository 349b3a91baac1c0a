/** The package's own folder (config/, migrations/, package.json), from src/ under tsx and dist/ once built. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
