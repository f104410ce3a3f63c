//! A fast path for the usual shape of record values: flat JSON objects whose fields are numbers,
//! booleans and strings.
//!
//! arrow-json's decoder is general (any nesting, any order, a tape first, then arrays), and
//! decoding dominates a batch's cost when a model is cheap. Record values of a stream mostly have
//! one flat shape, keys in the same order every time: this decoder scans each value once, guesses
//! each key's column from the key before it (learning the order as it goes), and appends straight
//! to the columns. It accepts only what it
//! decodes exactly as arrow-json would; on anything else (an escape in a string, a nested or
//! mistyped value for a column, a missing non-nullable field, malformed JSON) it gives up on the
//! batch and arrow-json decodes it, with arrow-json's errors.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, BooleanBufferBuilder, Float32Array, Float64Array, Int32Array, Int64Array,
    RecordBatch, StringArray,
};
use arrow::buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow::datatypes::{DataType, SchemaRef};

use super::Values;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Int64,
    Int32,
    Float64,
    Float32,
    Boolean,
    Utf8,
}

/// Decodes flat JSON objects of one schema; see the module documentation.
#[derive(Debug)]
pub(super) struct FlatDecoder {
    schema: SchemaRef,
    kinds: Vec<Kind>,
    nullable: Vec<bool>,
    /// Each field name with its quotes: a key that starts this way is that field.
    quoted: Vec<Key>,
    by_name: HashMap<Box<[u8]>, usize>,
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
        let mut kinds = Vec::new();
        for field in schema.fields() {
            kinds.push(match field.data_type() {
                DataType::Int64 => Kind::Int64,
                DataType::Int32 => Kind::Int32,
                DataType::Float64 => Kind::Float64,
                DataType::Float32 => Kind::Float32,
                DataType::Boolean => Kind::Boolean,
                DataType::Utf8 => Kind::Utf8,
                _ => return None,
            });
        }
        let names: Vec<Box<[u8]>> = schema.fields().iter().map(|f| f.name().as_bytes().into()).collect();
        let by_name: HashMap<_, _> = names.iter().cloned().enumerate().map(|(i, n)| (n, i)).collect();
        let plain = |name: &[u8]| name.iter().all(|&b| b != b'"' && b != b'\\' && b >= 0x20);
        if by_name.len() != names.len() || !names.iter().all(|n| plain(n)) {
            return None;
        }
        let quoted = names.iter().map(|n| Key::new([&b"\""[..], n, b"\""].concat())).collect();
        let nullable = schema.fields().iter().map(|f| f.is_nullable()).collect();
        Some(FlatDecoder { schema: schema.clone(), kinds, nullable, quoted, by_name })
    }

    /// The batch, or `None` when a value is not of the shape this decoder handles exactly.
    pub(super) fn decode(&self, values: Values<'_>) -> Option<RecordBatch> {
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
                        _ => self.by_name.get(scan.plain_string()?).copied(),
                    };
                    scan.ws();
                    scan.expect(b':')?;
                    scan.ws();
                    match column {
                        None => scan.skip_scalar()?,
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
        Column::Float64(v) => v.push(scan.number()?.to_f64()?),
        Column::Float32(v) => v.push(scan.number()?.text.parse().ok()?),
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

/// A number token, with its value as an integer scaled by a power of ten when that fits.
struct Number<'a> {
    text: &'a str,
    integer: bool,
    negative: bool,
    mantissa: Option<u64>,
    scale: i32,
}

impl Number<'_> {
    /// The nearest f64. When the digits and the power of ten are both exact in an f64 (Clinger's
    /// fast path), one multiplication or division rounds correctly; otherwise the standard parser.
    #[inline(always)]
    fn to_f64(&self) -> Option<f64> {
        const POWERS: [f64; 23] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
            1e18, 1e19, 1e20, 1e21, 1e22,
        ];
        if let (Some(mantissa), Some(&power)) =
            (self.mantissa.filter(|&m| m <= 1 << 53), POWERS.get(self.scale.unsigned_abs() as usize))
        {
            let magnitude = if self.scale < 0 { mantissa as f64 / power } else { mantissa as f64 * power };
            return Some(if self.negative { -magnitude } else { magnitude });
        }
        self.text.parse().ok()
    }
}

