//! Record values as JSON: decoded into one Arrow batch and encoded back, with arrow-json.
//!
//! A stream processor hands over a batch of values as one byte buffer and the end offset of each
//! value, so that a batch crosses into native code in one call whatever its size. Each value must
//! be exactly one JSON object, valid as strictly as serde_json reads it, whose fields fit the
//! schema; it becomes one row. Any other value is an error naming it (so that a stream processor
//! can send that record alone to its error policy). The schema is given, or inferred from the
//! first batch (see `infer`) and then kept, so every batch of a stream has the same columns.

use std::sync::OnceLock;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use arrow::json::{LineDelimitedWriter, ReaderBuilder};

use crate::error::{Error, Result};

mod check;
#[cfg(test)]
mod differential;
mod flat;
mod infer;
mod scan;
#[cfg(test)]
mod test_support;

use check::{Checker, Malformed};
use flat::{Flat, FlatDecoder};
pub use infer::Inference;

/// The JSON format: decodes JSON values into Arrow batches and encodes batches into JSON values.
#[derive(Debug, Default)]
pub struct JsonFormat {
    given: Option<SchemaRef>,
    inferred: OnceLock<Inference>,
    /// How values of the schema are checked and decoded, made with the schema.
    paths: OnceLock<Paths>,
}

#[derive(Debug)]
struct Paths {
    checker: Checker,
    /// The fast path for flat values, when the schema allows it (see `flat`).
    flat: Option<FlatDecoder>,
}

/// Values laid end to end: value `i` is `data[ends[i - 1]..ends[i]]` (from 0 for the first).
#[derive(Debug, Clone, Copy)]
pub struct Values<'a> {
    pub data: &'a [u8],
    pub ends: &'a [i32],
}

impl<'a> Values<'a> {
    /// Checks that the ends rise within `data`.
    pub fn new(data: &'a [u8], ends: &'a [i32]) -> Result<Self> {
        let mut start = 0;
        for (i, &end) in ends.iter().enumerate() {
            if end < start || end as usize > data.len() {
                return Err(Error::Conversion(format!(
                    "value {i} ends at {end}, outside {start}..={}: ends must rise within the data",
                    data.len()
                )));
            }
            start = end;
        }
        Ok(Values { data, ends })
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        let data = self.data;
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(self.ends.iter().copied()).map(move |(start, end)| &data[start as usize..end as usize])
    }
}

impl JsonFormat {
    /// The format of values of this schema.
    pub fn with_schema(schema: SchemaRef) -> Self {
        JsonFormat { given: Some(schema), inferred: OnceLock::new(), paths: OnceLock::new() }
    }

    /// A format whose schema is inferred from the first batch it decodes.
    pub fn inferring() -> Self {
        JsonFormat::default()
    }

    /// The schema, once given or inferred.
    pub fn schema(&self) -> Option<&SchemaRef> {
        self.given.as_ref().or_else(|| self.inferred.get().map(|inference| &inference.schema))
    }

    /// How the schema was inferred, once it was (never for a given schema).
    pub fn inference(&self) -> Option<&Inference> {
        self.inferred.get()
    }

    /// Decodes values into one batch, one row per value. A value that is not exactly one JSON
    /// object fitting the schema is an error naming the first such value (fields not in the
    /// schema are ignored; of a key given twice, the last counts).
    pub fn decode(&self, values: Values<'_>) -> Result<RecordBatch> {
        let schema = match self.schema() {
            Some(schema) => schema.clone(),
            None => {
                let inferred = infer::infer(values)?;
                self.inferred.get_or_init(|| inferred).schema.clone()
            }
        };
        if values.is_empty() {
            return Ok(RecordBatch::new_empty(schema));
        }
        let paths = self.paths(&schema);
        if let Some(flat) = &paths.flat {
            match flat.decode(values, &paths.checker) {
                Flat::Decoded(batch) => return Ok(batch),
                Flat::Rejected(i, malformed) => return Err(rejected(i, &malformed)),
                Flat::Unhandled => {}
            }
        }
        self.decode_general(schema, values)
    }

