import { cpus } from 'node:os';
import type { SignupFlow } from './signup-load';

export interface BenchOptions {
  quick: boolean;
  json: string | null;
  databaseUrl: string;
  upstreamLatencyMs: number;
  upstreamKeepAliveMs: number;
  signups: number;
  warmup: number;
  rounds: number;
  concurrency: number;
  poolSize: number;
  /** Verification row counts of the admin bench, each seeded and measured in turn (--rows). */
  adminRows: number[];
  /** Connections seeding the admin tables in parallel (chunks, then index builds). */
  seedJobs: number;
  adminRuns: number;
  adminWarmup: number;
  offsetRuns: number;
  pgliteSignups: number;
  pgliteConcurrency: number;
  only: Set<'signup' | 'admin' | 'pglite' | 'cost' | 'outage'>;
  /** --only outage: how long every upstream call fails. */
  outageSeconds: number;
  keep: boolean;
  cpuProf: string | null;
  contestants: ('api' | 'baseline')[];
  /** Another build of the api to measure (e.g. a patched copy): its dist/apps/api/src/main.js. */
  apiMain: string | null;
  /** A second api build measured head-to-head with the first, in the same alternating rounds. */
  candidateMain: string | null;
  candidateNodeOptions: string | null;
  /** Extra node options for the api process (e.g. --max-old-space-size=160). */
  apiNodeOptions: string | null;
  /** The api's identity providers, each measured in turn (--provider): i'mport V1 and PortOne V2 (the same load through the V2 API). */
  providers: BenchProvider[];
  /** The signup flows, each measured in turn for each provider (--flow): the OTP API and the browser window. */
  flows: SignupFlow[];
}

export type BenchProvider = 'iamport' | 'portone';

