/**
 * Lab scenarios: a folder per story under `scenarios/` (format in scenarios/README.md) with zone
 * files, a hosts file, messages (.eml) and the causes a correct diagnosis must name. The loader
 * checks everything up front, so a broken scenario fails at load with the file and the reason.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.ts';
import { CAUSE_IDS } from '../diagnose/types.ts';
import { parseZone, ZoneError, type Zone, type FaultRule } from './dns/index.ts';
import { parseHostsFile, type HostsFile } from './hosts/index.ts';

export interface Expectations {
  /** The domain to diagnose. */
  domain: string;
  description: string;
  causes: {
    /** The top-ranked cause must be one of these. */
    first?: string[];
    /** Causes the diagnosis must name. */
    include: string[];
    /** Causes it must not name. */
    exclude?: string[];
  };
  /** The verdict the run must reach; by default healthy when `include` is empty, else problems. */
  verdict?: 'healthy' | 'problems' | 'incomplete';
  notes?: string;
}

export interface Scenario {
  name: string;
  dir: string;
  zones: Zone[];
  /** Zone file paths, in the order of `zones`. */
  zoneFiles: string[];
  hosts: HostsFile;
  /** Absolute paths of `messages/*.eml`, sorted. */
  messages: string[];
  expected: Expectations;
  /** DNS faults the scenario's resolver suffers from the start (`faults.json`: SERVFAIL, drops, latency). */
  faults: FaultRule[];
  /** The README's story paragraph. */
  story: string;
}

export interface ScenarioSummary {
  name: string;
  domain: string;
  description: string;
}

const MAX_FILE_BYTES = 8 * 1024 * 1024;
const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** The scenarios shipped with mailsleuth (`<checkout>/scenarios`). */
export const SCENARIOS_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

export function listScenarios(dir = SCENARIOS_DIR): ScenarioSummary[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'expected.json')))
    .map((entry) => {
      const expected = readExpectations(join(dir, entry.name, 'expected.json'));
      return { name: entry.name, domain: expected.domain, description: expected.description };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** A shipped scenario by name (`webhost-spoof`), or any scenario folder by path. */
export function loadScenario(nameOrPath: string): Scenario {
  const dir = locate(nameOrPath);
  const name = basename(dir);
  const zoneFiles = filesIn(join(dir, 'zones'), '.zone');
  if (zoneFiles.length === 0) throw new InputError(`scenario ${name}: no zones/*.zone files`);
  const zones = zoneFiles.map(readZone);
  const origins = new Map<string, string>();
  for (const [i, zone] of zones.entries()) {
    const other = origins.get(zone.origin);
    if (other) throw new InputError(`scenario ${name}: zone ${zone.origin} is defined twice (${basename(other)} and ${basename(zoneFiles[i]!)})`);
    origins.set(zone.origin, zoneFiles[i]!);
  }
  const hostsPath = join(dir, 'hosts.json');
  const hosts = existsSync(hostsPath) ? parseHostsFile(readText(hostsPath), hostsPath) : { hosts: [] };
  const messages = existsSync(join(dir, 'messages')) ? filesIn(join(dir, 'messages'), '.eml') : [];
  const expected = readExpectations(join(dir, 'expected.json'));
  const story = existsSync(join(dir, 'README.md')) ? storyOf(readText(join(dir, 'README.md'))) : '';
  const faultsPath = join(dir, 'faults.json');
  const faults = existsSync(faultsPath) ? readFaults(faultsPath) : [];
  return { name, dir, zones, zoneFiles, hosts, messages, expected, faults, story };
}

function locate(nameOrPath: string): string {
  const looksLikePath = nameOrPath.includes('/') || nameOrPath.includes('\\') || isAbsolute(nameOrPath);
  if (looksLikePath) {
    const dir = resolve(nameOrPath);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`no scenario folder at ${nameOrPath}`);
    if (!existsSync(join(dir, 'expected.json'))) throw new InputError(`${nameOrPath} is not a scenario folder (no expected.json)`);
    return dir;
  }
  const dir = join(SCENARIOS_DIR, nameOrPath);
  if (!NAME.test(nameOrPath) || !existsSync(join(dir, 'expected.json'))) {
    const known = listScenarios().map((s) => s.name);
    throw new InputError(`unknown scenario "${nameOrPath}" (known: ${known.join(', ') || 'none'})`);
  }
  return dir;
}

function filesIn(dir: string, extension: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(extension)).sort().map((f) => join(dir, f));
}

