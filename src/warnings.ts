/**
 * Node 22 flags `node:sqlite` (the agents' stores, src/store) as experimental and prints an ExperimentalWarning the
 * first time it loads: noise in the devnet's output, about an API the project pins and tests. Entry points call
 * this before loading the store; every other warning still prints.
 */
export function muteSqliteExperimentalWarning(): void {
  const emit = process.emitWarning;
  if ((emit as { fernetMuted?: boolean }).fernetMuted) return;
  const muted = function (this: unknown, warning: string | Error, ...rest: unknown[]): void {
    const opt = rest[0];
    const type = typeof opt === "string" ? opt : typeof opt === "object" && opt !== null ? (opt as { type?: string }).type : undefined;
    const message = typeof warning === "string" ? warning : warning.message;
    const isExperimental = type === "ExperimentalWarning" || (warning instanceof Error && warning.name === "ExperimentalWarning");
    if (isExperimental && /\bSQLite\b/i.test(message)) return;
    (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
  };
  (muted as { fernetMuted?: boolean }).fernetMuted = true;
  process.emitWarning = muted as typeof process.emitWarning;
}
