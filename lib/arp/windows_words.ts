// The words Windows prints in neighbour tables, by display language. The columns of `arp -a` and
// `netsh interface ipv4|ipv6 show neighbors` never change; the header and type words do. To read
// another language, add its entry here (and a capture under tests/fixtures/arp/ saying where the
// words were seen). A type word that is in no entry is reported on its line, never guessed.
import type { NeighborState } from "./neighbor.ts";

/** One display language's words. */
export interface WindowsLanguage {
  /** BCP 47 tag. */
  language: string;
  /** `arp -a` Type column: word (lower-cased) to state. */
  arpTypes: Record<string, NeighborState>;
  /** `arp -a` when a table is empty (the whole line). */
  noEntries?: readonly string[];
  /** `netsh ... show neighbors` Type column: words (lower-cased) to state. */
  netshTypes?: Record<string, NeighborState>;
  /** The word netsh puts in brackets after a router's type: `Reachable (Router)`. */
  netshRouter?: readonly string[];
  /** Where the words were seen. */
  source: string;
}

/** The languages toolkit reads; see tests/fixtures/arp/README.md for the captures. */
export const windowsLanguages: readonly WindowsLanguage[] = [
  {
    language: "en",
    arpTypes: { dynamic: "complete", static: "permanent", invalid: "failed" },
    noEntries: ["No ARP Entries Found."],
    // NL_NEIGHBOR_STATE as Get-NetNeighbor -State names it; netsh prints the same words.
    netshTypes: {
      reachable: "complete",
      stale: "complete",
      delay: "complete",
      probe: "complete",
      incomplete: "incomplete",
      unreachable: "failed",
      permanent: "permanent",
    },
    netshRouter: ["router"],
    source: "windows_arp_a.txt, netsh_*.txt",
  },
  {
    language: "de",
    arpTypes: { dynamisch: "complete", statisch: "permanent", "ungültig": "failed" },
    source: "windows_arp_a_de.txt",
  },
  {
    language: "fr",
    arpTypes: { dynamique: "complete", statique: "permanent" },
    source: "windows_arp_a_fr.txt",
  },
  {
    language: "es",
    arpTypes: { "dinámico": "complete", "estático": "permanent" },
    source: "windows_arp_a_es.txt (no published capture; see the README there)",
  },
  {
    language: "pt-BR",
    arpTypes: { "dinâmico": "complete", "estático": "permanent" },
    source: "windows_arp_a_pt.txt",
  },
  {
    language: "it",
    arpTypes: { dinamico: "complete", statico: "permanent" },
    source: "windows_arp_a_it.txt, windows_arp_a_it_xp.txt",
  },
  {
    language: "ru",
    arpTypes: { "динамический": "complete", "статический": "permanent" },
    source: "windows_arp_a_ru.txt",
  },
  {
    language: "zh-CN",
    arpTypes: { "动态": "complete", "静态": "permanent" },
    source: "windows_arp_a_zh.txt",
  },
  {
    language: "ja",
    arpTypes: { "動的": "complete", "静的": "permanent" },
    source: "windows_arp_a_ja.txt",
  },
  {
    language: "ko",
    arpTypes: { "동적": "complete", "정적": "permanent" },
    source: "windows_arp_a_ko.txt",
  },
];

function merged(pick: (l: WindowsLanguage) => Record<string, NeighborState> | undefined) {
  const out = new Map<string, NeighborState>();
  for (const l of windowsLanguages) {
    for (const [word, state] of Object.entries(pick(l) ?? {})) out.set(word, state);
  }
  return out;
}

/** Every language's `arp -a` type words (lower-cased) and their states. */
export const windowsArpTypes: ReadonlyMap<string, NeighborState> = merged((l) => l.arpTypes);

/** Every language's `netsh ... show neighbors` type words (lower-cased) and their states. */
export const netshTypes: ReadonlyMap<string, NeighborState> = merged((l) => l.netshTypes);

/** Every language's router marker for netsh (lower-cased). */
export const netshRouterWords: ReadonlySet<string> = new Set(
  windowsLanguages.flatMap((l) => l.netshRouter ?? []),
);

/** Every language's line for an empty `arp -a`. */
export const windowsNoEntries: ReadonlySet<string> = new Set(
  windowsLanguages.flatMap((l) => l.noEntries ?? []),
);

/**
 * Why a type word was not understood. `�` in it means bytes that were not text in the file's
 * encoding: read as UTF-8, the file was saved in a Windows code page, which no table of words can
 * help; read as UTF-16, it holds a broken character (a lone surrogate).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unknownTypeReason } from "./windows_words.ts";
 *
 * assert.equal(unknownTypeReason("sometimes"), 'Unknown entry type "sometimes"');
 * assert.match(unknownTypeReason("dyn\ufffd"), /Windows code page/);
 * ```
 */
export function unknownTypeReason(word: string, encoding: string = "utf-8"): string {
  if (!word.includes("\ufffd")) return `Unknown entry type "${word}"`;
  if (encoding !== "utf-8") {
    return `Cannot read the entry type "${word}": the file is not valid UTF-16 there (a lone surrogate)`;
  }
  return `Cannot read the entry type "${word}": the file is in a Windows code page, not UTF-8 or UTF-16 (save it from PowerShell, or after "chcp 65001")`;
}
