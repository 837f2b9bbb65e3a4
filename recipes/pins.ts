/**
 * pin_subpackage / pin_compatible. At template time the pinned output's version and build
 * string are not known yet (they depend on the variant hash), so the template functions
 * leave a marker that {@link resolvePins} replaces once every output is rendered.
 */
import { Version } from '../channels/model/version.js';

export interface PinRequest {
  readonly kind: 'subpackage' | 'compatible';
  readonly name: string;
  /** conda-build `min_pin` / rattler-build `lower_bound`: an `x.x` pattern or a version; null for none. */
  readonly lower?: string | null;
  /** conda-build `max_pin` / rattler-build `upper_bound`; null for none. */
  readonly upper?: string | null;
  readonly exact?: boolean;
}

const OPEN = '\u27EApin:';
const CLOSE = '\u27EB';
const MARKER_RE = /\u27EApin:([A-Za-z0-9_-]+)\u27EB/g;

/** A marker that is safe inside YAML plain scalars and survives Jinja output. */
export function pinMarker(pin: PinRequest): string {
  return `${OPEN}${Buffer.from(JSON.stringify(pin)).toString('base64url')}${CLOSE}`;
}

export function hasPinMarker(text: string): boolean {
  return text.includes(OPEN);
}

export interface PinnedOutput {
  readonly version: string;
  readonly buildString: string;
}

/**
 * Replaces the markers in `text`. `lookup` gives a sibling output's version and build
 * string. pin_compatible needs the version solved into the host environment, which only
 * the builder knows: it renders as the bare name (conda-build's unsolved render shows the
 * same) and `onCompatible` is told, so the builder can complete it.
 */
export function resolvePins(text: string, lookup: (name: string) => PinnedOutput | undefined, onMissing: (name: string) => never, onCompatible?: (pin: PinRequest) => void): string {
  return text.replace(MARKER_RE, (_m, b64: string) => {
    const pin = JSON.parse(Buffer.from(b64, 'base64url').toString('utf8')) as PinRequest;
    if (pin.kind === 'compatible') {
      onCompatible?.(pin);
      return pin.name;
    }
    const target = lookup(pin.name);
    if (!target) return onMissing(pin.name);
    if (pin.exact) return `${pin.name} ${target.version} ${target.buildString}`;
    const bounds = pinBounds(target.version, pin.lower === undefined ? 'x.x.x.x.x.x' : pin.lower, pin.upper === undefined ? 'x' : pin.upper);
    return bounds ? `${pin.name} ${bounds}` : pin.name;
  });
}

/**
 * A `pin_compatible` completed from the version (and build) solved into the host
 * environment: exact gives `name version build`, otherwise the bounds of {@link pinBounds}.
 */
export function compatibleSpec(pin: { name: string; lower: string | null; upper: string | null; exact: boolean }, solved: { version: string; build: string }): string {
  if (pin.exact) return `${pin.name} ${solved.version} ${solved.build}`;
  const bounds = pinBounds(solved.version, pin.lower, pin.upper);
  return bounds ? `${pin.name} ${bounds}` : pin.name;
}

/**
 * conda-build's `apply_pin_expressions`: `>=` the first n components for the lower pattern,
 * `<` the first m components with the last one bumped, then `.0a0` (1.3.2 with `x` gives
 * `>=1.3.2,<2.0a0`; 5.28.2 with `x.x.x` gives `<5.28.3.0a0`). A bound that is not an `x`
 * pattern is used as a version literally (rattler-build's `lower_bound="1.2"`).
 */
export function pinBounds(version: string, lower: string | null, upper: string | null): string {
  const parts = version.split(/[._]/).filter((p) => p !== '');
  const out: string[] = [];
  if (lower) {
    if (/^x(\.x)*$/.test(lower)) out.push(`>=${parts.slice(0, lower.split('.').length).join('.')}`);
    else out.push(`>=${lower}`);
  }
  if (upper) {
    if (/^x(\.x)*$/.test(upper)) {
      const n = Math.min(upper.split('.').length, parts.length);
      const head = parts.slice(0, n);
      const last = head[n - 1] ?? '0';
      const m = /^(\d+)(.*)$/.exec(last);
      head[n - 1] = m ? String(Number(m[1]) + 1) : last;
      out.push(`<${head.join('.')}.0a0`);
    } else {
      out.push(`<${upper}`);
    }
  }
  return out.join(',');
}

/** True when `value` parses as a conda version (used to sanity-check pinned versions). */
export function isVersion(value: string): boolean {
  return Version.tryParse(value) !== null;
}
