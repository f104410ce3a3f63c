//! Whether a record value is exactly one JSON object, read as strictly as serde_json reads it,
//! whose fields fit the schema; if not, what is wrong and what was expected.
//!
//! Both decoding paths take their errors from here. The fast path asks when a value is not of
//! the shape it decodes (is it wrong, or only unusual?); the general path asks of every value
//! before arrow-json decodes it, because arrow-json is lenient: commas are whitespace to it, a
//! number is any run of digits, signs, dots and exponents, and it reads strings as numbers and
//! truncates fractions into integer columns.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use arrow::datatypes::{DataType, Schema};

use super::Values;
use super::scan::{Fault, Key, Scan, unescape};

/// The column types whose values are checked here, and which the fast path decodes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Kind {
    Int64,
    Int32,
    Float64,
    Float32,
    Boolean,
    Utf8,
}

impl Kind {
    pub(super) fn of(data_type: &DataType) -> Option<Kind> {
        Some(match data_type {
            DataType::Int64 => Kind::Int64,
            DataType::Int32 => Kind::Int32,
            DataType::Float64 => Kind::Float64,
            DataType::Float32 => Kind::Float32,
            DataType::Boolean => Kind::Boolean,
            DataType::Utf8 => Kind::Utf8,
            _ => return None,
        })
    }

    /// What a value of this column must be.
    fn expected(self) -> &'static str {
        match self {
            Kind::Int64 => "an integer within Int64 (no fraction, no exponent)",
            Kind::Int32 => "an integer within Int32 (no fraction, no exponent)",
            Kind::Float64 => "a number (Float64)",
            Kind::Float32 => "a number within the range of Float32",
            Kind::Boolean => "true or false (Boolean)",
            Kind::Utf8 => "a string (Utf8)",
        }
    }

    /// Whether the JSON value at `span` of `value` (valid, not null) fits this column as
    /// arrow-json reads it.
    fn fits(self, value: &[u8], span: Range<usize>) -> bool {
        let first = value[span.start];
        let number = first == b'-' || first.is_ascii_digit();
        // Scanned within the whole value, where numbers are read eight bytes at a time.
        let mut scan = Scan { bytes: value, at: span.start };
        match self {
            // The grammar already held it within an f64's range.
            Kind::Float64 => number,
            Kind::Boolean => first == b't' || first == b'f',
            Kind::Utf8 => first == b'"',
            _ if !number => false,
            Kind::Int64 => scan.integer().is_some(),
            Kind::Int32 => scan.integer().is_some_and(|i| i32::try_from(i).is_ok()),
            // Under 10^19 times 10^19 is within range: no need to compute it.
            Kind::Float32 => scan.number().is_some_and(|n| {
                (n.mantissa.is_some() && n.scale <= 19) || n.text.parse::<f32>().is_ok_and(f32::is_finite)
            }),
        }
    }
}

/// Why a value was rejected: its kind decides the start of the message.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Malformed {
    /// Not one JSON object: empty, another kind of value, cut short, or followed by more.
    NotOneObject(String),
    /// Not JSON: what the grammar expected where.
    Invalid(String),
    /// JSON, but a field does not fit its column.
    DoesNotFit(String),
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Malformed::NotOneObject(why) => write!(f, "is not exactly one JSON object: {why}"),
            Malformed::Invalid(why) => write!(f, "is not valid JSON: {why}"),
            Malformed::DoesNotFit(why) => write!(f, "does not fit the schema: {why}"),
        }
    }
}

/// A top-level field of the schema.
#[derive(Debug)]
struct Rule {
    name: String,
    /// `None`: a type whose values only the grammar checks (arrow-json decides the rest).
    kind: Option<Kind>,
    nullable: bool,
}

/// Checks values against one schema; see the module documentation.
#[derive(Debug)]
pub(super) struct Checker {
    rules: Vec<Rule>,
    by_name: HashMap<Box<[u8]>, usize>,
    /// Each field's name in quotes, when it needs no escape: a key that starts so is the field.
    quoted: Vec<Option<Key>>,
}

