/**
 * Version and VersionSpec benchmarks: taipan against rattler (WASM) on the real version
 * strings and version specs of ../shared/conformance.
 */
import { readFileSync } from 'node:fs';
import type * as Rattler from '@conda-org/rattler';
import { Version } from '../../channels/model/version.js';
import { VersionSpec } from '../../channels/model/version-spec.js';
import type { BenchCase } from './bench.js';

export type RattlerModule = typeof Rattler;

interface RealSpecItem {
  version_spec: string | null;
  cases: { version: string }[];
}

/** The inputs, read once. */
export interface VersionBenchData {
  readonly versions: string[];
  readonly specs: string[];
  readonly matchPairs: { spec: string; version: string }[];
}

export function loadVersionBenchData(conformanceDir: string): VersionBenchData {
  const real = JSON.parse(readFileSync(`${conformanceDir}/real-versions.json`, 'utf8')) as { versions: (string | string[])[] };
  const items = JSON.parse(readFileSync(`${conformanceDir}/real-specs.json`, 'utf8')) as RealSpecItem[];
  const versions = real.versions.flat();
  // Distinct texts: parsing is measured cold, so repeats would only measure a cache.
  const specs = [...new Set(items.flatMap((item) => (item.version_spec === null ? [] : [item.version_spec])))];
  const matchPairs = items.flatMap((item) =>
    item.version_spec === null ? [] : item.cases.map((c) => ({ spec: item.version_spec as string, version: c.version })),
  );
  return { versions, specs, matchPairs };
}

/** Parses with `parse`, keeping the texts both sides accept so the work is identical. */
function commonTexts(texts: string[], ours: (t: string) => unknown, rattler: (t: string) => { free(): void }): string[] {
  return texts.filter((text) => {
    try {
      ours(text);
      rattler(text).free();
      return true;
    } catch {
      return false;
    }
  });
}

export function versionBenchCases(data: VersionBenchData, rattler: RattlerModule): { cases: BenchCase[]; notes: string[] } {
  const notes: string[] = [];
  const versions = commonTexts(data.versions, Version.parse, (t) => new rattler.Version(t));
  const specs = commonTexts(data.specs, VersionSpec.parse, (t) => new rattler.VersionSpec(t));
  const specSet = new Set(specs);
  const pairs = data.matchPairs.filter(
    (p) => specSet.has(p.spec) && Version.tryParse(p.version) !== null && rattlerAccepts(rattler, p.version),
  );
  if (versions.length !== data.versions.length) notes.push(`${data.versions.length - versions.length} versions left out: one side rejects them`);
  if (specs.length !== data.specs.length) notes.push(`${data.specs.length - specs.length} specs left out: one side rejects them`);

  // WASM objects hold memory until freed; freeing happens outside the timed region.
  let rattlerLive: { free(): void }[] = [];
  const freeRattler = (): void => {
    for (const object of rattlerLive) object.free();
    rattlerLive = [];
  };
  const keep = <T extends { free(): void }>(object: T): T => {
    rattlerLive.push(object);
    return object;
  };

  const oursParsed = versions.map((t) => Version.parse(t));
  const rattlerParsed = versions.map((t) => new rattler.Version(t));
  const oursSpecs = new Map(specs.map((s) => [s, VersionSpec.parse(s)]));
  const rattlerSpecs = new Map(specs.map((s) => [s, new rattler.VersionSpec(s)]));
  const oursPairs = pairs.map((p) => ({ spec: oursSpecs.get(p.spec) as VersionSpec, version: Version.parse(p.version) }));
  const rattlerPairs = pairs.map((p) => ({
    spec: rattlerSpecs.get(p.spec) as Rattler.VersionSpec,
    version: new rattler.Version(p.version),
  }));

  const repeat = 10;
  const cases: BenchCase[] = [
    {
      repeat,
      name: `parse ${versions.length} versions`,
      prepare: freeRattler,
      ours: () => versions.map((t) => Version.parse(t)),
      reference: () => versions.map((t) => keep(new rattler.Version(t))),
    },
    {
      repeat,
      name: `sort ${versions.length} parsed versions`,
      ours: () => [...oursParsed].reverse().sort((a, b) => a.compare(b)),
      reference: () => [...rattlerParsed].reverse().sort((a, b) => a.compare(b)),
    },
    {
      repeat,
      name: `parse + sort ${versions.length} versions`,
      prepare: freeRattler,
      ours: () => versions.map((t) => Version.parse(t)).sort((a, b) => a.compare(b)),
      reference: () => versions.map((t) => keep(new rattler.Version(t))).sort((a, b) => a.compare(b)),
    },
    {
      repeat,
      name: `parse ${specs.length} version specs (cold)`,
      prepare: freeRattler,
      ours: () => {
        // Inside the timing: every run parses from scratch, and pays for the clearing.
        VersionSpec.clearCache();
        return specs.map((s) => VersionSpec.parse(s));
      },
      reference: () => specs.map((s) => keep(new rattler.VersionSpec(s))),
    },
    {
      repeat,
      name: `match ${pairs.length} spec/version pairs`,
      ours: () => oursPairs.filter((p) => p.spec.matches(p.version)).length,
      reference: () => rattlerPairs.filter((p) => p.spec.matches(p.version)).length,
    },
  ];
  notes.push('full MatchSpec strings are not compared: @conda-org/rattler 0.3.5 exposes no MatchSpec class');
  return { cases, notes };
}

function rattlerAccepts(rattler: RattlerModule, text: string): boolean {
  try {
    new rattler.Version(text).free();
    return true;
  } catch {
    return false;
  }
}