function readText(path: string): string {
  const size = statSync(path).size;
  if (size > MAX_FILE_BYTES) throw new InputError(`${path}: over ${MAX_FILE_BYTES} bytes`);
  return readFileSync(path, 'utf8');
}

function readZone(path: string): Zone {
  try {
    return parseZone(readText(path), { file: path });
  } catch (err) {
    if (err instanceof ZoneError) throw new InputError(err.message);
    throw err;
  }
}

const FAULT_ACTIONS = ['servfail', 'refused', 'drop', 'truncate'];

/** `faults.json`: a list of `{ name?, type?, latencyMs?, action? }`, as the lab DNS server takes them. */
function readFaults(path: string): FaultRule[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readText(path));
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(raw)) throw new InputError(`${path}: must be a list of fault rules`);
  return raw.map((r, i) => {
    const rule = r as Record<string, unknown>;
    const bad = (why: string): never => { throw new InputError(`${path}: rule ${i + 1}: ${why}`); };
    if (typeof rule !== 'object' || rule === null) bad('must be an object');
    if (rule.name !== undefined && typeof rule.name !== 'string') bad('"name" must be a string');
    if (rule.action !== undefined && !FAULT_ACTIONS.includes(rule.action as string)) bad(`"action" must be one of ${FAULT_ACTIONS.join(', ')}`);
    if (rule.latencyMs !== undefined && (typeof rule.latencyMs !== 'number' || rule.latencyMs < 0 || rule.latencyMs > 10_000)) bad('"latencyMs" must be 0..10000');
    return rule as FaultRule;
  });
}

function readExpectations(path: string): Expectations {
  const fail = (why: string): never => {
    throw new InputError(`${path}: ${why}`);
  };
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readText(path)) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof InputError) throw err;
    return fail(`not valid JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null) fail('must be an object');
  if (typeof raw.domain !== 'string' || raw.domain === '') fail('"domain" must be a domain name');
  if (typeof raw.description !== 'string') fail('"description" must be a string');
  const causes = raw.causes as Record<string, unknown> | undefined;
  if (typeof causes !== 'object' || causes === null) return fail('"causes" must be an object');
  const ids = (key: string, required: boolean): string[] | undefined => {
    const value = causes[key];
    if (value === undefined && !required) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) return fail(`"causes.${key}" must be a list of cause ids`);
    for (const id of value as string[]) if (!(CAUSE_IDS as readonly string[]).includes(id)) fail(`"causes.${key}": unknown cause id "${id}"`);
    return value as string[];
  };
  const expected: Expectations = { domain: (raw.domain as string).toLowerCase(), description: raw.description as string, causes: { include: ids('include', true)! } };
  const first = ids('first', false);
  const exclude = ids('exclude', false);
  if (raw.verdict !== undefined) {
    if (raw.verdict !== 'healthy' && raw.verdict !== 'problems' && raw.verdict !== 'incomplete') fail('"verdict" must be healthy, problems or incomplete');
    expected.verdict = raw.verdict as Expectations['verdict'];
  }
  if (first) expected.causes.first = first;
  if (exclude) expected.causes.exclude = exclude;
  if (typeof raw.notes === 'string') expected.notes = raw.notes;
  return expected;
}

/** The first paragraph of prose after the title. */
function storyOf(readme: string): string {
  const paragraphs = readme.split(/\n\s*\n/).map((p) => p.trim()).filter((p) => p !== '' && !p.startsWith('#'));
  return (paragraphs[0] ?? '').replace(/\s*\n\s*/g, ' ');
}

/** What a diagnosis got wrong against a scenario's expectations (empty when it matches). */
export function compareCauses(expected: Expectations, causeIds: readonly string[]): string[] {
  const problems: string[] = [];
  const { first, include, exclude = [] } = expected.causes;
  if (first && first.length > 0 && !first.includes(causeIds[0] ?? '')) {
    problems.push(`first cause is ${causeIds[0] ?? 'none'}, expected ${first.join(' or ')}`);
  }
  for (const id of include) if (!causeIds.includes(id)) problems.push(`missing cause ${id}`);
  for (const id of exclude) if (causeIds.includes(id)) problems.push(`unexpected cause ${id}`);
  return problems;
}