/// What checking a value needs besides the value, kept from one value to the next.
#[derive(Default)]
struct Scratch {
    /// Where the value of each field is in the value (the last, if the key comes twice: the one
    /// that counts, for serde_json and arrow-json alike).
    spans: Vec<Option<Range<usize>>>,
    /// A key with escapes, unescaped.
    key: Vec<u8>,
    /// The field whose key followed each field's key last time (the last slot: the first
    /// key), so that values whose keys come in one order find each field without hashing.
    follows: Vec<usize>,
}

impl Checker {
    pub(super) fn new(schema: &Schema) -> Self {
        let rules = schema
            .fields()
            .iter()
            .map(|f| Rule {
                name: f.name().clone(),
                kind: Kind::of(f.data_type()),
                nullable: f.is_nullable(),
            })
            .collect();
        let by_name =
            schema.fields().iter().enumerate().map(|(i, f)| (f.name().as_bytes().into(), i)).collect();
        let plain = |name: &[u8]| name.iter().all(|&b| b != b'"' && b != b'\\' && b >= 0x20);
        let quoted = schema
            .fields()
            .iter()
            .map(|f| f.name().as_bytes())
            .map(|name| plain(name).then(|| Key::new([&b"\""[..], name, b"\""].concat())))
            .collect();
        Checker { rules, by_name, quoted }
    }

    /// The field of this name (the bytes between its quotes, without escapes).
    pub(super) fn field(&self, name: &[u8]) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    pub(super) fn check(&self, value: &[u8]) -> Result<(), Malformed> {
        self.check_with(value, &mut Scratch::default())
    }

    /// Every value: the first that fails, with its index.
    pub(super) fn check_all(&self, values: Values<'_>) -> Result<(), (usize, Malformed)> {
        let mut scratch = Scratch::default();
        for (i, value) in values.iter().enumerate() {
            self.check_with(value, &mut scratch).map_err(|malformed| (i, malformed))?;
        }
        Ok(())
    }

    fn check_with(&self, value: &[u8], scratch: &mut Scratch) -> Result<(), Malformed> {
        let mut scan = Scan { bytes: value, at: 0 };
        scan.ws();
        match value.get(scan.at) {
            Some(b'{') => {}
            Some(_) => {
                return Err(Malformed::NotOneObject(format!("{}, expected '{{'", found(value, scan.at))));
            }
            None if value.is_empty() => return Err(Malformed::NotOneObject("it is empty".into())),
            None => return Err(Malformed::NotOneObject("it is only whitespace".into())),
        }
        scratch.spans.clear();
        scratch.spans.resize(self.rules.len(), None);
        scratch.follows.resize(self.rules.len() + 1, 0);
        self.fields(&mut scan, scratch).map_err(|fault| grammar(value, fault))?;
        let spans = &scratch.spans;
        scan.ws();
        if scan.at != value.len() {
            return Err(Malformed::NotOneObject(format!("after the object, {}", found(value, scan.at))));
        }
        for (rule, span) in self.rules.iter().zip(spans.iter()) {
            let why = match (span.clone(), rule.kind) {
                (None, _) if rule.nullable => continue,
                (None, _) => "is missing, and it is not nullable".to_string(),
                (Some(span), _) if &value[span.clone()] == b"null" => {
                    if rule.nullable {
                        continue;
                    }
                    "is null, and it is not nullable".to_string()
                }
                (Some(span), Some(kind)) if !kind.fits(value, span.clone()) => {
                    format!("is {}, expected {}", excerpt(&value[span]), kind.expected())
                }
                _ => continue,
            };
            return Err(Malformed::DoesNotFit(format!("field \"{}\" {why}", rule.name)));
        }
        Ok(())
    }
}