    fn paths(&self, schema: &SchemaRef) -> &Paths {
        self.paths.get_or_init(|| Paths { checker: Checker::new(schema), flat: FlatDecoder::new(schema) })
    }

    /// Decodes with arrow-json, any schema, after checking every value (arrow-json is lenient).
    fn decode_general(&self, schema: SchemaRef, values: Values<'_>) -> Result<RecordBatch> {
        self.paths(&schema).checker.check_all(values).map_err(|(i, malformed)| rejected(i, &malformed))?;
        let mut decoder = ReaderBuilder::new(schema)
            .with_batch_size(values.len() + 1)
            .build_decoder()
            .map_err(|e| Error::Conversion(format!("cannot decode JSON into this schema: {e}")))?;
        // The checker passed every value: what arrow-json still objects to is named as it says.
        for (i, value) in values.iter().enumerate() {
            let bad = |what: String| Error::Conversion(format!("value {i} of the batch {what}"));
            let spelled_out = value.contains(&b'\\').then(|| spell_out_surrogate_pairs(value)).flatten();
            let value = spelled_out.as_deref().unwrap_or(value);
            decoder.decode(value).map_err(|e| bad(format!("is not valid JSON for arrow-json: {e}")))?;
            if decoder.has_partial_record() || decoder.len() != i + 1 {
                return Err(bad("is not exactly one JSON object for arrow-json".into()));
            }
        }
        match decoder.flush() {
            Ok(Some(batch)) => Ok(batch),
            Ok(None) => Err(Error::Conversion("no JSON value decoded".into())),
            Err(e) => Err(Error::Conversion(format!("a value does not fit the schema: {e}"))),
        }
    }

    /// Encodes every row of a batch as one JSON object (nulls left out), laid end to end.
    pub fn encode(batch: &RecordBatch) -> Result<(Vec<u8>, Vec<i32>)> {
        let mut lines = Vec::with_capacity(batch.num_rows() * 64);
        let mut writer = LineDelimitedWriter::new(&mut lines);
        writer
            .write(batch)
            .map_err(|e| Error::Conversion(format!("cannot encode the result as JSON: {e}")))?;
        writer.finish()?;
        // Each row is one line (arrow-json escapes newlines inside strings): the newlines are
        // squeezed out in place, and where they were are the ends.
        if i32::try_from(lines.len()).is_err() {
            return Err(Error::Conversion("the encoded batch exceeds 2 GiB: use smaller batches".into()));
        }
        let mut ends = Vec::with_capacity(batch.num_rows());
        let mut end = 0;
        for read in 0..lines.len() {
            let byte = lines[read];
            if byte == b'\n' {
                ends.push(end as i32);
            } else {
                lines[end] = byte;
                end += 1;
            }
        }
        lines.truncate(end);
        Ok((lines, ends))
    }
}

/// The value with each surrogate pair escape (`\uD83D\uDE00`) written as the UTF-8 of its
/// character, or `None` if it has none; for a value the checker passed.
///
/// arrow-json 60 combines a pair with `|` where `+` is due, so characters of the planes whose
/// offset sets bit 16 (U+20000 to U+2FFFF, ...) come out as other characters.
fn spell_out_surrogate_pairs(value: &[u8]) -> Option<Vec<u8>> {
    let hex = |at: usize| {
        let digits = std::str::from_utf8(value.get(at..at + 4)?).ok()?;
        u32::from_str_radix(digits, 16).ok()
    };
    let mut out: Option<Vec<u8>> = None;
    let (mut copied, mut at, mut in_string) = (0, 0, false);
    while at < value.len() {
        match value[at] {
            b'"' => in_string = !in_string,
            b'\\' if in_string => {
                let pair = (value.get(at + 1) == Some(&b'u') && value.get(at + 6..at + 8) == Some(b"\\u"))
                    .then(|| Some((hex(at + 2)?, hex(at + 8)?)))
                    .flatten()
                    .filter(|(high, low)| (0xD800..0xDC00).contains(high) && (0xDC00..0xE000).contains(low));
                if let Some((high, low)) = pair {
                    let c = char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))?;
                    let out = out.get_or_insert_with(|| Vec::with_capacity(value.len()));
                    out.extend_from_slice(&value[copied..at]);
                    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                    at += 12;
                    copied = at;
                    continue;
                }
                // Any other escape: its second byte is never a quote that ends the string.
                at += 1;
            }
            _ => {}
        }
        at += 1;
    }
    let mut out = out?;
    out.extend_from_slice(&value[copied..]);
    Some(out)
}

