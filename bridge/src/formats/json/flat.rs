//! A fast path for the usual shape of record values: flat JSON objects whose fields are numbers,
//! booleans and strings.
//!
//! arrow-json's decoder is general (any nesting, any order, a tape first, then arrays), and
//! decoding dominates a batch's cost when a model is cheap. Record values of a stream mostly have
//! one flat shape, keys in the same order every time: this decoder scans each value once, guesses
//! each key's column from the key before it (learning the order as it goes), and appends straight
//! to the columns. It accepts only valid JSON (as strictly as serde_json reads it) that it decodes
//! exactly as the general path would. When a value is not of that shape, the checker says why:
//! a value that is malformed or does not fit the schema fails the batch, naming it; one that is
//! only unusual (an escape in a string, a nested value outside the schema, a key given twice)
//! leaves the batch to the general path.

use std::collections::HashSet;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, BooleanBufferBuilder, Float32Array, Float64Array, Int32Array, Int64Array,
    RecordBatch, StringArray,
};
use arrow::buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow::datatypes::SchemaRef;

use super::Values;
use super::check::{Checker, Kind, Malformed};
use super::scan::{Key, Scan};

/// What became of a batch.
pub(super) enum Flat {
    Decoded(RecordBatch),
    /// This value is malformed, or does not fit the schema.
    Rejected(usize, Malformed),
    /// A value is valid but not of the shape decoded here: the general path decodes the batch.
    Unhandled,
}

/// Decodes flat JSON objects of one schema; see the module documentation.
#[derive(Debug)]
pub(super) struct FlatDecoder {
    schema: SchemaRef,
    kinds: Vec<Kind>,
    nullable: Vec<bool>,
    /// Each field name with its quotes: a key that starts this way is that field.
    quoted: Vec<Key>,
}

/// A column being built.
enum Column {
    Int64(Vec<i64>),
    Int32(Vec<i32>),
    Float64(Vec<f64>),
    Float32(Vec<f32>),
    Boolean(BooleanBufferBuilder),
    Utf8 { offsets: Vec<i32>, data: Vec<u8> },
}

impl FlatDecoder {
    /// A decoder for `schema`, if every field is of a type it handles (and names are unique).
    pub(super) fn new(schema: &SchemaRef) -> Option<Self> {
        let kinds: Vec<Kind> =
            schema.fields().iter().map(|f| Kind::of(f.data_type())).collect::<Option<_>>()?;
        let names: Vec<&[u8]> = schema.fields().iter().map(|f| f.name().as_bytes()).collect();
        let plain = |name: &[u8]| name.iter().all(|&b| b != b'"' && b != b'\\' && b >= 0x20);
        let unique = names.iter().collect::<HashSet<_>>().len() == names.len();
        if !unique || !names.iter().all(|n| plain(n)) {
            return None;
        }
        let quoted = names.iter().map(|n| Key::new([&b"\""[..], n, b"\""].concat())).collect();
        let nullable = schema.fields().iter().map(|f| f.is_nullable()).collect();
        Some(FlatDecoder { schema: schema.clone(), kinds, nullable, quoted })
    }

    /// The batch, or which value is wrong, or that the general path must decode it. `checker`
    /// is the schema's.
    pub(super) fn decode(&self, values: Values<'_>, checker: &Checker) -> Flat {
        let mut row = 0;
        if let Some(batch) = self.decode_plain(values, checker, &mut row) {
            return Flat::Decoded(batch);
        }
        match values.iter().nth(row).map(|value| checker.check(value)) {
            Some(Err(malformed)) => Flat::Rejected(row, malformed),
            _ => Flat::Unhandled,
        }
    }

