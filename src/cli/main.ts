/**
 * The `gaussmix` command line: argument parsing and exit codes. Exit 0 on success, 2 on a usage error (unknown
 * option, bad option value, missing argument), 1 on a data, model or fit error.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { GaussianMixtureError, OptionError } from '../api/errors.js';
import { inFlags } from './messages.js';
import { provideArtifacts } from '../artifacts.js';
import { installFull } from '../full.js';
import {
  COVARIANCE_TYPES,
  componentRange,
  covarianceList,
  delimiter,
  finite,
  integer,
  modelList,
  SKLEARN_TYPES,
  seed,
} from './args.js';
import {
  anomaliesCommand,
  demoCommand,
  type FitFlags,
  fitCommand,
  imputeCommand,
  predictCommand,
  sampleCommand,
  scoreCommand,
  selectCommand,
} from './commands.js';
import type { DistributedFitFlags } from './distributed.js';
import { checkOnlineFlags, type OnlineFlags, onlineFitCommand } from './online.js';

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
}

const csvOptions = (cmd: Command): Command =>
  cmd
    .option(
      '--columns <list>',
      'feature columns: names, 1-based indices or ranges, e.g. "eruptions,waiting" or "1-4" (default: all)',
    )
    .option(
      '--delimiter <char>',
      "field delimiter: ',', ';', 'tab', 'space' (default: detected from the first line)",
      delimiter,
    )
    .option('--header', 'the first row is a header (default: detected — a first row with any non-numeric field)')
    .option('--no-header', 'the first row is data');

/** --missing, for the commands that fit or score (impute always reads missing values). */
const missingOption = (cmd: Command, what: string): Command =>
  cmd.addOption(
    new Option('--missing <mode>', `marginalize: empty fields and NA, N/A, NaN are missing values, ${what}`).choices([
      'error',
      'marginalize',
    ]),
  );
const FIT_MISSING = 'integrated out by EM (missing at random assumed; default: error)';
const SCORE_MISSING = "integrated out (default: the model's setting)";

const modelOptions = (cmd: Command): Command =>
  cmd
    .option('--n-init <n>', 'EM restarts; the best run wins', integer(1), 1)
    .option('--seed <s>', 'random seed (same seed → same result)', seed, 0)
    .option('--max-iter <n>', 'EM iterations per restart', integer(0), 100)
    .option(
      '--tol <t>',
      'convergence tolerance on the change of the mean log-likelihood',
      finite('a number ≥ 0', (v) => v >= 0),
      1e-3,
    )
    .option(
      '--reg-covar <r>',
      'added to covariance diagonals',
      finite('a number ≥ 0', (v) => v >= 0),
      1e-6,
    )
    .addOption(
      new Option('--init <method>', "initialisation ('hc': mclust's hierarchical start)")
        .choices(['kmeans', 'k-means++', 'random', 'random_from_data', 'hc'])
        .default('kmeans'),
    )
    .addOption(
      new Option(
        '--init-sample <mode>',
        "more than 8192 rows: k-means on a sample, then 'em' (EM on the sample; the default), 'kmeans' (every row to its nearest center) or 'none' (k-means on all rows)",
      ).choices(['em', 'kmeans', 'none']),
    )
    .addOption(new Option('--backend <name>', 'compute backend').choices(['auto', 'wasm', 'js']).default('auto'))
    .addOption(
      new Option('--on-degenerate <policy>', 'when a component collapses: stop with an error, or re-seed it and go on')
        .choices(['error', 'reset'])
        .default('error'),
    )
    .option(
      '--prior',
      "conjugate prior (MAP-EM) with mclust's defaultPrior: keeps small or collinear clusters from collapsing",
    )
    .option(
      '--noise',
      'add a uniform noise component for outliers (volume: mclust hypvol); predict gives -1 for its rows',
    )
    .option(
      '--noise-volume <V>',
      'the noise region volume (implies --noise)',
      finite('a number > 0', (v) => v > 0),
    )
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .option('--no-progress', 'never show progress (default: shown only when stderr is a terminal)');

/** The program itself: name, version, error output and the top-level help. */
function programHeader(): Command {
  const program = new Command('gaussmix');
  program
    .description('Gaussian mixture models fitted by EM: fit, predict, score, detect anomalies, sample, choose K.')
    .version(version(), '-V, --version')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`gaussmix: ${str}`) })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
CSV input: a file or '-' for stdin; comma, tab or semicolon delimited; a header row is detected automatically.
Exit codes: 0 success, 1 data/model/fit error, 2 usage error.