/// A quoted field name, and its first eight bytes as a word to compare eight bytes at once.
#[derive(Debug)]
struct Key {
    bytes: Box<[u8]>,
    word: u64,
    mask: u64,
}

impl Key {
    fn new(bytes: Vec<u8>) -> Self {
        let mut padded = [0u8; 8];
        let head = bytes.len().min(8);
        padded[..head].copy_from_slice(&bytes[..head]);
        let mask = if head == 8 { u64::MAX } else { (1u64 << (8 * head)) - 1 };
        Key { bytes: bytes.into_boxed_slice(), word: u64::from_le_bytes(padded), mask }
    }
}

/// How many of the eight bytes of `word` (the first in the lowest byte) are decimal digits
/// before one that is not, and the number they make; eight digits at once, without branches.
#[inline(always)]
fn leading_digits(word: u64) -> (usize, u64) {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Digits become 0..=9; a byte is not a digit when its value is 10 or more (adding 0x76 to
    // its low seven bits sets the high bit) or it had the high bit set already.
    let x = word ^ 0x3030_3030_3030_3030;
    let not_digit = (((x & LOW7) + 0x7676_7676_7676_7676) | x) & HIGH;
    let count = (not_digit.trailing_zeros() / 8) as usize;
    if count == 0 {
        return (0, 0);
    }
    // The digits moved to the top bytes (the zero bytes below them are leading zeros), then
    // combined pairwise: 2-digit, 4-digit and 8-digit lanes.
    let mut v = x << (8 * (8 - count));
    v = (v * 10 + (v >> 8)) & 0x00ff_00ff_00ff_00ff;
    v = (v * 100 + (v >> 16)) & 0x0000_ffff_0000_ffff;
    v = (v * 10_000 + (v >> 32)) & 0xffff_ffff;
    (count, v)
}

/// A cursor over one JSON value.
struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Scan<'a> {
    /// The eight bytes from `at` as a word (the first in the lowest byte), if there are eight.
    #[inline(always)]
    fn word(&self, at: usize) -> Option<u64> {
        let bytes = self.bytes.get(at..at.checked_add(8)?)?;
        Some(u64::from_le_bytes(bytes.try_into().ok()?))
    }

    /// Whether the bytes at the cursor start with `key`.
    #[inline]
    fn starts_with_key(&self, key: &Key) -> bool {
        match self.word(self.at) {
            Some(word) if key.bytes.len() <= 8 => word & key.mask == key.word,
            _ => self.bytes[self.at..].starts_with(&key.bytes),
        }
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        let hit = self.bytes.get(self.at) == Some(&byte);
        self.at += hit as usize;
        hit
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.eat(byte).then_some(())
    }

    fn eat_literal(&mut self, literal: &[u8]) -> bool {
        let hit = self.bytes[self.at..].starts_with(literal);
        self.at += if hit { literal.len() } else { 0 };
        hit
    }

    /// A string without escapes or control characters; its bytes between the quotes.
    fn plain_string(&mut self) -> Option<&'a [u8]> {
        self.expect(b'"')?;
        let start = self.at;
        let rest = &self.bytes[start..];
        let len = rest.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        if rest[len] != b'"' {
            return None;
        }
        self.at = start + len + 1;
        Some(&rest[..len])
    }

    /// A JSON number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, scanned once.
    #[inline(always)]
    fn number(&mut self) -> Option<Number<'a>> {
        match self.usual_number() {
            Some(number) => Some(number),
            None => self.any_number(),
        }
    }

    /// The usual number, `-? digits (. digits)?` with fewer than eight digits on either side,
    /// read eight bytes at a time; `None` (the cursor unmoved) leaves it to `any_number`.
    #[inline(always)]
    fn usual_number(&mut self) -> Option<Number<'a>> {
        const POWERS: [u64; 8] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];
        let start = self.at;
        let negative = self.bytes.get(start) == Some(&b'-');
        let first = start + usize::from(negative);
        let (whole, mut mantissa) = leading_digits(self.word(first)?);
        if whole == 0 || whole == 8 || (whole > 1 && self.bytes[first] == b'0') {
            return None;
        }
        let mut end = first + whole;
        let mut scale = 0;
        if self.bytes.get(end) == Some(&b'.') {
            let (fraction, digits) = leading_digits(self.word(end + 1)?);
            if fraction == 0 || fraction == 8 {
                return None;
            }
            mantissa = mantissa * POWERS[fraction] + digits;
            scale = -(fraction as i32);
            end += 1 + fraction;
        }
        if matches!(self.bytes.get(end), Some(b'e' | b'E')) {
            return None;
        }
        self.at = end;
        // SAFETY: the token is ASCII (digits, '-', '.').
        let text = unsafe { std::str::from_utf8_unchecked(&self.bytes[start..end]) };
        Some(Number { text, integer: scale == 0, negative, mantissa: Some(mantissa), scale })
    }

    /// Any JSON number, a byte at a time.
    fn any_number(&mut self) -> Option<Number<'a>> {
        let start = self.at;
        let negative = self.eat(b'-');
        // The first 19 significant digits as an integer (they always fit a u64), and the power of
        // ten they scale by; more digits leave the value to the standard parser.
        let mut mantissa: u64 = 0;
        let mut count: u32 = 0;
        let mut scale: i32 = 0;
        let first = self.at;
        let whole = self.digits(&mut mantissa, &mut count);
        match whole {
            0 => return None,
            1 => {}
            _ if self.bytes[first] == b'0' => return None,
            _ => {}
        }
        let mut integer = true;
        if self.eat(b'.') {
            integer = false;
            let fraction = self.digits(&mut mantissa, &mut count);
            if fraction == 0 {
                return None;
            }
            scale -= fraction as i32;
        }
        if self.eat(b'e') || self.eat(b'E') {
            integer = false;
            let exponent_negative = !self.eat(b'+') && self.eat(b'-');
            let from = self.at;
            let mut exponent: i32 = 0;
            while let Some(d) = self.bytes.get(self.at).map(|b| b.wrapping_sub(b'0')).filter(|&d| d <= 9) {
                exponent = exponent.saturating_mul(10).saturating_add(i32::from(d));
                self.at += 1;
            }
            if self.at == from {
                return None;
            }
            scale = scale.saturating_add(if exponent_negative { -exponent } else { exponent });
        }
        // SAFETY: the token is ASCII (digits, signs, '.', 'e').
        let text = unsafe { std::str::from_utf8_unchecked(&self.bytes[start..self.at]) };
        Some(Number { text, integer, negative, mantissa: (count <= 19).then_some(mantissa), scale })
    }

    /// Consumes decimal digits into `mantissa` (while `count`, the digits so far, stays within
    /// 19); returns how many there were.
    fn digits(&mut self, mantissa: &mut u64, count: &mut u32) -> usize {
        let from = self.at;
        while let Some(d) = self.bytes.get(self.at).map(|b| b.wrapping_sub(b'0')).filter(|&d| d <= 9) {
            if *count < 19 {
                *mantissa = *mantissa * 10 + u64::from(d);
            }
            *count += 1;
            self.at += 1;
        }
        self.at - from
    }

    fn integer(&mut self) -> Option<i64> {
        let number = self.number()?;
        if !number.integer {
            return None;
        }
        match number.mantissa {
            // At most 19 digits, within i64: what the text parses to.
            Some(m) if m <= i64::MAX as u64 => Some(if number.negative { -(m as i64) } else { m as i64 }),
            _ => number.text.parse().ok(),
        }
    }

    /// Skips the value of a field outside the schema: a number, string, literal (nested values
    /// give up).
    fn skip_scalar(&mut self) -> Option<()> {
        match self.bytes.get(self.at)? {
            b'"' => {
                self.at += 1;
                loop {
                    match *self.bytes.get(self.at)? {
                        b'"' => {
                            self.at += 1;
                            return Some(());
                        }
                        b'\\' => {
                            let escape = *self.bytes.get(self.at + 1)?;
                            self.at += 2;
                            match escape {
                                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                                b'u' => {
                                    let hex = self.bytes.get(self.at..self.at + 4)?;
                                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                                        return None;
                                    }
                                    self.at += 4;
                                }
                                _ => return None,
                            }
                        }
                        b if b < 0x20 => return None,
                        _ => self.at += 1,
                    }
                }
            }
            b't' => self.eat_literal(b"true").then_some(()),
            b'f' => self.eat_literal(b"false").then_some(()),
            b'n' => self.eat_literal(b"null").then_some(()),
            _ => self.number().map(|_| ()),
        }
    }
}