const HELP = `npm run bench -- [options]

  --quick                    small counts, about a minute (67 s here)
  --json FILE                also write every figure to FILE
  --database-url URL         PostgreSQL server to use (default $DATABASE_URL or
                             postgres://postgres@127.0.0.1:5432/test); the bench creates and drops
                             its own databases on that server
  --upstream-latency-ms N    latency injected on the sandbox's /certifications paths (default 20)
  --upstream-keep-alive-ms N how long the sandbox keeps an idle keep-alive connection (default
                             65000, like a load balancer; node's own default is 5000: see
                             docs/performance.md for what the api does when it is short)
  --signups N                measured signups per contestant (default 3000; quick 300)
  --warmup N                 signups before measuring, per contestant (default 1000; quick 100):
                             the api's JIT needs about that many to settle
  --rounds N                 the measured signups alternate between api and baseline in N
                             segments (default 6; quick 2)
  --concurrency N            virtual users in flight (default 64; quick 32)
  --pool-size N              database pool of the api and the baseline (default 10)
  --rows LIST                verification row counts for the admin queries, each seeded and
                             measured in turn, e.g. 1000000,10000000 (default 1000000; quick
                             100000); --admin-rows is the same option
  --seed-jobs N              connections seeding in parallel (default: the number of CPUs)
  --admin-runs N             runs per admin query (default 1000; quick 200)
  --admin-warmup N           rounds of the four admin queries before measuring (default 1500;
                             quick 300): JIT, and the api's heap reaching its steady size
  --pglite-signups N         signups on the embedded PGlite default (default 1000 at 32 virtual users; quick 100 at 16)
  --only LIST                comma-separated subset of signup,admin,pglite,outage (default all four), or cost
                             (the cost of one signup on PostgreSQL + Redis, docs/scaling.md)
  --outage-seconds N         how long every upstream call fails in the outage part (default 30;
                             quick 16; at least 13: the first 12 s are the onset)
  --contestants LIST         signup flow against api,baseline (default both; one alone has no ratio)
  --cpu-prof DIR             profile the api and the baseline (inspector), .cpuprofile files in DIR;
                             summarize with node dist/bench/lib/profile-summary.js FILE
  --api-main FILE            measure another build of the api (default dist/apps/api/src/main.js)
  --candidate-main FILE      also measure this api build ("candidate") in the same rounds, to
                             compare a change head-to-head with the api (ratio candidate / api)
  --candidate-node-options OPTS  NODE_OPTIONS of the candidate (alone: the same build as the api)
  --api-node-options OPTS    NODE_OPTIONS for the api process, e.g. "--max-old-space-size=160"
  --provider LIST            the identity providers of the signup part, each measured in turn:
                             iamport (V1), portone (V2: the same load through the sandbox's V2 API),
                             default both; the baseline speaks the same provider as the api
  --flow LIST                the signup flows, each measured for each provider: otp (OTP request,
                             confirm, signup) and window (window start, the person certifies in the
                             sandbox's window, completion, signup), default both
  --keep                     keep the databases the bench created (for inspection)
`;

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const quick = argv.includes('--quick');
  const o: BenchOptions = {
    quick,
    json: null,
    databaseUrl: env.DATABASE_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/test',
    upstreamLatencyMs: 20,
    upstreamKeepAliveMs: 65_000,
    signups: quick ? 300 : 3000,
    warmup: quick ? 100 : 1000,
    rounds: quick ? 2 : 6,
    concurrency: quick ? 32 : 64,
    poolSize: 10,
    adminRows: [quick ? 100_000 : 1_000_000],
    seedJobs: Math.max(1, cpus().length),
    adminRuns: quick ? 200 : 1000,
    adminWarmup: quick ? 300 : 1500,
    offsetRuns: quick ? 10 : 30,
    pgliteSignups: quick ? 100 : 1000,
    pgliteConcurrency: quick ? 16 : 32,
    only: new Set(['signup', 'admin', 'pglite', 'outage']),
    outageSeconds: quick ? 16 : 30,
    keep: false,
    cpuProf: null,
    contestants: ['api', 'baseline'],
    apiMain: null,
    candidateMain: null,
    candidateNodeOptions: null,
    apiNodeOptions: null,
    providers: ['iamport', 'portone'],
    flows: ['otp', 'window'],
  };
  const int = (name: string, raw: string | undefined, min: number): number => {
    const n = Number(raw);
    if (raw === undefined || !Number.isInteger(n) || n < min) throw new Error(`${name} needs an integer >= ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    switch (a) {
      case '--quick':
        break;
      case '--keep':
        o.keep = true;
        break;
      case '--json':
        o.json = next() ?? null;
        if (!o.json) throw new Error('--json needs a file name');
        break;
      case '--database-url':
        o.databaseUrl = next() ?? '';
        break;
      case '--upstream-latency-ms':
        o.upstreamLatencyMs = int(a, next(), 0);
        break;
      case '--upstream-keep-alive-ms':
        o.upstreamKeepAliveMs = int(a, next(), 1);
        break;
      case '--signups':
        o.signups = int(a, next(), 1);
        break;
      case '--warmup':
        o.warmup = int(a, next(), 0);
        break;
      case '--rounds':
        o.rounds = int(a, next(), 1);
        break;
      case '--concurrency':
        o.concurrency = int(a, next(), 1);
        break;
      case '--pool-size':
        o.poolSize = int(a, next(), 1);
        break;
      case '--rows':
      case '--admin-rows': {
        const list = (next() ?? '').split(',');
        o.adminRows = list.map((x) => int(a, x.trim().replace(/_/g, ''), 1000));
        break;
      }
      case '--seed-jobs':
        o.seedJobs = int(a, next(), 1);
        break;
      case '--admin-runs':
        o.adminRuns = int(a, next(), 1);
        break;
      case '--admin-warmup':
        o.adminWarmup = int(a, next(), 0);
        break;
      case '--outage-seconds':
        o.outageSeconds = int(a, next(), 13);
        break;
      case '--pglite-signups':
        o.pgliteSignups = int(a, next(), 1);
        break;
      case '--only': {
        const parts = (next() ?? '').split(',').map((s) => s.trim());
        for (const p of parts) if (!['signup', 'admin', 'pglite', 'cost', 'outage'].includes(p)) throw new Error(`--only: unknown part "${p}"`);
        o.only = new Set(parts as ('signup' | 'admin' | 'pglite' | 'cost' | 'outage')[]);
        break;
      }
      case '--contestants': {
        const parts = (next() ?? '').split(',').map((x) => x.trim());
        for (const p of parts) if (p !== 'api' && p !== 'baseline') throw new Error(`--contestants: unknown "${p}"`);
        o.contestants = parts as ('api' | 'baseline')[];
        break;
      }
      case '--provider': {
        o.providers = list(a, next(), ['iamport', 'portone'] as const);
        break;
      }
      case '--flow': {
        o.flows = list(a, next(), ['otp', 'window'] as const);
        break;
      }
      case '--api-main':
        o.apiMain = next() ?? null;
        break;
      case '--candidate-main':
        o.candidateMain = next() ?? null;
        break;
      case '--candidate-node-options':
        o.candidateNodeOptions = next() ?? null;
        if (!o.candidateMain) o.candidateMain = '';
        break;
      case '--api-node-options':
        o.apiNodeOptions = next() ?? null;
        break;
      case '--cpu-prof':
        o.cpuProf = next() ?? null;
        if (!o.cpuProf) throw new Error('--cpu-prof needs a directory');
        break;
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        process.exit(0);
      // eslint-disable-next-line no-fallthrough
      default:
        throw new Error(`unknown option ${a}\n\n${HELP}`);
    }
  }
  return o;
}

/** A comma-separated subset of `allowed`, in the order given, each once. */
function list<T extends string>(name: string, raw: string | undefined, allowed: readonly T[]): T[] {
  const parts = [...new Set((raw ?? '').split(',').map((x) => x.trim()).filter((x) => x !== ''))];
  if (parts.length === 0) throw new Error(`${name} needs one or more of ${allowed.join(', ')}`);
  for (const p of parts) if (!allowed.includes(p as T)) throw new Error(`${name}: unknown "${p}" (one or more of ${allowed.join(', ')})`);
  return parts as T[];
}
