//! Decoding a batch of record values into Arrow, as the Kafka adapter does: 1,024 of the demo's
//! card transactions (flat JSON objects of 33 fields, ~500 bytes), through jarrow's codec (its
//! flat-record fast path, and its general path, which a schema with a nested field takes) against
//! arrow-json's decoder alone on the same bytes, in one run; and encoding a result batch back.

use std::sync::Arc;
use std::time::Duration;

use arrow::array::{BooleanArray, Float64Array, Int64Array, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::json::ReaderBuilder;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jarrow::formats::json::{JsonFormat, Values};

const ROWS: usize = 1024;

/// The demo's schema: id, card, v0..v27, amount, hour, is_fraud.
fn schema() -> SchemaRef {
    let mut fields = vec![Field::new("id", DataType::Int64, true), Field::new("card", DataType::Utf8, true)];
    fields.extend((0..28).map(|i| Field::new(format!("v{i}"), DataType::Float64, true)));
    fields.push(Field::new("amount", DataType::Float64, true));
    fields.push(Field::new("hour", DataType::Int64, true));
    fields.push(Field::new("is_fraud", DataType::Boolean, true));
    Arc::new(Schema::new(fields))
}

/// Transactions as the demo writes them (Python's json.dumps of values rounded to 4 places),
/// from a fixed pseudo-random sequence.
fn transactions() -> (Vec<u8>, Vec<i32>) {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut data = Vec::new();
    let mut ends = Vec::new();
    for id in 0..ROWS {
        let mut value = format!("{{\"id\": {id}, \"card\": \"card-{}\"", next() % 50_000);
        for i in 0..28 {
            let x = ((next() % 60_000) as i64 - 30_000) as f64 / 10_000.0;
            value.push_str(&format!(", \"v{i}\": {x}"));
        }
        let amount = (next() % 500_000) as f64 / 100.0;
        value.push_str(&format!(", \"amount\": {amount}, \"hour\": {}, \"is_fraud\": false}}", next() % 24));
        data.extend_from_slice(value.as_bytes());
        ends.push(data.len() as i32);
    }
    (data, ends)
}

fn json(c: &mut Criterion) {
    let schema = schema();
    let (data, ends) = transactions();
    let values = Values::new(&data, &ends).unwrap();
    let codec = JsonFormat::with_schema(schema.clone());
    let decoded = codec.decode(values).unwrap();
    assert_eq!(decoded.num_rows(), ROWS);

    let mut group = c.benchmark_group("json_decode_1024_transactions");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function("jarrow", |b| b.iter(|| codec.decode(values).unwrap()));
    let arrow_json = || {
        let mut decoder =
            ReaderBuilder::new(schema.clone()).with_batch_size(ROWS + 1).build_decoder().unwrap();
        let mut start = 0;
        for &end in &ends {
            decoder.decode(&data[start..end as usize]).unwrap();
            start = end as usize;
        }
        decoder.flush().unwrap().unwrap()
    };
    assert_eq!(arrow_json(), decoded);
    group.bench_function("arrow_json", |b| b.iter(arrow_json));
    // One nested field (absent from the values) leaves the fast path out.
    let mut nested = schema.fields().to_vec();
    nested.push(Arc::new(Field::new_list("tags", Field::new_list_field(DataType::Int64, true), true)));
    let general = JsonFormat::with_schema(Arc::new(Schema::new(nested)));
    assert_eq!(general.decode(values).unwrap().columns()[..decoded.num_columns()], decoded.columns()[..]);
    group.bench_function("jarrow_general", |b| b.iter(|| general.decode(values).unwrap()));
    group.finish();

    // What the demo's model returns: id, score, fraud.
    let scores = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("score", DataType::Float64, false),
            Field::new("fraud", DataType::Boolean, false),
        ])),
        vec![
            Arc::new(Int64Array::from_iter_values(0..ROWS as i64)),
            Arc::new(Float64Array::from_iter_values((0..ROWS).map(|i| i as f64 / 1024.0))),
            Arc::new(BooleanArray::from_iter((0..ROWS).map(|i| Some(i % 200 == 0)))),
        ],
    )
    .unwrap();
    let mut group = c.benchmark_group("json_encode_1024_scores");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("jarrow", |b| b.iter(|| JsonFormat::encode(&scores).unwrap()));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = json
}
criterion_main!(benches);
