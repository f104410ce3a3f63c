//! The demo: a scikit-learn fraud model scores Arrow batches of card transactions through
//! jarrow's core, in-process and without copying the batches.
//!
//! `make demo` runs it. Optional arguments: `--transactions N` (default 1,000,000) and
//! `--batch-size N` (default 4096).

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::array::{ArrayRef, Float64Array, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema};
use jarrow::{Interpreter, PythonConfig, Value};

const N_FEATURES: usize = 30;
const FRAUD_RATE: f64 = 0.005;
const FRAUD_SHIFTED: usize = 6;
const FRAUD_SHIFT: f64 = 1.6;
const THRESHOLD: f64 = 0.5;

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse()?;
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = Interpreter::start(PythonConfig::new().python_path(examples.join("python")))?;
    println!(
        "Embedded Python {} from {}",
        python.install().short_version(),
        python.install().prefix.display()
    );

    let started = Instant::now();
    let score = python.function("fraud_model:FraudModel.score")?;
    println!("Trained the fraud model in {:.1} s", started.elapsed().as_secs_f64());

    let mut transactions = Transactions::new(42);
    let (mut scored, mut fraud, mut caught, mut flagged) = (0usize, 0usize, 0usize, 0usize);
    let mut latencies = Vec::new();
    let mut busy = Duration::ZERO;
    let mut progress = Progress::new(args.transactions);
    while scored < args.transactions {
        let rows = args.batch_size.min(args.transactions - scored);
        let (batch, labels) = transactions.batch(rows);
        let call = Instant::now();
        let result = score.apply(&batch)?;
        let took = call.elapsed();
        busy += took;
        latencies.push(took);
        let probabilities = result
            .column_by_name("fraud_probability")
            .and_then(|c| c.as_any().downcast_ref::<Float64Array>())
            .ok_or("the model returned no float64 column 'fraud_probability'")?;
        for (p, is_fraud) in probabilities.values().iter().zip(labels) {
            let flag = *p >= THRESHOLD;
            flagged += flag as usize;
            fraud += is_fraud as usize;
            caught += (flag && is_fraud) as usize;
        }
        scored += rows;
        progress.update(scored);
    }
    progress.finish();

    latencies.sort();
    let percentile = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    println!();
    println!("Scored {scored} transactions in batches of {}", args.batch_size);
    println!(
        "  model throughput {:>12.0} transactions/s (time inside the batch calls)",
        scored as f64 / busy.as_secs_f64()
    );
    println!(
        "  end to end       {:>12.0} transactions/s (generating the data included)",
        scored as f64 / progress.started.elapsed().as_secs_f64()
    );
    println!("  batch latency    p50 {:>8.2} ms   p99 {:>8.2} ms", ms(percentile(0.5)), ms(percentile(0.99)));
    println!(
        "  fraud caught     {caught} of {fraud} ({:.1}%), {flagged} flagged, precision {:.1}%",
        100.0 * caught as f64 / fraud.max(1) as f64,
        100.0 * caught as f64 / flagged.max(1) as f64
    );

    // The same model called once per transaction, the way per-record bridges call Python.
    let score_one = python.function("fraud_model:FraudModel.score_one")?;
    let sample = 2_000;
    let (batch, _) = transactions.batch(sample);
    let start = Instant::now();
    for row in 0..sample {
        let features: Vec<Value> =
            (0..N_FEATURES).map(|c| Value::Float(feature(&batch, c).value(row))).collect();
        score_one.call(&features, &[])?;
    }
    let per_row = start.elapsed().as_secs_f64() / sample as f64;
    let batched = busy.as_secs_f64() / scored as f64;
    println!(
        "  one call per transaction: {:>8.0} transactions/s, {:.0}x slower than batches",
        1.0 / per_row,
        per_row / batched
    );
    Ok(())
}

fn feature(batch: &RecordBatch, column: usize) -> &Float64Array {
    batch.column(column).as_any().downcast_ref().expect("float64 features")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Synthetic card transactions, described as in `python/fraud_model.py`.
struct Transactions {
    state: u64,
    schema: Arc<Schema>,
}

impl Transactions {
    fn new(seed: u64) -> Self {
        let fields: Vec<Field> =
            (0..N_FEATURES).map(|i| Field::new(format!("f{i}"), DataType::Float64, false)).collect();
        Transactions { state: seed.max(1), schema: Arc::new(Schema::new(fields)) }
    }

    /// xorshift64*: small and good enough for synthetic data.
    fn uniform(&mut self) -> f64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        (self.state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform().max(f64::MIN_POSITIVE), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    fn batch(&mut self, rows: usize) -> (RecordBatch, Vec<bool>) {
        let labels: Vec<bool> = (0..rows).map(|_| self.uniform() < FRAUD_RATE).collect();
        let columns: Vec<ArrayRef> = (0..N_FEATURES)
            .map(|c| {
                let shift = if c < FRAUD_SHIFTED { FRAUD_SHIFT } else { 0.0 };
                let values: Float64Array =
                    labels.iter().map(|&fraud| self.normal() + if fraud { shift } else { 0.0 }).collect();
                Arc::new(values) as ArrayRef
            })
            .collect();
        let batch = RecordBatch::try_new(self.schema.clone(), columns).expect("columns match the schema");
        (batch, labels)
    }
}

/// A one-line progress bar on stderr.
struct Progress {
    total: usize,
    started: Instant,
    shown: Instant,
}

impl Progress {
    fn new(total: usize) -> Self {
        let now = Instant::now();
        Progress { total, started: now, shown: now - Duration::from_secs(1) }
    }

    fn update(&mut self, done: usize) {
        if self.shown.elapsed() < Duration::from_millis(100) && done < self.total {
            return;
        }
        self.shown = Instant::now();
        let width = 40;
        let filled = width * done / self.total.max(1);
        let rate = done as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
        eprint!(
            "\rScoring [{}{}] {done}/{} ({rate:.0}/s)",
            "#".repeat(filled),
            " ".repeat(width - filled),
            self.total
        );
        let _ = std::io::stderr().flush();
    }

    fn finish(&mut self) {
        self.update(self.total);
        eprintln!();
    }
}

struct Args {
    transactions: usize,
    batch_size: usize,
}

impl Args {
    fn parse() -> Result<Self, String> {
        let mut args = Args { transactions: 1_000_000, batch_size: 4096 };
        let mut it = std::env::args().skip(1);
        while let Some(flag) = it.next() {
            let mut number = |what: &str| -> Result<usize, String> {
                let value = it.next().ok_or(format!("{flag} needs a value"))?;
                value
                    .replace('_', "")
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or(format!("{flag} expects a positive number of {what}, got {value:?}"))
            };
            match flag.as_str() {
                "--transactions" => args.transactions = number("transactions")?,
                "--batch-size" => args.batch_size = number("rows")?,
                "-h" | "--help" => {
                    println!("usage: score_transactions [--transactions N] [--batch-size N]");
                    std::process::exit(0);
                }
                other => return Err(format!("unknown argument {other:?}; try --help")),
            }
        }
        Ok(args)
    }
}
