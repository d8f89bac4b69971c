// The parkedge command line: the daemon, installer checks, database tools, the fee calculator, simulators.
import { Command, Option } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, formatProblem, loadConfig, resolveConfigPath } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { configJsonSchema } from '../config/json-schema.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

function fail(msg: string, code = 1): never {
  process.stderr.write(msg.endsWith('\n') ? msg : msg + '\n');
  process.exit(code);
}

function config(file: string | undefined): { cfg: Config; path: string } {
  const path = resolveConfigPath(file);
  try {
    return { cfg: loadConfig(path), path };
  } catch (e) {
    if (e instanceof ConfigError)
      fail(
        `${path}: configuration has ${e.problems.length} problem(s):\n` +
          e.problems.map((p) => '  ' + formatProblem(p)).join('\n'),
      );
    throw e;
  }
}

const program = new Command();
program.name('parkedge').description('Parking-lot edge controller').version(pkg.version);
const configOpt = () =>
  new Option(
    '-c, --config <file>',
    'parkedge.yaml (default $CONFIGURATION_DIRECTORY/parkedge.yaml, else /etc/parkedge/parkedge.yaml)',
  );

program
  .command('start')
  .description('run the daemon')
  .addOption(configOpt())
  .option('--log-level <level>', 'override logging.level')
  .action(async (o: { config?: string; logLevel?: string }) => {
    const { cfg } = config(o.config);
    const { createLogger } = await import('../daemon/logger.js');
    const logger = createLogger({ level: o.logLevel ?? cfg.logging.level });
    const { runDaemon } = await import('../daemon/daemon.js');
    process.exitCode = await runDaemon({ config: cfg, logger });
  });

program
  .command('check-config')
  .description('validate a configuration file; prints every problem with its path')
  .argument('[file]', 'the file (default: as for start)')
  .addOption(configOpt())
  .action((file: string | undefined, o: { config?: string }) => {
    const path = resolveConfigPath(file ?? o.config);
    try {
      const cfg = loadConfig(path);
      process.stdout.write(
        `${path}: OK — ${cfg.site.name} (${cfg.site.parkCode}), ${cfg.lanes.length} lanes, ${cfg.devices.length} devices, ${Object.keys(cfg.tariffs).length} tariffs\n`,
      );
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      fail(`${path}: ${e.problems.length} problem(s)\n` + e.problems.map(formatProblem).join('\n'));
    }
  });

program
  .command('schema')
  .description('write the JSON Schema of the configuration file')
  .option('-o, --output <file>', 'target file', join(root, 'config', 'parkedge.schema.json'))
  .action((o: { output: string }) => {
    writeFileSync(o.output, configJsonSchema());
    process.stdout.write(`wrote ${o.output}\n`);
  });

const db = program.command('db').description('database tools');
db.command('migrate')
  .description('apply pending migrations')
  .addOption(configOpt())
  .option('--file <db>', 'database file (default <dataDir>/parkedge.db)')
  .action(async (o: { config?: string; file?: string }) => {
    const { openDb, migrate } = await import('../storage/db.js');
    const file = o.file ?? join(config(o.config).cfg.site.dataDir, 'parkedge.db');
    const d = openDb(file);
    const r = migrate(d);
    d.close();
    process.stdout.write(
      r.applied.length
        ? `${file}: migrated ${r.from} → ${r.to}\n`
        : `${file}: up to date (version ${r.to})\n`,
    );
  });
db.command('backup')
  .description('online backup, safe while the daemon runs')
  .argument('<target>', 'backup file to write')
  .addOption(configOpt())
  .option('--file <db>', 'database file (default <dataDir>/parkedge.db)')
  .action(async (target: string, o: { config?: string; file?: string }) => {
    const { openDb, backup, integrityCheck } = await import('../storage/db.js');
    const file = o.file ?? join(config(o.config).cfg.site.dataDir, 'parkedge.db');
    const d = openDb(file);
    await backup(d, target);
    d.close();
    const b = openDb(target, { readonly: true });
    const ok = integrityCheck(b);
    b.close();
    if (ok !== 'ok') fail(`backup ${target} failed integrity_check: ${ok}`);
    process.stdout.write(`${file} → ${target}: OK\n`);
  });

