//! The JSON format against serde_json on generated documents: flat records of every type the fast path
//! decodes, and mutations of them (commas, quotes, braces, escapes, numbers, truncation, bytes
//! that are not UTF-8). What serde_json accepts as an object whose values fit the schema must
//! decode to exactly the values serde_json read (floats as the correctly rounded parse of their
//! text, which is what arrow-json gives); anything else must be an error for that record, on
//! both paths and alone or in a batch; nothing may panic.
//!
//! `JARROW_JSON_DIFFERENTIAL_DOCS` sets how many documents (1,000,000 by default).

use std::collections::HashMap;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Field, Float32Type, Float64Type, Int32Type, Int64Type, Schema, SchemaRef};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::flat::Flat;
use super::test_support::Rng;
use super::{JsonFormat, Paths, Values};

/// One field of each type the fast path decodes, nullable and not.
const FIELDS: [(&str, DataType, bool); 12] = [
    ("id", DataType::Int64, false),
    ("count", DataType::Int64, true),
    ("code", DataType::Int32, false),
    ("small", DataType::Int32, true),
    ("amount", DataType::Float64, false),
    ("ratio", DataType::Float64, true),
    ("weight", DataType::Float32, false),
    ("score", DataType::Float32, true),
    ("flag", DataType::Boolean, false),
    ("ok", DataType::Boolean, true),
    ("tag", DataType::Utf8, false),
    ("name", DataType::Utf8, true),
];

fn schema() -> SchemaRef {
    Arc::new(Schema::new(
        FIELDS
            .iter()
            .map(|(name, data_type, nullable)| Field::new(*name, data_type.clone(), *nullable))
            .collect::<Vec<_>>(),
    ))
}

/// A value of one cell, floats as their bits so that equality is bit for bit.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Null,
    Int64(i64),
    Int32(i32),
    Float64(u64),
    Float32(u32),
    Boolean(bool),
    Utf8(String),
}

/// Whether serde_json accepts a value, and whether it is an object: serde_json reads it as it
/// reads a `serde_json::Value`, and nothing is kept.
struct Accepted {
    object: bool,
}

impl<'de> Deserialize<'de> for Accepted {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AcceptedVisitor)
    }
}

struct AcceptedVisitor;

