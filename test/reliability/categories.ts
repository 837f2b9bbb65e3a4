/** Every category of the reliability suite, in the order of the table. */
import type { Category } from './harness.js';
import { httpFaults } from './cases/http-faults.js';
import { processKills } from './cases/process-kills.js';
import { concurrency } from './cases/concurrency.js';
import { diskErrors } from './cases/disk-errors.js';
import { hostileArchives } from './cases/hostile-archives.js';
import { hostileMetadata } from './cases/hostile-metadata.js';
import { secrets } from './cases/secrets.js';
import { linkScripts } from './cases/link-scripts.js';
import { ownedPaths } from './cases/owned-paths.js';
import { names } from './cases/names.js';
import { channelTrust } from './cases/channel-trust.js';
import { server } from './cases/server.js';
import { roundTrips } from './cases/round-trips.js';
import { shippedArchives } from './cases/shipped-archives.js';
import { activeEnvironment } from './cases/active-environment.js';
import { interrupts } from './cases/interrupts.js';

export const CATEGORIES: readonly Category[] = [httpFaults, processKills, concurrency, diskErrors, hostileArchives, hostileMetadata, secrets, linkScripts, ownedPaths, names, channelTrust, server, roundTrips, shippedArchives, activeEnvironment, interrupts];