#[cfg(test)]
mod tests {
    use arrow::datatypes::{Field, Schema};

    use super::super::JsonCodec;
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

    /// xorshift64*: a reproducible stream of choices.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[(self.next() % items.len() as u64) as usize]
        }
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

    /// Whatever the fast path accepts, arrow-json decodes to the very same batch; whatever
    /// arrow-json rejects, the fast path gives up on.
    #[test]
    fn agrees_with_arrow_json_on_random_values() {
        let schema = schema();
        let flat = FlatDecoder::new(&schema).unwrap();
        let codec = JsonCodec::with_schema(schema.clone());
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let (mut fast, mut total) = (0, 0);
        for _ in 0..4000 {
            let values: Vec<String> = (0..1 + rng.next() % 3).map(|_| value(&mut rng)).collect();
            let (data, ends) = laid_out(&values);
            let values_ref = Values::new(&data, &ends).unwrap();
            let general = codec.decode_general(schema.clone(), values_ref);
            total += 1;
            if let Some(batch) = flat.decode(values_ref) {
                fast += 1;
                assert_eq!(Some(&batch), general.as_ref().ok(), "{values:?}: {general:?}");
            }
        }
        // The random values are rarely all plain; plain values always take the fast path.
        assert!(fast > total / 10, "{fast} of {total} batches took the fast path");
        let plain =
            [r#"{"i": 1, "j": 2, "f": 0.5, "g": 1.25, "b": true, "s": "x", "required": 3}"#.to_string()];
        let (data, ends) = laid_out(&plain);
        assert!(flat.decode(Values::new(&data, &ends).unwrap()).is_some());
    }

    #[test]
    fn numbers_read_exactly_as_the_standard_parser_reads_them() {
        let mut rng = Rng(42);
        for _ in 0..200_000 {
            let digits = 1 + rng.next() % 19;
            let mantissa = rng.next() % 10u64.pow(digits as u32);
            let point = rng.next() % (digits + 1);
            let mut text = mantissa.to_string();
            if point > 0 && (point as usize) < text.len() {
                text.insert(text.len() - point as usize, '.');
            }
            if rng.next().is_multiple_of(4) {
                text = format!("{text}e{}", (rng.next() % 60) as i64 - 30);
            }
            if rng.next().is_multiple_of(2) {
                text.insert(0, '-');
            }
            // Alone (read a byte at a time) and followed by more of a value (eight at a time
            // when short enough).
            let expected: f64 = text.parse().unwrap();
            for tail in ["", "}", ", \"next\": 1}", " ,\"k\":[1]}"] {
                let bytes = format!("{text}{tail}");
                let mut scan = Scan { bytes: bytes.as_bytes(), at: 0 };
                let number = scan.number().unwrap_or_else(|| panic!("{text} is a JSON number"));
                assert_eq!(scan.at, text.len(), "{bytes}");
                assert_eq!(number.to_f64().unwrap().to_bits(), expected.to_bits(), "{bytes}");
                let mut scan = Scan { bytes: bytes.as_bytes(), at: 0 };
                assert_eq!(scan.integer(), text.parse::<i64>().ok(), "{bytes}");
            }
        }
    }

    #[test]
    fn leading_digits_reads_up_to_eight_digits_at_once() {
        for (bytes, expected) in [
            (b"12345678", (8, 12_345_678)),
            (b"1234567,", (7, 1_234_567)),
            (b"0.657, \"", (1, 0)),
            (b"0657}   ", (4, 657)),
            (b"9}999999", (1, 9)),
            (b"-1234567", (0, 0)),
            (b"/:09\x80\xff00", (0, 0)),
            (b"00000000", (8, 0)),
            (b"99999999", (8, 99_999_999)),
        ] {
            assert_eq!(
                leading_digits(u64::from_le_bytes(*bytes)),
                expected,
                "{}",
                String::from_utf8_lossy(bytes)
            );
        }
        // Every byte value after a digit ends the digits unless it is one.
        for b in 0..=255u8 {
            let word = u64::from_le_bytes([b'7', b, b'1', b'1', b'1', b'1', b'1', b'1']);
            let expected = if b.is_ascii_digit() {
                (8, 70_000_000 + u64::from(b - b'0') * 1_000_000 + 111_111)
            } else {
                (1, 7)
            };
            assert_eq!(leading_digits(word), expected, "byte {b}");
        }
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