Examples:
  gaussmix fit data.csv -k 3 --out model.json --plot fit.svg
  gaussmix select data.csv --k 1..9 --criterion bic --out best.json --plot bic.svg
  gaussmix predict model.json data.csv --proba > labels.csv
  gaussmix anomalies model.json data.csv --contamination 0.01
  gaussmix impute model.json data-with-holes.csv > completed.csv
  gaussmix sample model.json -n 1000 --seed 7 > synthetic.csv
  gaussmix demo`,
    );
  return program;
}

/** fit's own options (the model, CSV and --missing options are added after them, in help order). */
function fitOptions(program: Command): Command {
  return program
    .command('fit')
    .description('fit a mixture to a CSV file; prints the model and optionally saves it (JSON) and plots it (SVG)')
    .argument('<data>', "CSV file, or '-' for stdin")
    .argument('[shards...]', 'with --redis: more shards (CSV or .npy paths, or URLs) that every worker can read')
    .option('-k, --k <n>', 'number of components (required, except with --bayesian)', integer(1))
    .addOption(new Option('--covariance <type>', 'covariance type').choices(COVARIANCE_TYPES).default('full'))
    .option(
      '--bayesian',
      'variational Bayesian mixture: the data choose the number of components (up to --max-components)',
    )
    .option('--max-components <K>', 'with --bayesian: the largest number of components (default 10)', integer(1))
    .addOption(
      new Option(
        '--prior-type <type>',
        "with --bayesian: weight prior, Dirichlet process or distribution (default 'dp')",
      ).choices(['dp', 'dirichlet']),
    )
    .option(
      '--weights <column>',
      'column of non-negative sample weights (name or 1-based index; not used as a feature)',
    )
    .option('--out <model.json>', 'save the fitted model as JSON')
    .option(
      '--plot <file.svg>',
      'save an SVG plot: points by cluster, 1σ/2σ ellipses (D > 2: first two principal components)',
    )
    .option('--pairs <file.svg>', 'save a pairs plot (D ≥ 2): a scatter matrix of the first 4 features with ellipses')
    .option(
      '--standardize',
      'fit on z-scored features (per column (x − mean) / sd); the model is reported and saved in the original units',
    )
    .option(
      '--online',
      'online (stepwise) EM over the input in batches, never holding more than one: for data larger than memory or a stream on stdin',
    )
    .option(
      '--batch-size <n>',
      'rows per batch with --online (default 1000; the first batch is fitted by EM to start: make it large enough)',
      integer(1),
    )
    .option(
      '--learning-rate <r>',
      'with --online: a constant step in (0, 1] that forgets old rows (for drifting data); default: the decaying schedule (t + 1)^-0.6',
      finite('a number in (0, 1]', (v) => v > 0 && v <= 1),
    )
    .option('--redis <url>', 'fit on the workers serving this Redis (gaussmix worker): the files are shards')
    .option('--checkpoint <name>', 'with --redis: resume from / record in this checkpoint')
    .option('--delete-checkpoint', 'with --redis --checkpoint NAME: delete the checkpoint and exit')
    .option('--prefix <prefix>', "with --redis: prefix of the Redis keys and queues (default 'gaussmix')");
}

/** fit's flag combinations are checked here, before a fit of any kind starts. */
/** fit's flags as commander hands them over: any of the in-memory, online and distributed fits' flags. */
type FitActionFlags = FitFlags & OnlineFlags & Partial<DistributedFitFlags>;

async function fitAction(data: string, shards: string[], o: FitActionFlags, cmd: Command): Promise<void> {
  if (o.k === undefined && !o.bayesian) cmd.error("error: required option '-k, --k <n>' not specified");
  checkOnlineFlags(o);
  const needsData = o.pairs ? '--pairs' : o.standardize ? '--standardize' : null;
  const streamed = o.online ? '--online' : o.redis ? '--redis' : null;
  if (streamed && needsData)
    throw new OptionError(needsData, `${needsData} needs the data in memory, which ${streamed} does not keep`);
  if (o.redis) {
    if (o.bayesian) {
      throw new OptionError('--bayesian', '--bayesian cannot be used with --redis (a distributed fit runs EM)');
    }
    if (o.online)
      throw new OptionError(
        '--online',
        '--online cannot be used with --redis (a distributed fit runs batch EM over the shards)',
      );
    return (await import('./distributed.js')).distributedFitCommand([data, ...shards], o as DistributedFitFlags); // o.redis is set
  }
  if (shards.length > 0)
    throw new OptionError('--redis', 'several data files are shards of a distributed fit: add --redis URL');
  if (o.checkpoint || o.prefix || o.deleteCheckpoint)
    throw new OptionError('--redis', '--checkpoint and --prefix need --redis URL');
  return o.online ? onlineFitCommand(data, o) : fitCommand(data, o);
}

function addFitCommand(program: Command): void {
  const fit = fitOptions(program);
  csvOptions(missingOption(modelOptions(fit), FIT_MISSING))
    .addHelpText(
      'after',
      `