impl<'de> Visitor<'de> for AcceptedVisitor {
    type Value = Accepted;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Accepted, E> {
        Ok(Accepted { object: false })
    }
    fn visit_i64<E>(self, _: i64) -> Result<Accepted, E> {
        Ok(Accepted { object: false })
    }
    fn visit_u64<E>(self, _: u64) -> Result<Accepted, E> {
        Ok(Accepted { object: false })
    }
    fn visit_f64<E>(self, _: f64) -> Result<Accepted, E> {
        Ok(Accepted { object: false })
    }
    fn visit_str<E>(self, _: &str) -> Result<Accepted, E> {
        Ok(Accepted { object: false })
    }
    fn visit_unit<E>(self) -> Result<Accepted, E> {
        Ok(Accepted { object: false })
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Accepted, A::Error> {
        while seq.next_element::<Accepted>()?.is_some() {}
        Ok(Accepted { object: false })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Accepted, A::Error> {
        while map.next_entry::<Accepted, Accepted>()?.is_some() {}
        Ok(Accepted { object: true })
    }
}

/// What a document must decode to, from serde_json's reading of it; `None`: it must be rejected.
fn expected(doc: &[u8]) -> Option<Vec<Cell>> {
    // Its raw texts by key (the last of a repeated key, as in a `serde_json::Value`), for the
    // numbers' own digits; then whether serde_json accepts all of it (raw texts are read less
    // strictly).
    let raw: HashMap<String, Box<RawValue>> = serde_json::from_slice(doc).ok()?;
    if !serde_json::from_slice::<Accepted>(doc).ok()?.object {
        return None;
    }
    FIELDS
        .iter()
        .map(|(name, data_type, nullable)| {
            let text = raw.get(*name).map(|raw| raw.get()).unwrap_or("null");
            if text == "null" {
                return nullable.then_some(Cell::Null);
            }
            let number = text.starts_with(|c: char| c == '-' || c.is_ascii_digit());
            let integer = number && !text.contains(['.', 'e', 'E']);
            match data_type {
                DataType::Int64 if integer => text.parse().ok().map(Cell::Int64),
                DataType::Int32 if integer => text.parse().ok().map(Cell::Int32),
                DataType::Float64 if number => {
                    let x: f64 = text.parse().unwrap();
                    x.is_finite().then(|| Cell::Float64(x.to_bits()))
                }
                DataType::Float32 if number => {
                    let x: f32 = text.parse().unwrap();
                    x.is_finite().then(|| Cell::Float32(x.to_bits()))
                }
                DataType::Boolean if text == "true" || text == "false" => Some(Cell::Boolean(text == "true")),
                DataType::Utf8 if text.starts_with('"') => {
                    Some(Cell::Utf8(serde_json::from_str(text).unwrap()))
                }
                _ => None,
            }
        })
        .collect()
}

/// Row `row` of a decoded batch, cell by cell.
fn row_of(batch: &RecordBatch, row: usize) -> Vec<Cell> {
    batch
        .columns()
        .iter()
        .map(|column| {
            if column.is_null(row) {
                return Cell::Null;
            }
            match column.data_type() {
                DataType::Int64 => Cell::Int64(column.as_primitive::<Int64Type>().value(row)),
                DataType::Int32 => Cell::Int32(column.as_primitive::<Int32Type>().value(row)),
                DataType::Float64 => Cell::Float64(column.as_primitive::<Float64Type>().value(row).to_bits()),
                DataType::Float32 => Cell::Float32(column.as_primitive::<Float32Type>().value(row).to_bits()),
                DataType::Boolean => Cell::Boolean(column.as_boolean().value(row)),
                DataType::Utf8 => Cell::Utf8(column.as_string::<i32>().value(row).to_string()),
                other => panic!("unexpected column type {other}"),
            }
        })
        .collect()
}

fn lossy(doc: &[u8]) -> String {
    String::from_utf8_lossy(doc).into_owned()
}

/// Documents: mostly of the usual shape, often bent out of it.
struct Generator {
    rng: Rng,
}

impl Generator {
    /// A number below `n` (0 when `n` is).
    fn below(&mut self, n: usize) -> usize {
        (self.rng.next() % n.max(1) as u64) as usize
    }

    /// True once in `n` times.
    fn one_in(&mut self, n: u64) -> bool {
        self.rng.next().is_multiple_of(n)
    }

    fn space(&mut self) -> &'static str {
        const SPACES: &[&str] = &["", "", "", "", " ", " ", "\n", "\t", "\r\n", "  "];
        self.rng.pick(SPACES)
    }

    /// An integer within Int32 when `small`, Int64 otherwise.
    fn integer(&mut self, small: bool) -> String {
        const EDGES: &[&str] = &["0", "-0", "2147483647", "-2147483648", "1", "-1"];
        const WIDE: &[&str] = &["9223372036854775807", "-9223372036854775808", "2147483648", "-2147483649"];
        match self.below(10) {
            0 => self.rng.pick(EDGES).to_string(),
            1 if !small => self.rng.pick(WIDE).to_string(),
            2 if !small => (self.rng.next() as i64).to_string(),
            2 => (self.rng.next() as i32).to_string(),
            3 => ((self.rng.next() as i32) >> self.below(32)).to_string(),
            _ => (self.below(100_000) as i64 - 50_000).to_string(),
        }
    }

    /// A number within Float32's range when `small`, Float64's otherwise.
    fn float(&mut self, small: bool) -> String {
        const EDGES: &[&str] = &[
            "0",
            "-0.0",
            "-0",
            "1e-400",
            "1e-46",
            "4.9e-324",
            "0e999999999999",
            "1E+2",
            "1.5e-7",
            "3.4028235e38",
            "123456789012345678901234567890",
            "0.1",
            "2.5",
            "1e0",
        ];
        const WIDE: &[&str] = &["1.7976931348623157e308", "1e308", "-1e300", "3.5e38"];
        match self.below(8) {
            0 => self.rng.pick(EDGES).to_string(),
            1 if !small => self.rng.pick(WIDE).to_string(),
            2 if small => {
                let x = f32::from_bits(self.rng.next() as u32);
                if x.is_finite() { format!("{x:e}") } else { "1.5".into() }
            }
            2 => {
                let x = f64::from_bits(self.rng.next());
                if x.is_finite() { format!("{x:e}") } else { "1.5".into() }
            }
            3 => {
                // Long digit strings, parsed the slow way.
                let count = 1 + self.below(if small { 8 } else { 30 });
                let digits: String = (0..count).map(|_| (b'0' + self.below(10) as u8) as char).collect();
                let digits = digits.trim_start_matches('0');
                let digits = if digits.is_empty() { "0" } else { digits };
                let exponent = if small { self.below(70) as i64 - 45 } else { self.below(600) as i64 - 330 };
                format!("{}{digits}.{}e{exponent}", ["", "-"][self.below(2)], self.below(1000))
            }
            4 => self.integer(true),
            _ => {
                let whole = self.below(10_000) as i64 - 5_000;
                let fraction = self.below(10_000);
                format!("{whole}.{fraction}")
            }
        }
    }

    fn string(&mut self) -> String {
        const PIECES: &[&str] = &[
            "a",
            "b",
            "z",
            "Q",
            "0",
            " ",
            "-",
            "card-",
            "\u{e9}",
            "\u{4e2d}",
            "\u{1f600}",
            "\\n",
            "\\t",
            "\\\"",
            "\\\\",
            "\\/",
            "\\b",
            "\\f",
            "\\r",
            "\\u00e9",
            "\\u0041",
            "\\uD83D\\uDE00",
            "\\u0000",
            "\\u001f",
        ];
        let mut s = String::from("\"");
        // Mostly plain (the fast path's), sometimes with escapes.
        let pieces = if self.one_in(4) { PIECES } else { &PIECES[..11] };
        for _ in 0..self.below(12) {
            s.push_str(self.rng.pick(pieces));
        }
        s.push('"');
        s
    }

    /// A value of any type, nested a few levels at most.
    fn nested(&mut self, depth: usize) -> String {
        match self.below(if depth > 2 { 4 } else { 6 }) {
            0 => self.integer(false),
            1 => self.string(),
            2 => self.rng.pick(&["true", "false", "null"]).to_string(),
            3 => self.float(false),
            4 => {
                let items: Vec<String> = (0..self.below(4)).map(|_| self.nested(depth + 1)).collect();
                format!("[{}]", items.join(&format!(",{}", self.space())))
            }
            _ => {
                let items: Vec<String> =
                    (0..self.below(4)).map(|i| format!("\"k{i}\":{}", self.nested(depth + 1))).collect();
                format!("{{{}}}", items.join(","))
            }
        }
    }

    /// A value that fits a field of this type.
    fn value(&mut self, data_type: &DataType, nullable: bool) -> String {
        if nullable && self.one_in(15) {
            return "null".into();
        }
        match data_type {
            DataType::Int64 => self.integer(false),
            DataType::Int32 => self.integer(true),
            DataType::Float64 => self.float(false),
            DataType::Float32 => self.float(true),
            DataType::Boolean => self.rng.pick(&["true", "false"]).to_string(),
            _ => self.string(),
        }
    }

    /// A value that is JSON (or nearly) but does not fit a field of this type.
    fn misfit(&mut self, data_type: &DataType) -> String {
        const NUMBERS: &[&str] = &["1.0", "1e3", "-2.5", "\"12\"", "\"1.5\"", "true", "\"NaN\"", "[1]", "{}"];
        const BROKEN_STRINGS: &[&str] = &[
            "\"\\uD800\"",
            "\"\\uDC00\"",
            "\"\\uD800\\u0041\"",
            "\"\\uD800x\"",
            "\"\u{1}\"",
            "\"\t\"",
            "\"\\x\"",
            "\"\\u12G4\"",
            "\"\\U0041\"",
        ];
        match (data_type, self.below(3)) {
            (_, 0) => ["null", "[]", "{\"a\": 1}"][self.below(3)].to_string(),
            (DataType::Int64, _) => {
                ["9223372036854775808", "-9223372036854775809", "12345678901234567890123", "1.5"]
                    [self.below(4)]
                .to_string()
            }
            (DataType::Int32, _) => {
                ["2147483648", "-2147483649", "9223372036854775807", "0.5"][self.below(4)].to_string()
            }
            (DataType::Float64, 1) => {
                ["1e309", "-1e400", "1e99999999999999999999"][self.below(3)].to_string()
            }
            (DataType::Float32, 1) => ["3.5e38", "-1e39", "1e300"][self.below(3)].to_string(),
            (DataType::Boolean, _) => ["1", "0", "\"true\"", "True"][self.below(4)].to_string(),
            (DataType::Utf8, 1) => self.rng.pick(BROKEN_STRINGS).to_string(),
            (DataType::Utf8, _) => ["5", "true", "[\"a\"]"][self.below(3)].to_string(),
            _ => self.rng.pick(NUMBERS).to_string(),
        }
    }

    /// A document: a third valid, a third with one field that does not fit, a third with
    /// its bytes bent (which may leave it valid, or not). And whether it is valid and of the
    /// usual shape, which the fast path must decode: no escape in a string or a key, no key
    /// twice, no nested value.
    fn document(&mut self) -> (Vec<u8>, bool) {
        let mode = self.below(3);
        let mut usual = mode == 0;
        let misfit = if mode == 1 { self.below(FIELDS.len()) } else { usize::MAX };
        let mut fields: Vec<(String, String)> = Vec::new();
        for (i, (name, data_type, nullable)) in FIELDS.iter().enumerate() {
            if (*nullable || misfit == i) && self.one_in(12) {
                continue;
            }
            let mut key = format!("\"{name}\"");
            if self.one_in(40) {
                // The same key, one letter escaped.
                key = format!("\"\\u{:04x}{}\"", name.as_bytes()[0], &name[1..]);
                usual = false;
            }
            if self.one_in(40) {
                // Given twice: the last one counts.
                let first = self.nested(0);
                fields.push((key.clone(), first));
                usual = false;
            }
            let value = if misfit == i { self.misfit(data_type) } else { self.value(data_type, *nullable) };
            usual &= !value.contains('\\');
            fields.push((key, value));
        }
        for i in 0..self.below(3) {
            // Half of them scalars (a depth that nests no further).
            let depth = if self.one_in(2) { 3 } else { 0 };
            let value = self.nested(depth);
            usual &= !value.starts_with(['[', '{']) && !value.contains('\\');
            fields.push((format!("\"extra{i}\""), value));
        }
        if self.one_in(5) && !fields.is_empty() {
            let (i, j) = (self.below(fields.len()), self.below(fields.len()));
            fields.swap(i, j);
        }
        let mut doc = String::new();
        doc.push_str(self.space());
        doc.push('{');
        for (i, (key, value)) in fields.iter().enumerate() {
            if i > 0 {
                doc.push(',');
            }
            doc.push_str(self.space());
            doc.push_str(key);
            doc.push_str(self.space());
            doc.push(':');
            doc.push_str(self.space());
            doc.push_str(value);
            doc.push_str(self.space());
        }
        doc.push('}');
        doc.push_str(self.space());
        let mut doc = doc.into_bytes();
        if mode == 2 {
            for _ in 0..1 + self.below(2) {
                self.mutate(&mut doc);
            }
        }
        (doc, usual)
    }

    /// A random position of one of `bytes` in `doc`.
    fn find(&mut self, doc: &[u8], bytes: &[u8]) -> Option<usize> {
        let at: Vec<usize> = (0..doc.len()).filter(|&i| bytes.contains(&doc[i])).collect();
        (!at.is_empty()).then(|| at[self.below(at.len())])
    }

    fn mutate(&mut self, doc: &mut Vec<u8>) {
        const NUMBERS: &[&str] = &[
            "01",
            "-",
            "1.",
            "+1",
            ".5",
            "1e",
            "1e+",
            "0x1F",
            "NaN",
            "Infinity",
            "-Infinity",
            "1.2.3",
            "--1",
            "1e400",
            "- 1",
            "1_000",
            "0.e1",
            "-.5",
        ];
        const NOT_UTF8: &[&[u8]] = &[
            b"\xff",
            b"\xc0\x80",
            b"\x80",
            b"\xe2\x82",
            b"\xed\xa0\x80",
            b"\xf4\x90\x80\x80",
            b"\xf8\x88\x80\x80\x80",
        ];
        const TAILS: &[&str] = &["x", "{}", "{\"id\": 1}", ",", " 1", "\u{0}", "]", "\"", "}"];
        let anywhere = self.below(doc.len() + 1);
        match self.below(17) {
            0 => {
                if let Some(i) = self.find(doc, b",") {
                    doc.remove(i);
                }
            }
            1 => {
                if let Some(i) = self.find(doc, b",") {
                    doc.insert(i, b',');
                }
            }
            2 => {
                if let Some(i) = doc.iter().rposition(|&b| b == b'}') {
                    doc.insert(i, b',');
                }
            }
            3 => {
                if let Some(i) = doc.iter().position(|&b| b == b'{') {
                    doc.insert(i + 1, b',');
                }
            }
            4 => {
                if let Some(i) = self.find(doc, b"\"") {
                    doc.remove(i);
                }
            }
            5 => {
                if let Some(i) = self.find(doc, b"{}[]:") {
                    doc.remove(i);
                }
            }
            6 => {
                let byte = b"{}[]:,\""[self.below(7)];
                doc.insert(anywhere, byte);
            }
            7 => {
                let escape = [b'\\', b"xq0'u \"U"[self.below(8)]];
                doc.splice(anywhere..anywhere, escape);
            }
            8 => {
                // A number swapped for something that is not one.
                if let Some(start) = self.find(doc, b"0123456789") {
                    let end = (start..doc.len())
                        .find(|&i| !b"0123456789.eE+-".contains(&doc[i]))
                        .unwrap_or(doc.len());
                    let bad = self.rng.pick(NUMBERS).as_bytes();
                    doc.splice(start..end, bad.iter().copied());
                }
            }
            9 => doc.truncate(self.below(doc.len())),
            10 => {
                let bytes = NOT_UTF8[self.below(NOT_UTF8.len())];
                doc.splice(anywhere..anywhere, bytes.iter().copied());
            }
            11 => {
                if !doc.is_empty() {
                    let i = self.below(doc.len());
                    doc[i] = self.rng.next() as u8;
                }
            }
            12 => doc.extend_from_slice(self.rng.pick(TAILS).as_bytes()),
            13 => {
                let head: &[u8] = [&b"\xef\xbb\xbf"[..], b"x", b"[", b","][self.below(4)];
                doc.splice(0..0, head.iter().copied());
            }
            14 => {
                // A literal cut or misspelt.
                if let Some(i) = self.find(doc, b"tfn") {
                    let end = (i..doc.len()).find(|&j| !doc[j].is_ascii_alphabetic()).unwrap_or(doc.len());
                    let bad = self.rng.pick(&["tru", "nul", "True", "NULL", "fals", "nulll", "t"]);
                    doc.splice(i..end, bad.bytes());
                }
            }
            15 => {
                // Whitespace JSON does not have.
                let byte = [0x0c, 0x0b, 0xa0, 0x00][self.below(4)];
                doc.insert(anywhere, byte);
            }
            _ => {
                if let Some(i) = self.find(doc, b"{}") {
                    let byte = doc[i];
                    doc.insert(i, byte);
                }
            }
        }
    }
}

fn laid_out<'a>(docs: impl IntoIterator<Item = &'a [u8]>) -> (Vec<u8>, Vec<i32>) {
    let (mut data, mut ends) = (Vec::new(), Vec::new());
    for doc in docs {
        data.extend_from_slice(doc);
        ends.push(data.len() as i32);
    }
    (data, ends)
}