impl Checker {
    /// The fields of the object at the cursor (at its '{'), strictly: where the value of each
    /// field of the schema is, into `scratch.spans`. As `Scan::value` reads an object, but a key
    /// is first compared with the one the last value had next, eight bytes at a time.
    fn fields(&self, scan: &mut Scan<'_>, scratch: &mut Scratch) -> Result<(), Fault> {
        let Scratch { spans, key: unescaped, follows } = scratch;
        scan.at += 1;
        scan.ws();
        if scan.eat(b'}') {
            return Ok(());
        }
        let mut previous = self.rules.len();
        loop {
            let guess = follows[previous];
            let field = match self.quoted.get(guess) {
                Some(Some(key)) if scan.starts_with_key(key) => {
                    scan.at += key.bytes.len();
                    Some(guess)
                }
                _ => {
                    if scan.bytes.get(scan.at) != Some(&b'"') {
                        return Err(scan.fault("expected a key (a string in double quotes)"));
                    }
                    match scan.string()? {
                        (name, false) => self.field(name),
                        (name, true) => {
                            unescape(name, unescaped);
                            self.field(unescaped)
                        }
                    }
                }
            };
            scan.ws();
            if !scan.eat(b':') {
                return Err(scan.fault("expected ':' after the key"));
            }
            scan.ws();
            let start = scan.at;
            // Numbers, the most common values, without the call through `value`.
            match scan.bytes.get(scan.at) {
                Some(b'-' | b'0'..=b'9') => scan.checked_number().map(|_| ())?,
                _ => scan.value(1)?,
            }
            if let Some(field) = field {
                follows[previous] = field;
                previous = field;
                spans[field] = Some(start..scan.at);
            }
            scan.ws();
            if scan.eat(b'}') {
                return Ok(());
            }
            if !scan.eat(b',') {
                return Err(scan.fault("expected ',' or '}' after a value in an object"));
            }
            scan.ws();
        }
    }
}

/// A grammar fault as a message: at the end of the value, the value was cut short.
fn grammar(value: &[u8], fault: Fault) -> Malformed {
    if fault.at >= value.len() {
        Malformed::NotOneObject(format!(
            "it ends at byte {} inside the object, {}",
            value.len(),
            fault.expected
        ))
    } else {
        Malformed::Invalid(format!("{}, {}", found(value, fault.at), fault.expected))
    }
}

/// What is at byte `at`, for a message.
fn found(value: &[u8], at: usize) -> String {
    match value[at] {
        b if b.is_ascii_graphic() || b == b' ' => format!("at byte {at} is {}", excerpt(&value[at..])),
        b => format!("at byte {at} is the byte {b:#04x}"),
    }
}

