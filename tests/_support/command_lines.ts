// Command lines for the registry-driven reliability tests: a command's help examples as argv, and
// running many command lines a few at a time (the machine has two cores shared by many).

/**
 * The argv of a help example (`toolkit subnet info 10.0.0.1/24  # note`), split the way a shell
 * would for quotes; `undefined` for examples with pipes, redirections or substitutions.
 *
 * @example
 * ```ts
 * exampleArgs("toolkit udp-send --wait-reply 127.0.0.1:9000 'hello server'");
 * // ["udp-send", "--wait-reply", "127.0.0.1:9000", "hello server"]
 * ```
 */
export function exampleArgs(example: string): string[] | undefined {
  const line = example.replace(/\s+#\s.*$/, "");
  if (/[|<>$`]/.test(line.replace(/'[^']*'/g, "''"))) return undefined;
  const out: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]);
  return out[0] === "toolkit" ? out.slice(1) : undefined;
}

/**
 * Runs `fn` over `items`, `width` at a time, keeping the results in order.
 *
 * @example
 * ```ts
 * const codes = await pool(argvs, 3, async (argv) => (await runToolkit(argv)).code);
 * ```
 */
export async function pool<T, R>(
  items: readonly T[],
  width: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}