/// Runs a decoding, a panic reported as a failure naming the documents.
fn unpanicked<T>(docs: &[&[u8]], decode: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(decode)).unwrap_or_else(|_| {
        panic!("decoding panicked on {:?}", docs.iter().map(|d| lossy(d)).collect::<Vec<_>>())
    })
}

/// The format's result on these documents, or the general path's alone.
fn decode(format: &JsonFormat, docs: &[&[u8]], general: bool) -> Result<RecordBatch, String> {
    let (data, ends) = laid_out(docs.iter().copied());
    let values = Values::new(&data, &ends).unwrap();
    let schema = format.schema().unwrap().clone();
    unpanicked(docs, || if general { format.decode_general(schema, values) } else { format.decode(values) })
        .map_err(|e| e.to_string())
}

/// Documents in a batch.
const CHUNK: usize = 1000;

/// Checks `count` documents made from a seed of their own; counts the valid ones, those of them
/// on the fast path, and the invalid ones.
fn check_chunk(format: &JsonFormat, chunk: usize, count: usize) -> [usize; 3] {
    let Paths { checker, flat: Some(flat) } = format.paths(&schema()) else {
        panic!("the fast path does not take the schema")
    };
    let mut generator = Generator {
        rng: Rng((0x5DEE_CE66_D1CE_5EED ^ (chunk as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1),
    };
    let docs: Vec<(Vec<u8>, bool)> = (0..count).map(|_| generator.document()).collect();
    let mut valid: Vec<(&[u8], Vec<Cell>)> = Vec::new();
    let (mut usual, mut unusual): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
    let mut invalid: Vec<&[u8]> = Vec::new();
    for (doc, is_usual) in &docs {
        match expected(doc) {
            Some(row) => {
                if *is_usual { &mut usual } else { &mut unusual }.push(valid.len());
                valid.push((doc, row));
            }
            None => {
                assert!(!is_usual, "serde_json rejects {:?}, made to be valid", lossy(doc));
                invalid.push(doc);
            }
        }
    }
    let all: Vec<usize> = (0..valid.len()).collect();
    let docs_of = |rows: &[usize]| rows.iter().map(|&i| valid[i].0).collect::<Vec<_>>();
    let compare = |path: &str, rows: &[usize], batch: RecordBatch| {
        assert_eq!(batch.num_rows(), rows.len());
        for (row, &i) in rows.iter().enumerate() {
            assert_eq!(row_of(&batch, row), valid[i].1, "{path} of {:?}", lossy(valid[i].0));
        }
    };
    // The usual ones in one batch, which the fast path must decode; the others in one
    // batch, which the format mostly leaves to the general path; all on the general path.
    let usual_docs = docs_of(&usual);
    let (data, ends) = laid_out(usual_docs.iter().copied());
    match unpanicked(&usual_docs, || flat.decode(Values::new(&data, &ends).unwrap(), checker)) {
        Flat::Decoded(batch) => compare("the fast path", &usual, batch),
        Flat::Rejected(i, why) => panic!("the fast path rejected {:?}: {why}", lossy(usual_docs[i])),
        Flat::Unhandled => panic!("the fast path left values of the usual shape to the general path"),
    }
    for (path, rows, general) in [("decode", &unusual, false), ("decode_general", &all, true)] {
        let docs = docs_of(rows);
        let batch = decode(format, &docs, general).unwrap_or_else(|e| {
            let culprit =
                e.split("value ").nth(1).and_then(|rest| rest.split(' ').next()?.parse::<usize>().ok());
            let doc = culprit.map(|i| lossy(docs[i]));
            panic!("{path} rejected a batch of valid documents: {e}\n(the document: {doc:?})")
        });
        compare(path, rows, batch);
    }
    // Each invalid one alone: rejected by the format (the fast path first) and by the check
    // the general path makes of every value before arrow-json.
    for doc in &invalid {
        if let Ok(batch) = decode(format, &[doc], false) {
            panic!(
                "accepted {:?}, which serde_json rejects or which does not fit: {:?}",
                lossy(doc),
                row_of(&batch, 0)
            );
        }
        let checked = unpanicked(&[doc], || checker.check(doc));
        assert!(checked.is_err(), "the general path's check passed {:?}", lossy(doc));
    }
    // And one among valid ones: the batch fails, naming it, on both paths.
    if let Some(bad) = invalid.first() {
        let at = valid.len() / 2;
        let mut mixed = docs_of(&all);
        mixed.insert(at, bad);
        for general in [false, true] {
            let error = decode(format, &mixed, general)
                .err()
                .unwrap_or_else(|| panic!("a batch with {:?} decoded", lossy(bad)));
            assert!(error.contains(&format!("value {at} of the batch")), "{error}");
        }
    }
    [valid.len(), usual.len(), invalid.len()]
}

#[test]
fn decodes_what_serde_json_reads_and_rejects_the_rest() {
    let total: usize =
        std::env::var("JARROW_JSON_DIFFERENTIAL_DOCS").map_or(1_000_000, |n| n.parse().unwrap());
    let format = JsonFormat::with_schema(schema());
    // Chunks on every core: the documents do not depend on how many there are.
    let chunks = total.div_ceil(CHUNK);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
    let add = |a: [usize; 3], b: [usize; 3]| [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
    let [valid, fast, invalid] = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|first| {
                let format = &format;
                scope.spawn(move || {
                    (first..chunks)
                        .step_by(threads)
                        .map(|chunk| check_chunk(format, chunk, CHUNK.min(total - chunk * CHUNK)))
                        .fold([0; 3], add)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .fold([0; 3], add)
    });
    eprintln!("{total} documents: {valid} valid ({fast} on the fast path), {invalid} invalid");
    // Every kind well represented.
    assert!(valid > total / 4 && invalid > total / 4, "{valid} valid, {invalid} invalid");
    assert!(fast > valid / 5, "{fast} of {valid} valid documents on the fast path");
}