    /// The batch, or `None` with `row` at the first value not of the shape decoded here (or
    /// past the last, when the columns cannot be made: offsets beyond 2 GiB).
    fn decode_plain(&self, values: Values<'_>, checker: &Checker, row_at: &mut usize) -> Option<RecordBatch> {
        let rows = values.len();
        let mut columns: Vec<Column> = self
            .kinds
            .iter()
            .map(|kind| match kind {
                Kind::Int64 => Column::Int64(Vec::with_capacity(rows)),
                Kind::Int32 => Column::Int32(Vec::with_capacity(rows)),
                Kind::Float64 => Column::Float64(Vec::with_capacity(rows)),
                Kind::Float32 => Column::Float32(Vec::with_capacity(rows)),
                Kind::Boolean => Column::Boolean(BooleanBufferBuilder::new(rows)),
                Kind::Utf8 => {
                    let mut offsets = Vec::with_capacity(rows + 1);
                    offsets.push(0);
                    Column::Utf8 { offsets, data: Vec::new() }
                }
            })
            .collect();
        // Validity, made for a column at its first null (until then every row was valid).
        let mut valid: Vec<Option<BooleanBufferBuilder>> = self.kinds.iter().map(|_| None).collect();
        let null = |valid: &mut Option<BooleanBufferBuilder>, row: usize| {
            valid
                .get_or_insert_with(|| {
                    let mut builder = BooleanBufferBuilder::new(rows);
                    builder.append_n(row, true);
                    builder
                })
                .append(false);
        };
        // The row in which each column was last set: a column set twice in a row is a duplicate
        // key, one not set is missing.
        let mut set_in = vec![usize::MAX; self.kinds.len()];
        // The key that followed each column's key last time (the last slot: the first key), so a
        // stream whose values share one key order finds each column without hashing.
        let mut follows = vec![0usize; self.kinds.len() + 1];
        let first = self.kinds.len();
        for (row, value) in values.iter().enumerate() {
            *row_at = row;
            let mut scan = Scan { bytes: value, at: 0 };
            scan.ws();
            scan.expect(b'{')?;
            scan.ws();
            let mut previous = first;
            if !scan.eat(b'}') {
                loop {
                    let guess = follows[previous];
                    let column = match self.quoted.get(guess) {
                        Some(key) if scan.starts_with_key(key) => {
                            scan.at += key.bytes.len();
                            Some(guess)
                        }
                        _ => {
                            let name = scan.plain_string()?;
                            let column = checker.field(name);
                            // A key outside the schema is text all the same.
                            if column.is_none() {
                                std::str::from_utf8(name).ok()?;
                            }
                            column
                        }
                    };
                    scan.ws();
                    scan.expect(b':')?;
                    scan.ws();
                    match column {
                        None => scan.skip_plain_scalar()?,
                        Some(c) => {
                            if set_in[c] == row {
                                return None;
                            }
                            set_in[c] = row;
                            follows[previous] = c;
                            previous = c;
                            if scan.eat_literal(b"null") {
                                if !self.nullable[c] {
                                    return None;
                                }
                                push_null(&mut columns[c]);
                                null(&mut valid[c], row);
                            } else {
                                push_value(&mut columns[c], &mut scan)?;
                                if let Some(valid) = &mut valid[c] {
                                    valid.append(true);
                                }
                            }
                        }
                    }
                    scan.ws();
                    if scan.eat(b',') {
                        scan.ws();
                        continue;
                    }
                    scan.expect(b'}')?;
                    break;
                }
            }
            scan.ws();
            if scan.at != value.len() {
                return None;
            }
            for c in 0..self.kinds.len() {
                if set_in[c] != row {
                    if !self.nullable[c] {
                        return None;
                    }
                    push_null(&mut columns[c]);
                    null(&mut valid[c], row);
                }
            }
        }
        *row_at = rows;
        let arrays: Vec<ArrayRef> = columns
            .into_iter()
            .zip(valid)
            .map(|(column, valid)| finish(column, valid.map(|mut valid| NullBuffer::new(valid.finish()))))
            .collect::<Option<_>>()?;
        RecordBatch::try_new(self.schema.clone(), arrays).ok()
    }
}