Examples:
  gaussmix fit faithful.csv -k 2 --out model.json
  gaussmix fit iris.csv --columns 1-4 -k 3 --covariance diag --n-init 5 --plot iris.svg
  cat data.tsv | gaussmix fit - -k 4 --delimiter tab
  gaussmix fit faithful.csv --bayesian --max-components 10 --out model.json   # prints the effective K
  gaussmix fit big.csv -k 4 --online --batch-size 1000 --out model.json
  cat day-*.csv | gaussmix fit - -k 3 --online --learning-rate 0.05 --progress
  gaussmix fit --redis redis://10.0.0.5:6379 part-*.csv -k 4 --checkpoint run1 --out model.json

With --bayesian, --tol applies to the variational lower bound (a sum over rows, as scikit-learn's).
With --online the model is printed without the log-likelihood, BIC and AIC of the data (which are not kept);
--init, --seed, --n-init, --max-iter and --tol apply to the first batch, which is fitted by EM to start.`,
    )
    .action(fitAction);
}

function addWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('serve distributed fits (gaussmix fit --redis) from this machine until SIGINT/SIGTERM')
    .requiredOption('--redis <url>', 'the Redis the coordinators use, e.g. redis://10.0.0.5:6379')
    .option('--concurrency <n>', 'shards served at once, one E-step thread each (default: cores − 1)', integer(1))
    .option(
      '--cache-mb <mb>',
      'MiB of shard rows kept in memory between iterations (default: a quarter of RAM)',
      integer(0),
    )
    .option('--prefix <prefix>', "prefix of the Redis keys and queues (default 'gaussmix')")
    .addHelpText(
      'after',
      `
Every worker must be able to read every shard (the same paths on a shared file system, or URLs).
Run one per machine; a worker killed mid-job has its job re-run by another within ~7 s.`,
    )
    .action(async (o) => (await import('./distributed.js')).workerCommand(o));
}

function addPredictCommand(program: Command): void {
  const predict = program
    .command('predict')
    .description(
      'most likely component of each row (0-based), one line per input row; --proba adds the responsibilities',
    )
    .argument('<model>', 'model JSON written by fit --out')
    .argument('<data>', "CSV file, or '-' for stdin")
    .option('--proba', 'also print the probability of every component');
  csvOptions(missingOption(predict, SCORE_MISSING))
    .addHelpText(
      'after',
      '\nOutput: CSV on stdout, with a header line when the input has one (so it pastes next to the input).',
    )
    .action((model: string, data: string, o) => predictCommand(model, data, o));
}

function addScoreCommand(program: Command): void {
  const score = program
    .command('score')
    .description('log-likelihood log p(x) of each row under the model, one line per input row')
    .argument('<model>', 'model JSON written by fit --out')
    .argument('<data>', "CSV file, or '-' for stdin");
  csvOptions(missingOption(score, SCORE_MISSING)).action((model: string, data: string, o) =>
    scoreCommand(model, data, o),
  );
}

function addAnomaliesCommand(program: Command): void {
  const anomalies = program
    .command('anomalies')
    .description('rows whose log-likelihood falls below a threshold')
    .argument('<model>', 'model JSON written by fit --out')
    .argument('<data>', "CSV file, or '-' for stdin")
    .option(
      '--contamination <rate>',
      'flag this fraction of the given rows: the threshold is the RATE-quantile of their log-likelihoods',
      finite('a number in (0, 0.5]', (v) => v > 0 && v <= 0.5),
    )
    .option('--threshold <logp>', 'flag rows with log p(x) below this value', finite('a number'));
  csvOptions(missingOption(anomalies, SCORE_MISSING))
    .addHelpText(
      'after',
      `
Exactly one of --contamination or --threshold. With --contamination the threshold is computed from the data
given (the RATE-quantile of their scores, linear interpolation as numpy.percentile), so about RATE × rows are
flagged; it is printed on stderr. To screen new data against the training data, compute it once on the training
data and reuse it:
  gaussmix anomalies model.json train.csv --contamination 0.01   # stderr: threshold -7.93 (…)
  gaussmix anomalies model.json new.csv --threshold -7.93
Output: CSV of the flagged rows: row (1-based data row), line (line in the file), log_likelihood, features.`,
    )
    .action((model: string, data: string, o) => anomaliesCommand(model, data, o));
}

function addImputeCommand(program: Command): void {
  const impute = program
    .command('impute')
    .description(
      'the data with every missing value (empty, NA, N/A, NaN) replaced by its conditional mean under the model (CSV on stdout)',
    )
    .argument('<model>', 'model JSON written by fit --out')
    .argument('<data>', "CSV file, or '-' for stdin");
  csvOptions(impute)
    .addHelpText(
      'after',
      `
Observed values are copied; a missing one becomes E[x_M | x_O] = Σₖ P(k | x_O)·E[x_M | x_O, k]. Output: the
selected feature columns, with a header line when the input has one. A row with no observed value is an error.
Example:
  gaussmix fit survey.csv -k 3 --missing marginalize --out model.json
  gaussmix impute model.json survey.csv > completed.csv`,
    )
    .action((model: string, data: string, o) => imputeCommand(model, data, o));
}

function addSampleCommand(program: Command): void {
  program
    .command('sample')
    .description('draw synthetic rows from a model (CSV on stdout)')
    .argument('<model>', 'model JSON written by fit --out')
    .requiredOption('-n, --n <count>', 'number of rows', integer(1))
    .option('--seed <s>', 'random seed (default: the seed the model was fitted with)', seed)
    .option('--labels', 'add a column with the component each row was drawn from')
    .action((model: string, o) => sampleCommand(model, o));
}

/** select's own options (the model, CSV and --missing options are added after them, in help order). */
function selectOptions(program: Command): Command {
  return program
    .command('select')
    .description('choose the number of components and covariance type by BIC, AIC or cross-validated log-likelihood')
    .argument('<data>', "CSV file, or '-' for stdin")
    .addOption(
      new Option('-k, --k <range>', 'candidate numbers of components, e.g. 1..9 or 1,2,4')
        .argParser(componentRange)
        .default([1, 2, 3, 4, 5, 6, 7, 8, 9], '1..9'),
    )
    .addOption(
      new Option('--covariance <types>', "'all' or a comma list of full, tied, diag, spherical")
        .argParser(covarianceList)
        .default([...SKLEARN_TYPES], 'all'),
    )
    .addOption(
      new Option(
        '--models <names>',
        "'all' for mclust's fourteen models (EII … VVV), or a comma list of any covariance names, e.g. VEV,EEE,full",
      )
        .argParser(modelList)
        .conflicts('covariance'),
    )
    .addOption(
      new Option(
        '--criterion <name>',
        'bic, aic, icl (lower is better) or cv (held-out log-likelihood, higher is better)',
      )
        .choices(['bic', 'aic', 'icl', 'cv'])
        .default('bic'),
    )
    .option('--folds <n>', 'cross-validation folds for --criterion cv (rows shuffled with --seed)', integer(2), 5)
    .option('--out <model.json>', 'save the best model (fitted on all rows) as JSON')
    .option('--plot <file.svg>', 'save the criterion curves as SVG');
}

function addSelectCommand(program: Command): void {
  const select = selectOptions(program);
  csvOptions(missingOption(modelOptions(select), FIT_MISSING))
    .addHelpText(
      'after',
      `
Candidates whose fit fails (e.g. a collapsing component) are shown as 'failed' and skipped.
EM can stop in a local optimum; --n-init 3 (or more) makes the table more reliable at 3× the time.
Examples:
  gaussmix select data.csv --k 1..9 --out best.json --plot bic.svg
  gaussmix select data.csv --models all --k 1..9          # mclust's fourteen models, mclust-style summary
  gaussmix select data.csv --k 1..6 --covariance full,diag --criterion cv --folds 5 --seed 1`,
    )
    .action((data: string, o) => selectCommand(data, o));
}

function addDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Old Faithful: fit K = 2, choose K by BIC, and write faithful.svg')
    .option('--out-dir <dir>', 'where to write faithful.svg', '.')
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .option('--no-progress', 'never show progress')
    .action((o) => demoCommand(o));
}

export function buildProgram(): Command {
  const program = programHeader();
  // Registration order is the order of the commands in --help.
  addFitCommand(program);
  addWorkerCommand(program);
  addPredictCommand(program);
  addScoreCommand(program);
  addAnomaliesCommand(program);
  addImputeCommand(program);
  addSampleCommand(program);
  addSelectCommand(program);
  addDemoCommand(program);
  return program;
}

/** Runs the CLI; resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  provideArtifacts(); // the kernel binary and worker script (else the CLI would run the JS twin)
  installFull(); // mclust's models, missing values, 'hc', prior and noise (the CLI is the full library)
  // The CLI reports the library's warnings itself (fit prints them; select marks them in its table).
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (w.name !== 'GaussianMixtureWarning') process.stderr.write(`gaussmix: ${w.name}: ${w.message}\n`);
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
    }
    const message = e instanceof GaussianMixtureError ? inFlags(e.message) : e instanceof Error ? e.message : String(e);
    process.stderr.write(`gaussmix: error: ${message}\n`);
    if (e instanceof OptionError) return 2;
    if (e instanceof GaussianMixtureError) return 1;
    if (e instanceof Error && !(e as NodeJS.ErrnoException).code && e.stack) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0); // `gaussmix sample … | head` closed the pipe: not an error
  throw e;
});

run(process.argv).then((code) => {
  process.exitCode = code;
});
