/**
 * Where `taipan serve` listens. Only this machine by default: a channel folder, or worse
 * the user's package cache, goes on the network only when the user names another address
 * (`--host`), and the CLI then warns. Whether the address is reachable from elsewhere is
 * read from the address actually bound, so `--host localhost` and `--host ::1` count as
 * local while `--host 0.0.0.0` or a LAN name do not.
 */
import net from 'node:net';

export const DEFAULT_HOST = '127.0.0.1';

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** True for 127.0.0.0/8, ::1 and IPv4-mapped 127.x (`::ffff:127.0.0.1`). */
export function isLoopbackAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined || net.isIPv4(address)) return LOOPBACK.check(mapped ?? address, 'ipv4');
  return net.isIPv6(address) && LOOPBACK.check(address, 'ipv6');
}

/** The host part of a URL that reaches a server bound to `address` from this machine. */
export function urlHostFor(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return net.isIPv6(address) ? `[${address}]` : address;
}