fn push_null(column: &mut Column) {
    match column {
        Column::Int64(v) => v.push(0),
        Column::Int32(v) => v.push(0),
        Column::Float64(v) => v.push(0.0),
        Column::Float32(v) => v.push(0.0),
        Column::Boolean(b) => b.append(false),
        Column::Utf8 { offsets, data } => offsets.push(data.len() as i32),
    }
}

fn push_value(column: &mut Column, scan: &mut Scan<'_>) -> Option<()> {
    match column {
        Column::Int64(v) => v.push(scan.integer()?),
        Column::Int32(v) => v.push(i32::try_from(scan.integer()?).ok()?),
        // Finite: the grammar's range (`to_f64`), and the column's.
        Column::Float64(v) => v.push(scan.number()?.to_f64()?),
        Column::Float32(v) => v.push(scan.number()?.text.parse().ok().filter(|x: &f32| x.is_finite())?),
        Column::Boolean(b) => {
            if scan.eat_literal(b"true") {
                b.append(true)
            } else if scan.eat_literal(b"false") {
                b.append(false)
            } else {
                return None;
            }
        }
        Column::Utf8 { offsets, data } => {
            let s = scan.plain_string()?;
            std::str::from_utf8(s).ok()?;
            data.extend_from_slice(s);
            offsets.push(i32::try_from(data.len()).ok()?);
        }
    }
    Some(())
}

fn finish(column: Column, nulls: Option<NullBuffer>) -> Option<ArrayRef> {
    Some(match column {
        Column::Int64(v) => Arc::new(Int64Array::new(ScalarBuffer::from(v), nulls)),
        Column::Int32(v) => Arc::new(Int32Array::new(ScalarBuffer::from(v), nulls)),
        Column::Float64(v) => Arc::new(Float64Array::new(ScalarBuffer::from(v), nulls)),
        Column::Float32(v) => Arc::new(Float32Array::new(ScalarBuffer::from(v), nulls)),
        Column::Boolean(mut b) => Arc::new(BooleanArray::new(b.finish(), nulls)),
        Column::Utf8 { offsets, data } => {
            let offsets = OffsetBuffer::new(ScalarBuffer::from(offsets));
            // SAFETY: every string was checked to be UTF-8, and the offsets rise within `data`.
            Arc::new(unsafe { StringArray::new_unchecked(offsets, data.into(), nulls) })
        }
    })
}

#[cfg(test)]
mod tests {
    use arrow::datatypes::{DataType, Field, Schema};

    use super::super::JsonFormat;
    use super::super::test_support::Rng;
    use super::*;

