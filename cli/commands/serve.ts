/** `taipan serve DIR [--port N] [--host ADDRESS] [--pkgs]`: host a channel (or the package cache) over HTTP. */
import type { Command } from 'commander';
import { DEFAULT_HOST } from '../../channels/serve/listen-address.js';
import { serveChannel } from '../../channels/serve/serve.js';
import { TaipanError } from '../../channels/model/errors.js';
import type { TaipanConfig } from '../config/load.js';
import { packageCache } from '../context.js';
import type { Output } from '../output.js';

export function registerServeCommand(program: Command, output: Output, config: () => TaipanConfig): void {
  program
    .command('serve')
    .description('serve a channel folder (or, with --pkgs, the package cache as a channel) over HTTP, with ETag, Range and a request log')
    .argument('[dir]', 'the channel folder')
    .option('--port <n>', 'the port to listen on (0: any free port)', '8000')
    .option('--host <address>', `the address to listen on; another than ${DEFAULT_HOST} (e.g. 0.0.0.0) puts the folder on the network`, DEFAULT_HOST)
    .option('--pkgs', 'serve the package cache (or DIR, when given, as a package cache) as a channel')
    .action(async (dir: string | undefined, options: { port: string; host: string; pkgs?: boolean }) => {
      const root = dir ?? (options.pkgs ? packageCache(config()).writableDir : '.');
      const port = Number(options.port);
      if (!/^\d+$/.test(options.port) || port > 65535) {
        throw new TaipanError('INVALID_ARGUMENT', `--port takes a number from 0 to 65535, not '${options.port}'`);
      }
      const server = await serveChannel(root, {
        port,
        host: options.host,
        packageCache: options.pkgs,
        log: (line) => process.stdout.write(`${line}\n`),
      });
      if (server.reachableFromOtherMachines) {
        // Printed even with --quiet: the user must know what they opened up.
        process.stderr.write(`warning: listening on ${server.address}: '${root}' is reachable from other machines on the network\n`);
      }
      output.text(`serving '${root}' at ${server.url} (use it with: taipan create -c ${server.url} ...); Ctrl-C stops\n`);
      // Serve until interrupted.
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    });
}
