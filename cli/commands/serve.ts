/** `taipan serve DIR [--port N] [--pkgs]`: host a channel (or the package cache) over HTTP. */
import type { Command } from 'commander';
import { serveChannel } from '../../channels/serve/serve.js';
import type { TaipanConfig } from '../config/load.js';
import { packageCache } from '../context.js';
import type { Output } from '../output.js';

export function registerServeCommand(program: Command, output: Output, config: () => TaipanConfig): void {
  program
    .command('serve')
    .description('serve a channel folder (or, with --pkgs, the package cache as a channel) over HTTP, with ETag, Range and a request log')
    .argument('[dir]', 'the channel folder')
    .option('--port <n>', 'the port to listen on', '8000')
    .option('--host <address>', 'the address to listen on (default: every interface)', '0.0.0.0')
    .option('--pkgs', 'serve the package cache (or DIR, when given, as a package cache) as a channel')
    .action(async (dir: string | undefined, options: { port: string; host: string; pkgs?: boolean }) => {
      const root = dir ?? (options.pkgs ? packageCache(config()).writableDir : '.');
      const server = await serveChannel(root, {
        port: Number(options.port),
        host: options.host,
        packageCache: options.pkgs,
        log: (line) => process.stdout.write(`${line}\n`),
      });
      output.text(`serving '${root}' at ${server.url} (use it with: taipan create -c ${server.url} ...); Ctrl-C stops\n`);
      // Serve until interrupted.
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.close();
    });
}