    fn schema() -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("i", DataType::Int64, true),
            Field::new("j", DataType::Int32, true),
            Field::new("f", DataType::Float64, true),
            Field::new("g", DataType::Float32, true),
            Field::new("b", DataType::Boolean, true),
            Field::new("s", DataType::Utf8, true),
            Field::new("required", DataType::Float64, false),
        ]))
    }

    fn laid_out(values: &[String]) -> (Vec<u8>, Vec<i32>) {
        let (mut data, mut ends) = (Vec::new(), Vec::new());
        for v in values {
            data.extend_from_slice(v.as_bytes());
            ends.push(data.len() as i32);
        }
        (data, ends)
    }

    fn value(rng: &mut Rng) -> String {
        const NUMBERS: &[&str] = &[
            "0",
            "-0",
            "7",
            "-42",
            "3.25",
            "-1e3",
            "2E-2",
            "1.5e+300",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "2147483648",
            "0.1",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "\"12\"",
            "null",
            "true",
        ];
        const STRINGS: &[&str] = &[
            "\"plain\"",
            "\"\"",
            "\"h\u{e9}llo\"",
            "\"a\\nb\"",
            "\"q\\\"\"",
            "\"\\u00e9\"",
            "null",
            "5",
            "\"\\x\"",
        ];
        const BOOLS: &[&str] = &["true", "false", "null", "1", "\"true\""];
        const UNKNOWN: &[&str] = &["1", "\"x\\\"y\"", "null", "true", "[1, 2]", "{\"a\": 1}", "\"\\q\""];
        const SPACES: &[&str] = &["", "", "", " ", "\n", "\t "];
        // Mostly values of the usual kind (the first few of each list), sometimes anything.
        let pick = |rng: &mut Rng, items: &[&str], usual: usize| -> String {
            let n = if rng.next().is_multiple_of(5) { items.len() } else { usual };
            items[(rng.next() % n as u64) as usize].to_string()
        };
        let mut fields = vec![
            ("i", pick(rng, NUMBERS, 4)),
            ("j", pick(rng, NUMBERS, 4)),
            ("f", pick(rng, NUMBERS, 13)),
            ("g", pick(rng, NUMBERS, 8)),
            ("b", pick(rng, BOOLS, 3)),
            ("s", pick(rng, STRINGS, 3)),
            ("required", pick(rng, &["1.5", "2", "null"], 2)),
            ("unknown", pick(rng, UNKNOWN, 4)),
        ];
        // Mostly the usual shape: every field, in order; sometimes shuffled, missing or doubled.
        if rng.next().is_multiple_of(4) {
            let i = (rng.next() % fields.len() as u64) as usize;
            let j = (rng.next() % fields.len() as u64) as usize;
            fields.swap(i, j);
        }
        if rng.next().is_multiple_of(6) {
            fields.remove((rng.next() % fields.len() as u64) as usize);
        }
        if rng.next().is_multiple_of(20) {
            let again = fields[0].clone();
            fields.push(again);
        }
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}\"{k}\"{}:{}{v}", rng.pick(SPACES), rng.pick(SPACES), rng.pick(SPACES)))
            .collect();
        let mut value = format!("{}{{{}}}{}", rng.pick(SPACES), body.join(","), rng.pick(SPACES));
        if rng.next().is_multiple_of(30) {
            let mut half = value.len() / 2;
            while !value.is_char_boundary(half) {
                half -= 1;
            }
            value.truncate(half);
        }
        value
    }

    /// Whatever the fast path decodes, the general path decodes to the very same batch; what it
    /// rejects, the general path rejects too, naming the same value.
    #[test]
    fn agrees_with_the_general_path_on_random_values() {
        let schema = schema();
        let flat = FlatDecoder::new(&schema).unwrap();
        let checker = Checker::new(&schema);
        let format = JsonFormat::with_schema(schema.clone());
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let (mut fast, mut total) = (0, 0);
        for _ in 0..4000 {
            let values: Vec<String> = (0..1 + rng.next() % 3).map(|_| value(&mut rng)).collect();
            let (data, ends) = laid_out(&values);
            let values_ref = Values::new(&data, &ends).unwrap();
            let general = format.decode_general(schema.clone(), values_ref);
            total += 1;
            match flat.decode(values_ref, &checker) {
                Flat::Decoded(batch) => {
                    fast += 1;
                    assert_eq!(Some(&batch), general.as_ref().ok(), "{values:?}: {general:?}");
                }
                Flat::Rejected(row, why) => {
                    let general = general.map(|_| ()).unwrap_err().to_string();
                    assert!(
                        general.contains(&format!("value {row} of the batch {why}")),
                        "{values:?}: {general}"
                    );
                }
                Flat::Unhandled => {}
            }
        }
        // The random values are rarely all plain; plain values always take the fast path.
        assert!(fast > total / 10, "{fast} of {total} batches took the fast path");
        let plain =
            [r#"{"i": 1, "j": 2, "f": 0.5, "g": 1.25, "b": true, "s": "x", "required": 3}"#.to_string()];
        let (data, ends) = laid_out(&plain);
        assert!(matches!(flat.decode(Values::new(&data, &ends).unwrap(), &checker), Flat::Decoded(_)));
    }

    #[test]
    fn schemas_with_other_types_take_the_general_path() {
        let nested = Arc::new(Schema::new(vec![Field::new(
            "l",
            DataType::List(Arc::new(Field::new("item", DataType::Int64, true))),
            true,
        )]));
        assert!(FlatDecoder::new(&nested).is_none());
    }
}
