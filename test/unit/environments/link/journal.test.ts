/**
 * The on-disk journal: rollback in process, and the repair a later process does from the
 * files alone (a transaction "killed" by simply never committing).
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Journal, journalExists, recoverJournal } from '../../../../environments/transaction/journal.js';
import { acquirePrefixLock, holdsPrefixLock, withPrefixLock } from '../../../../environments/lock.js';
import { present } from './prefix-consistency.js';

let prefix: string;

beforeEach(async () => {
  prefix = await mkdtemp(path.join(os.tmpdir(), 'taipan-journal-'));
  await mkdir(path.join(prefix, 'conda-meta'));
  await mkdir(path.join(prefix, 'share'));
  await writeFile(path.join(prefix, 'share', 'old.txt'), 'old');
});

afterEach(async () => {
  await rm(prefix, { recursive: true, force: true });
});

async function changeSomething(journal: Journal): Promise<void> {
  await journal.displace(path.join(prefix, 'share', 'old.txt'));
  const created = path.join(prefix, 'share', 'deep', 'new.txt');
  await journal.create(created, async () => {
    await mkdir(path.dirname(created), { recursive: true });
    await writeFile(created, 'new');
  });
  const replacement = path.join(prefix, 'share', 'old.txt');
  await journal.create(replacement, () => writeFile(replacement, 'replaced'));
}

test('rollback restores moved files and removes created ones and their folders', async () => {
  const journal = await Journal.begin(prefix, { prefixExisted: true, history: '' });
  await changeSomething(journal);
  await journal.rollback();
  expect(await readFile(path.join(prefix, 'share', 'old.txt'), 'utf8')).toBe('old');
  expect(await present(path.join(prefix, 'share', 'deep'))).toBe(false);
  expect(await readdir(prefix)).toEqual(['conda-meta', 'share']);
  expect(await readdir(path.join(prefix, 'conda-meta'))).toEqual([]);
});

test('a journal left by a dead process is rolled back from disk, twice without harm', async () => {
  const journal = await Journal.begin(prefix, { prefixExisted: true, history: 'h\n' });
  await changeSomething(journal);
  // The process "dies" here: no commit, no rollback. A cut-off last log line is ignored.
  await writeFile(path.join(prefix, 'conda-meta', '.taipan-transaction.log'), `${await readFile(path.join(prefix, 'conda-meta', '.taipan-transaction.log'), 'utf8')}{"op":"cre`);
  await writeFile(path.join(prefix, 'conda-meta', 'x-1-0.json.tmp-123'), '{');
  expect(await journalExists(prefix)).toBe(true);
  expect(await recoverJournal(prefix)).toEqual({ outcome: 'rolled-back', prefixWasNew: false });
  expect(await recoverJournal(prefix)).toEqual({ outcome: 'none' });
  expect(await readFile(path.join(prefix, 'share', 'old.txt'), 'utf8')).toBe('old');
  expect(await readdir(path.join(prefix, 'share'))).toEqual(['old.txt']);
  expect(await readdir(path.join(prefix, 'conda-meta'))).toEqual([]);
});

test('a committed transaction is finished: trash dropped, history appended once', async () => {
  const journal = await Journal.begin(prefix, { prefixExisted: true, history: '==> entry <==\n' });
  await changeSomething(journal);
  await journal.commit();
  expect(await readFile(path.join(prefix, 'share', 'old.txt'), 'utf8')).toBe('replaced');
  expect(await present(path.join(prefix, '.taipan-trash'))).toBe(false);
  expect(await readFile(path.join(prefix, 'conda-meta', 'history'), 'utf8')).toBe('==> entry <==\n');
  expect(await journalExists(prefix)).toBe(false);
});

test('the prefix lock: held, released, taken over from a dead owner', async () => {
  const release = await acquirePrefixLock(prefix);
  expect(holdsPrefixLock(prefix)).toBe(true);
  let waited = false;
  const second = withPrefixLock(prefix, async () => 'second', { onWait: () => (waited = true) });
  await new Promise((r) => setTimeout(r, 300));
  expect(waited).toBe(true);
  await release();
  expect(await second).toBe('second');
  expect(holdsPrefixLock(prefix)).toBe(false);

  // A lock whose owner (a pid that cannot exist) is gone is taken at once.
  await mkdir(path.join(prefix, 'conda-meta', '.taipan.lock'));
  await writeFile(path.join(prefix, 'conda-meta', '.taipan.lock-owner'), JSON.stringify({ pid: 2 ** 22 + 17, host: os.hostname(), since: '' }));
  const started = Date.now();
  await withPrefixLock(prefix, async () => undefined, { onWait: () => { throw new Error('should not wait'); } });
  expect(Date.now() - started).toBeLessThan(2000);
  expect(await readdir(path.join(prefix, 'conda-meta'))).toEqual([]);
});