/// The start of some JSON text, quoted for a message.
fn excerpt(text: &[u8]) -> String {
    let text = String::from_utf8_lossy(&text[..text.len().min(24)]);
    format!("`{text}`{}", if text.len() >= 24 { "..." } else { "" })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::datatypes::Field;

    use super::*;

    fn checker() -> Checker {
        Checker::new(&Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("amount", DataType::Float64, true),
            Field::new("small", DataType::Int32, true),
            Field::new("g", DataType::Float32, true),
            Field::new("tags", DataType::List(Arc::new(Field::new_list_field(DataType::Int64, true))), true),
        ]))
    }

    #[test]
    fn each_message_says_what_is_wrong_where_and_what_was_expected() {
        let checker = checker();
        for (value, expected) in [
            (
                r#"{"id": 5000,, "amount": 1.0}"#,
                "is not valid JSON: at byte 12 is `, \"amount\": 1.0}`, expected a key",
            ),
            (
                r#"{"id": 7500 "amount": 1.0}"#,
                "is not valid JSON: at byte 12 is `\"amount\": 1.0}`, expected ',' or '}'",
            ),
            (r#"{"id": 1, "amount": 1.0,}"#, "is not valid JSON: at byte 24 is `}`, expected a key"),
            (r#"{"id": 01}"#, "at byte 7 is `01}`, expected a JSON number"),
            (
                r#"{"id": 1, "x": 1e400}"#,
                "at byte 15 is `1e400}`, expected a number within the range of a 64-bit float",
            ),
            (r#"{"id": 1, "x": NaN}"#, "at byte 15 is `NaN}`, expected a value"),
            (r#"{"id": 1, "x": "\ud800"}"#, "expected a \\u escape of a low surrogate"),
            (r#"{"id": 1, "x": "\udc00"}"#, "at byte 16 is `\\udc00\"}`, expected no low surrogate"),
            ("{\"id\": 1, \"x\": \"\u{1}\"}", "at byte 16 is the byte 0x01, expected no control character"),
            ("{\"id\": 1, \"x\": \"a\\q\"}", "at byte 18 is `q\"}`, expected an escape"),
            ("{\"id\": 1, \"tags\": [1,,2]}", "at byte 21 is `,2]}`, expected a value"),
            (
                r#"{"id": 2,"#,
                "is not exactly one JSON object: it ends at byte 9 inside the object, expected a key",
            ),
            (
                r#"{"id": 1}{"id": 2}"#,
                "is not exactly one JSON object: after the object, at byte 9 is `{\"id\": 2}`",
            ),
            ("", "is not exactly one JSON object: it is empty"),
            (" \n", "is not exactly one JSON object: it is only whitespace"),
            ("[1]", "is not exactly one JSON object: at byte 0 is `[1]`, expected '{'"),
            (
                r#"{"id": 1.5}"#,
                "does not fit the schema: field \"id\" is `1.5`, expected an integer within Int64",
            ),
            (r#"{"id": "12"}"#, "field \"id\" is `\"12\"`, expected an integer within Int64"),
            (r#"{"id": 1, "amount": "NaN"}"#, "field \"amount\" is `\"NaN\"`, expected a number (Float64)"),
            (
                r#"{"id": 1, "small": 2147483648}"#,
                "field \"small\" is `2147483648`, expected an integer within Int32",
            ),
            (
                r#"{"id": 1, "g": 1e39}"#,
                "field \"g\" is `1e39`, expected a number within the range of Float32",
            ),
            (r#"{"amount": 1}"#, "field \"id\" is missing, and it is not nullable"),
            (r#"{"id": null}"#, "field \"id\" is null, and it is not nullable"),
        ] {
            let error = checker.check(value.as_bytes()).map_err(|m| m.to_string());
            assert!(error.as_ref().is_err_and(|e| e.contains(expected)), "{value}: {error:?}");
        }
        let error = checker.check(b"{\"id\": 1, \"x\": \"\xff\"}").unwrap_err().to_string();
        assert!(error.contains("at byte 16 is the byte 0xff, expected UTF-8 text in a string"), "{error}");
    }

    #[test]
    fn the_last_of_a_repeated_key_counts_and_escaped_keys_are_their_text() {
        let checker = checker();
        for value in [
            r#"{"id": "x", "id": 2}"#,
            r#"{"i\u0064": 2}"#,
            r#"{"id": 1, "amount": -0.0, "small": -2147483648, "g": 3.4028235e38, "tags": [1, [], {}]}"#,
            r#"{"id": -0, "x": {"a": ["\ud83d\ude00", "\u00e9", null, true, 1e-400]}}"#,
        ] {
            assert_eq!(checker.check(value.as_bytes()), Ok(()), "{value}");
        }
        let error = checker.check(br#"{"id": 2, "id": "x"}"#).unwrap_err().to_string();
        assert!(error.contains("field \"id\" is `\"x\"`"), "{error}");
        let error = checker.check(br#"{"\u0069d": 1.5}"#).unwrap_err().to_string();
        assert!(error.contains("field \"id\" is `1.5`"), "{error}");
    }

    /// serde_json reads values nested 127 deep and no deeper; so does the grammar here.
    #[test]
    fn values_nest_as_deep_as_serde_json_reads_them() {
        let checker = checker();
        for depth in [126, 127, 128, 129] {
            let value = format!("{{\"id\": 1, \"x\": {}{}}}", "[".repeat(depth - 1), "]".repeat(depth - 1));
            let serde = serde_json::from_str::<serde_json::Value>(&value).is_ok();
            assert_eq!(checker.check(value.as_bytes()).is_ok(), serde, "depth {depth}");
        }
        let deep = format!("{{\"x\": {}", "[".repeat(100_000));
        assert!(checker.check(deep.as_bytes()).is_err());
    }
}