program
  .command('fee')
  .description('quote a stay with a tariff of the configuration (times are site-local)')
  .addOption(configOpt())
  .requiredOption('--tariff <id>', 'tariff id')
  .requiredOption('--in <time>', '"YYYY-MM-DD HH:mm[:ss]"')
  .requiredOption('--out <time>', '"YYYY-MM-DD HH:mm[:ss]"')
  .option('--prior-paid <fen>', 'money this plate already paid inside the cap window', (v) => Number(v))
  .action(async (o: { config?: string; tariff: string; in: string; out: string; priorPaid?: number }) => {
    const { cfg } = config(o.config);
    const { feeCommand } = await import('./fee.js');
    try {
      process.stdout.write(
        feeCommand({ config: cfg, tariff: o.tariff, in: o.in, out: o.out, priorPaid: o.priorPaid }) + '\n',
      );
    } catch (e) {
      fail((e as Error).message);
    }
  });

program
  .command('sim')
  .description('run one simulator in the foreground: camera | gate | led | onvif')
  .argument('<kind>', 'camera | gate | led | onvif')
  .argument('[options...]', 'key=value pairs, e.g. port=1502 url=http://127.0.0.1:8090/zhenshi')
  .action(async (kind: string, options: string[]) => {
    if (!['camera', 'gate', 'led', 'onvif'].includes(kind))
      fail(`unknown simulator "${kind}" (camera | gate | led | onvif)`);
    const { simCommand } = await import('../devices/sim/command.js');
    const opts = Object.fromEntries(options.map((kv) => [kv.split('=')[0], kv.slice(kv.indexOf('=') + 1)]));
    await simCommand(kind as 'camera' | 'gate' | 'led' | 'onvif', opts);
  });

program
  .command('doctor')
  .description('check every configured device once and print a verdict per device')
  .addOption(configOpt())
  .action(async (o: { config?: string }) => {
    const { cfg } = config(o.config);
    const { createLogger } = await import('../daemon/logger.js');
    const { doctor, formatDoctorTable } = await import('../devices/tools/doctor.js');
    const r = await doctor(cfg, createLogger({ level: 'warn' }));
    process.stdout.write(formatDoctorTable(r.rows) + '\n');
    process.exitCode = r.ok ? 0 : 1;
  });

program
  .command('discover')
  .description('list serial ports and ONVIF devices answering WS-Discovery')
  .option('--timeout <ms>', 'how long to listen', (v) => Number(v), 3000)
  .option(
    '--probe <host:port>',
    'probe target (default: the WS-Discovery multicast group 239.255.255.250:3702)',
  )
  .action(async (o: { timeout: number; probe?: string }) => {
    const { discover, formatDiscovery } = await import('../devices/tools/discover.js');
    const target = o.probe
      ? { host: o.probe.split(':')[0], port: Number(o.probe.split(':')[1] ?? 3702) }
      : undefined;
    process.stdout.write(formatDiscovery(await discover({ timeoutMs: o.timeout, target })) + '\n');
  });

const user = program.command('user').description('booth console accounts');
user
  .command('add')
  .description('add a booth account (the password is read from PARKEDGE_PASSWORD or stdin)')
  .addOption(configOpt())
  .requiredOption('-u, --username <name>')
  .addOption(new Option('-r, --role <role>').choices(['operator', 'supervisor', 'admin']).default('operator'))
  .option('-n, --name <display name>')
  .action(
    async (o: {
      config?: string;
      username: string;
      role: 'operator' | 'supervisor' | 'admin';
      name?: string;
    }) => {
      const { cfg } = config(o.config);
      const password = process.env.PARKEDGE_PASSWORD ?? readFileSync(0, 'utf8').split('\n')[0];
      if (!password || password.length < 6)
        fail('password must have at least 6 characters (PARKEDGE_PASSWORD or first line of stdin)');
      const { withSite } = await import('./site-session.js');
      await withSite(cfg, async (site) => {
        const { addUser } = await import('../booth/accounts.js');
        await addUser(site, { username: o.username, password, role: o.role, displayName: o.name });
      });
      process.stdout.write(`user ${o.username} (${o.role}) added\n`);
    },
  );
user
  .command('list')
  .addOption(configOpt())
  .action(async (o: { config?: string }) => {
    const { cfg } = config(o.config);
    const { withSite } = await import('./site-session.js');
    await withSite(cfg, async (site) => {
      const { listUsers } = await import('../booth/accounts.js');
      for (const u of listUsers(site))
        process.stdout.write(`${u.username}\t${u.role}\t${u.disabled ? 'disabled' : 'active'}\n`);
    });
  });

program.parseAsync(process.argv).catch((e: Error) => fail(`parkedge: ${e.message}`));