/// The error for value `i` of a batch.
fn rejected(i: usize, malformed: &Malformed) -> Error {
    Error::Conversion(format!("value {i} of the batch {malformed}"))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Array, AsArray};
    use arrow::datatypes::{DataType, Field, Float64Type, Int64Type, Schema};

    use super::*;

    fn laid_out(values: &[&str]) -> (Vec<u8>, Vec<i32>) {
        let mut data = Vec::new();
        let mut ends = Vec::new();
        for v in values {
            data.extend_from_slice(v.as_bytes());
            ends.push(data.len() as i32);
        }
        (data, ends)
    }

    #[test]
    fn decodes_one_row_per_value_and_encodes_them_back() {
        let (data, ends) =
            laid_out(&[r#"{"id": 1, "amount": 2.5}"#, r#"{"amount": -1e3, "id": 2}"#, r#" {"id": 3} "#]);
        let format = JsonFormat::inferring();
        let batch = format.decode(Values::new(&data, &ends).unwrap()).unwrap();
        assert_eq!(batch.num_rows(), 3);
        assert_eq!(format.schema().unwrap().field_with_name("id").unwrap().data_type(), &DataType::Int64);
        assert_eq!(batch.column_by_name("id").unwrap().as_primitive::<Int64Type>().values(), &[1, 2, 3]);
        let amount = batch.column_by_name("amount").unwrap().as_primitive::<Float64Type>();
        assert_eq!((amount.value(0), amount.value(1), amount.is_null(2)), (2.5, -1000.0, true));
        let (out, out_ends) = JsonFormat::encode(&batch).unwrap();
        let rows: Vec<&[u8]> = Values::new(&out, &out_ends).unwrap().iter().collect();
        // Inferred fields come in name order.
        assert_eq!(rows, [&br#"{"amount":2.5,"id":1}"#[..], br#"{"amount":-1000.0,"id":2}"#, br#"{"id":3}"#]);
    }

    #[test]
    fn a_value_that_is_not_one_object_is_named() {
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Float64, true)]));
        let format = JsonFormat::with_schema(schema);
        for (values, expected) in [
            (
                vec![r#"{"x": 1}"#, r#"{"x": 2"#, r#"}"#],
                "value 1 of the batch is not exactly one JSON object",
            ),
            (vec![r#"{"x": 1}{"x": 2}"#], "value 0 of the batch is not exactly one JSON object"),
            (vec![r#"{"x": 1}"#, ""], "value 1 of the batch is not exactly one JSON object"),
            (vec![r#"{"x": 1}"#, r#"{"x": ]"#], "value 1 of the batch is not valid JSON"),
            (vec![r#"{"x": "abc"}"#], "does not fit the schema"),
        ] {
            let (data, ends) = laid_out(&values);
            let error = format.decode(Values::new(&data, &ends).unwrap()).unwrap_err().to_string();
            assert!(error.contains(expected), "{values:?}: {error}");
        }
        let error = Values::new(b"{}", &[3]).unwrap_err().to_string();
        assert!(error.contains("value 0 ends at 3"), "{error}");
    }

    /// Issue 10, item 5: values a strict JSON parser rejects were decoded (the fast path gave
    /// them up, and arrow-json, to which commas are whitespace, took them).
    #[test]
    fn malformed_values_are_rejected_on_both_paths() {
        let flat =
            vec![Field::new("id", DataType::Int64, true), Field::new("amount", DataType::Float64, true)];
        let mut nested = flat.clone();
        nested.push(Field::new_list("tags", Field::new_list_field(DataType::Int64, true), true));
        for fields in [flat, nested] {
            let format = JsonFormat::with_schema(Arc::new(Schema::new(fields)));
            for value in [
                r#"{"id": 5000,, "amount": 1.0}"#,
                r#"{"id": 7500 "amount": 1.0}"#,
                r#"{"id": 1, "amount": 1.0,}"#,
                r#"{,"id": 1}"#,
                r#"{"id": 1, "amount": 01}"#,
                r#"{"id": 1, "amount": 1.0, "tags": [1,,2]}"#,
            ] {
                let (data, ends) = laid_out(&[r#"{"id": 1, "amount": 2.5}"#, value]);
                let result = format.decode(Values::new(&data, &ends).unwrap());
                let error = result.map(|b| format!("decoded {b:?}")).unwrap_err().to_string();
                assert!(
                    error.contains("value 1 of the batch is not valid JSON: at byte "),
                    "{value}: {error}"
                );
            }
        }
    }

    /// arrow-json 60 decodes a surrogate pair escape beyond the first supplementary plane to
    /// another character; the general path spells such pairs out first.
    #[test]
    fn escaped_characters_of_every_plane_decode_to_themselves() {
        let schema = Arc::new(Schema::new(vec![Field::new("s", DataType::Utf8, true)]));
        let format = JsonFormat::with_schema(schema);
        let (data, ends) = laid_out(&[
            r#"{"s": "\uD83D\uDE00 \uD840\uDC00 \uD87E\uDC04 \uDBFF\uDFFF"}"#,
            r#"{"s": "\\uD840\\uDC00 \"\uD840\uDC00\""}"#,
        ]);
        let batch = format.decode(Values::new(&data, &ends).unwrap()).unwrap();
        let s = batch.column(0).as_string::<i32>();
        assert_eq!(s.value(0), "\u{1F600} \u{20000} \u{2F804} \u{10FFFF}");
        assert_eq!(s.value(1), "\\uD840\\uDC00 \"\u{20000}\"");
    }

    /// Issue 10, item 6: one `"amount": "abc"` in the first batch made `amount` a string column,
    /// and every other value of the stream failed.
    #[test]
    fn one_bad_value_in_the_first_batch_costs_only_itself() {
        let mut values: Vec<String> = (0..8).map(|i| format!(r#"{{"id": {i}, "amount": {i}.5}}"#)).collect();
        values[3] = r#"{"id": 3, "amount": "abc"}"#.into();
        let format = JsonFormat::inferring();
        let (data, ends) = laid_out(&values.iter().map(String::as_str).collect::<Vec<_>>());
        let error = format.decode(Values::new(&data, &ends).unwrap()).unwrap_err().to_string();
        assert!(
            error.contains(
                r#"value 3 of the batch does not fit the schema: field "amount" is `"abc"`, expected a number (Float64)"#
            ),
            "{error}"
        );
        let inference = format.inference().unwrap();
        assert_eq!((inference.agreeing, inference.values), (7, 8));
        // Alone (as a stream processor splitting the failed batch decodes them), each other
        // value decodes.
        for (i, value) in values.iter().enumerate() {
            let result = format.decode(Values::new(value.as_bytes(), &[value.len() as i32]).unwrap());
            assert_eq!(result.is_ok(), i != 3, "{value}: {result:?}");
        }
    }

    #[test]
    fn strings_with_newlines_stay_one_value() {
        let (data, ends) = laid_out(&[r#"{"s": "a\nb"}"#, r#"{"s": "c"}"#]);
        let batch = JsonFormat::inferring().decode(Values::new(&data, &ends).unwrap()).unwrap();
        let (out, out_ends) = JsonFormat::encode(&batch).unwrap();
        assert_eq!(out_ends.len(), 2);
        assert_eq!(&out[..out_ends[0] as usize], br#"{"s":"a\nb"}"#);
    }
}
