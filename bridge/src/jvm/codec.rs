//! The value wire codec: one call's arguments, one result or one row cross JNI as one byte array,
//! not one JNI round trip per object. Its Java half is `io.jarrow.ValueCodec`; both bindings use
//! this half (Java calling Python, and Python calling Java).
//!
//! # Wire format
//!
//! Every number is little-endian. A *length* is an `i32`, never negative: a count of elements or
//! of bytes. A *string* is a length and that many bytes of UTF-8, with no terminator.
//!
//! A *value* is one tag byte and what that tag says follows:
//!
//! | tag | type | then |
//! |---|---|---|
//! | 0 | null | nothing |
//! | 1 / 2 | false / true | nothing |
//! | 3 | integer | `i64` |
//! | 4 | float | `f64`, its IEEE 754 bits |
//! | 5 | string | a string |
//! | 6 | bytes | a length, the bytes |
//! | 7 | list | a length, that many values |
//! | 8 | map | a length, that many pairs of values (key, then value), in order |
//! | 9 | date | `i64` days since 1970-01-01 |
//! | 10 | time | `i64` nanoseconds since midnight |
//! | 11 | date-time without zone | `i64` seconds since 1970-01-01T00:00, `i32` nanoseconds (0..10^9) |
//! | 12 | date-time with offset | `i64` seconds since the epoch (the instant), `i32` nanoseconds, `i32` offset in seconds east of UTC |
//! | 13 | decimal | `i32` scale, a length, the unscaled value in big-endian two's complement |
//! | 14 | big integer | a length, the value in big-endian two's complement (one of 64 bits or fewer is tag 3) |
//! | 15 | duration | `i64` seconds (rounded down), `i32` nanoseconds (0..10^9) |
//!
//! Three framings use values: a *value* alone (a call's result); a *call*, a length and that many
//! positional values, then a length and that many pairs of a string (the keyword) and a value;
//! a *row*, a length and that many pairs of a string (the column name) and a value. The tests
//! below and `ValueCodecTest.java` pin the same bytes for the same values.

use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::BigInt;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeDelta};

use crate::arrow::rows::{ColumnName, Row};
use crate::error::{Error, Result};
use crate::value::{Kwargs, Value};

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const INT: u8 = 3;
const FLOAT: u8 = 4;
const STR: u8 = 5;
const BYTES: u8 = 6;
const LIST: u8 = 7;
const MAP: u8 = 8;
const DATE: u8 = 9;
const TIME: u8 = 10;
const DATETIME: u8 = 11;
const DATETIME_TZ: u8 = 12;
const DECIMAL: u8 = 13;
const BIG_INT: u8 = 14;
const DURATION: u8 = 15;

/// Days from 0001-01-01 (CE day 1) to 1970-01-01.
const UNIX_EPOCH_CE_DAYS: i64 = 719_163;

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.bytes.len() < n {
            return Err(Error::Conversion("truncated value encoding from Java".into()));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn i32(&mut self) -> Result<i32> {
        Ok(i32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }

    fn count(&mut self) -> Result<usize> {
        usize::try_from(self.i32()?)
            .map_err(|_| Error::Conversion("negative length in value encoding".into()))
    }

    fn i64(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }

    fn string(&mut self) -> Result<String> {
        let n = self.count()?;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|e| Error::Conversion(e.to_string()))
    }

    fn value(&mut self) -> Result<Value> {
        Ok(match self.u8()? {
            NULL => Value::Null,
            FALSE => Value::Bool(false),
            TRUE => Value::Bool(true),
            INT => Value::Int(self.i64()?),
            FLOAT => Value::Float(f64::from_bits(self.i64()? as u64)),
            STR => Value::Str(self.string()?),
            BYTES => {
                let n = self.count()?;
                Value::Bytes(self.take(n)?.to_vec())
            }
            LIST => {
                let n = self.count()?;
                Value::List((0..n).map(|_| self.value()).collect::<Result<_>>()?)
            }
            MAP => {
                let n = self.count()?;
                Value::Map((0..n).map(|_| Ok((self.value()?, self.value()?))).collect::<Result<_>>()?)
            }
            DATE => {
                let days = self.i64()?;
                let date = i32::try_from(days + UNIX_EPOCH_CE_DAYS)
                    .ok()
                    .and_then(NaiveDate::from_num_days_from_ce_opt);
                Value::Date(date.ok_or_else(|| out_of_range("LocalDate", "datetime.date"))?)
            }
            TIME => {
                let nanos = self.i64()?;
                let (secs, nano) = (nanos.div_euclid(1_000_000_000), nanos.rem_euclid(1_000_000_000));
                let time = NaiveTime::from_num_seconds_from_midnight_opt(secs as u32, nano as u32);
                Value::Time(time.ok_or_else(|| out_of_range("LocalTime", "datetime.time"))?)
            }
            DATETIME => {
                let (secs, nanos) = (self.i64()?, self.i32()?);
                let dt = DateTime::from_timestamp(secs, nanos as u32).map(|dt| dt.naive_utc());
                Value::DateTime(dt.ok_or_else(|| out_of_range("LocalDateTime", "datetime.datetime"))?)
            }
            DATETIME_TZ => {
                let (secs, nanos, offset) = (self.i64()?, self.i32()?, self.i32()?);
                let offset =
                    FixedOffset::east_opt(offset).ok_or_else(|| out_of_range("ZoneOffset", "tzinfo"))?;
                let dt = DateTime::from_timestamp(secs, nanos as u32).map(|dt| dt.with_timezone(&offset));
                Value::DateTimeTz(dt.ok_or_else(|| out_of_range("OffsetDateTime", "datetime.datetime"))?)
            }
            DECIMAL => {
                let scale = self.i32()?;
                let n = self.count()?;
                Value::Decimal(BigDecimal::new(BigInt::from_signed_bytes_be(self.take(n)?), scale.into()))
            }
            BIG_INT => {
                let n = self.count()?;
                Value::BigInt(BigInt::from_signed_bytes_be(self.take(n)?))
            }
            DURATION => {
                let (secs, nanos) = (self.i64()?, self.i32()?);
                let delta = u32::try_from(nanos).ok().and_then(|nanos| TimeDelta::new(secs, nanos));
                Value::Duration(delta.ok_or_else(|| out_of_range("Duration", "datetime.timedelta"))?)
            }
            tag => return Err(Error::Conversion(format!("unknown value tag {tag} from Java"))),
        })
    }
}

fn out_of_range(java: &str, python: &str) -> Error {
    Error::Conversion(format!("a {java} outside the range of Python's {python}"))
}

/// The positional and keyword arguments of one call.
pub fn decode_call(bytes: &[u8]) -> Result<(Vec<Value>, Kwargs)> {
    let mut r = Reader { bytes };
    let n = r.count()?;
    let args = (0..n).map(|_| r.value()).collect::<Result<_>>()?;
    let n = r.count()?;
    let kwargs = (0..n).map(|_| Ok((r.string()?, r.value()?))).collect::<Result<_>>()?;
    Ok((args, kwargs))
}

/// One row: column names and values. `names` holds the names of earlier rows: a producer sends
/// the same columns again and again, and a name seen before is shared rather than allocated.
pub fn decode_row(bytes: &[u8], names: &mut Vec<ColumnName>) -> Result<Row> {
    let mut r = Reader { bytes };
    let n = r.count()?;
    (0..n)
        .map(|position| {
            let len = r.count()?;
            let raw = r.take(len)?;
            let name = match names.get(position) {
                Some(known) if known.as_bytes() == raw => ColumnName::clone(known),
                _ => {
                    let name: ColumnName = std::str::from_utf8(raw)
                        .map_err(|e| Error::Conversion(format!("column name is not UTF-8: {e}")))?
                        .into();
                    if position < names.len() {
                        names[position] = ColumnName::clone(&name);
                    } else {
                        names.push(ColumnName::clone(&name));
                    }
                    name
                }
            };
            Ok((name, r.value()?))
        })
        .collect()
}

fn put_count(out: &mut Vec<u8>, n: usize) -> Result<()> {
    let n =
        i32::try_from(n).map_err(|_| Error::Conversion(format!("{n} elements are more than Java holds")))?;
    out.extend_from_slice(&n.to_le_bytes());
    Ok(())
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) -> Result<()> {
    put_count(out, bytes.len())?;
    out.extend_from_slice(bytes);
    Ok(())
}

fn put_value(out: &mut Vec<u8>, value: &Value) -> Result<()> {
    match value {
        Value::Null => out.push(NULL),
        Value::Bool(b) => out.push(if *b { TRUE } else { FALSE }),
        Value::Int(i) => {
            out.push(INT);
            out.extend_from_slice(&i.to_le_bytes());
        }
        Value::BigInt(i) => {
            out.push(BIG_INT);
            put_bytes(out, &i.to_signed_bytes_be())?;
        }
        Value::Float(f) => {
            out.push(FLOAT);
            out.extend_from_slice(&f.to_bits().to_le_bytes());
        }
        Value::Str(s) => {
            out.push(STR);
            put_bytes(out, s.as_bytes())?;
        }
        Value::Bytes(b) => {
            out.push(BYTES);
            put_bytes(out, b)?;
        }
        Value::List(items) => {
            out.push(LIST);
            put_count(out, items.len())?;
            items.iter().try_for_each(|item| put_value(out, item))?;
        }
        Value::Map(entries) => {
            out.push(MAP);
            put_count(out, entries.len())?;
            for (k, v) in entries {
                put_value(out, k)?;
                put_value(out, v)?;
            }
        }
        Value::Date(d) => {
            out.push(DATE);
            out.extend_from_slice(&(i64::from(d.num_days_from_ce()) - UNIX_EPOCH_CE_DAYS).to_le_bytes());
        }
        Value::Time(t) => {
            use chrono::Timelike;
            out.push(TIME);
            let nanos = i64::from(t.num_seconds_from_midnight()) * 1_000_000_000 + i64::from(t.nanosecond());
            out.extend_from_slice(&nanos.to_le_bytes());
        }
        Value::DateTime(dt) => {
            out.push(DATETIME);
            let utc = dt.and_utc();
            out.extend_from_slice(&utc.timestamp().to_le_bytes());
            out.extend_from_slice(&(utc.timestamp_subsec_nanos() as i32).to_le_bytes());
        }
        Value::DateTimeTz(dt) => {
            out.push(DATETIME_TZ);
            out.extend_from_slice(&dt.timestamp().to_le_bytes());
            out.extend_from_slice(&(dt.timestamp_subsec_nanos() as i32).to_le_bytes());
            out.extend_from_slice(&dt.offset().local_minus_utc().to_le_bytes());
        }
        Value::Duration(d) => {
            // Java's Duration: whole seconds (floor) and a nanosecond part in 0..1e9.
            let (secs, nanos) = match d.subsec_nanos() {
                n if n < 0 => (d.num_seconds() - 1, n + 1_000_000_000),
                n => (d.num_seconds(), n),
            };
            out.push(DURATION);
            out.extend_from_slice(&secs.to_le_bytes());
            out.extend_from_slice(&nanos.to_le_bytes());
        }
        Value::Decimal(d) => {
            out.push(DECIMAL);
            let (unscaled, scale) = d.as_bigint_and_exponent();
            let scale = i32::try_from(scale).map_err(|_| {
                Error::Conversion(format!("Decimal {d} has a scale beyond Java's BigDecimal"))
            })?;
            out.extend_from_slice(&scale.to_le_bytes());
            put_bytes(out, &unscaled.to_signed_bytes_be())?;
        }
    }
    Ok(())
}

pub fn encode_value(value: &Value) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(16);
    put_value(&mut out, value)?;
    Ok(out)
}

pub fn encode_row(row: &Row) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(16 * row.len());
    put_count(&mut out, row.len())?;
    for (name, value) in row {
        put_bytes(&mut out, name.as_bytes())?;
        put_value(&mut out, value)?;
    }
    Ok(out)
}

/// The positional and keyword arguments of a call into Java.
pub fn encode_call(args: &[Value], kwargs: &[(String, Value)]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(16 * (args.len() + kwargs.len()) + 8);
    put_count(&mut out, args.len())?;
    args.iter().try_for_each(|v| put_value(&mut out, v))?;
    put_count(&mut out, kwargs.len())?;
    for (name, value) in kwargs {
        put_bytes(&mut out, name.as_bytes())?;
        put_value(&mut out, value)?;
    }
    Ok(out)
}

/// One value Java encoded.
pub fn decode_value(bytes: &[u8]) -> Result<Value> {
    Reader { bytes }.value()
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use chrono::{NaiveDateTime, TimeZone};

    use super::*;

    /// The same values, the same bytes, as `ValueCodecTest.java` writes them: the wire format is
    /// what both halves agree on, so a change to either fails one of the two tests.
    fn golden() -> Vec<(Value, Vec<u8>)> {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let epoch = date(1970, 1, 1);
        vec![
            (Value::Null, vec![0]),
            (Value::Bool(false), vec![1]),
            (Value::Bool(true), vec![2]),
            (Value::Int(1), vec![3, 1, 0, 0, 0, 0, 0, 0, 0]),
            (Value::Int(-2), vec![3, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
            (Value::Float(1.5), vec![4, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F]),
            (Value::Str("hé".into()), vec![5, 3, 0, 0, 0, b'h', 0xC3, 0xA9]),
            (Value::Bytes(vec![1, 2]), vec![6, 2, 0, 0, 0, 1, 2]),
            (
                Value::List(vec![Value::Int(1), Value::Null]),
                vec![7, 2, 0, 0, 0, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0],
            ),
            (
                Value::Map(vec![(Value::Str("a".into()), Value::Bool(true))]),
                vec![8, 1, 0, 0, 0, 5, 1, 0, 0, 0, b'a', 2],
            ),
            (Value::Date(date(1970, 1, 2)), vec![9, 1, 0, 0, 0, 0, 0, 0, 0]),
            (
                Value::Time(NaiveTime::from_hms_nano_opt(0, 0, 1, 2).unwrap()),
                vec![10, 0x02, 0xCA, 0x9A, 0x3B, 0, 0, 0, 0],
            ),
            (
                Value::DateTime(NaiveDateTime::new(epoch, NaiveTime::from_hms_nano_opt(0, 0, 1, 5).unwrap())),
                vec![11, 1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0],
            ),
            (
                Value::DateTimeTz(
                    FixedOffset::east_opt(3600).unwrap().with_ymd_and_hms(1970, 1, 1, 1, 0, 1).unwrap(),
                ),
                vec![12, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x0E, 0, 0],
            ),
            (Value::Decimal(BigDecimal::from_str("1.25").unwrap()), vec![13, 2, 0, 0, 0, 1, 0, 0, 0, 0x7D]),
            (Value::BigInt(BigInt::from(1u128 << 64)), vec![14, 9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]),
            (
                Value::Duration(TimeDelta::milliseconds(-1500)),
                vec![15, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x65, 0xCD, 0x1D],
            ),
        ]
    }

    #[test]
    fn values_encode_to_the_golden_bytes_and_back() {
        for (value, bytes) in golden() {
            assert_eq!(encode_value(&value).unwrap(), bytes, "{value:?}");
            assert_eq!(decode_value(&bytes).unwrap(), value, "{bytes:?}");
        }
    }

    #[test]
    fn a_call_and_a_row_encode_to_the_golden_bytes_and_back() {
        let args = vec![Value::Int(7)];
        let kwargs = vec![("k".to_owned(), Value::Str("v".into()))];
        let call = [
            &[1, 0, 0, 0, 3, 7, 0, 0, 0, 0, 0, 0, 0][..],
            &[1, 0, 0, 0, 1, 0, 0, 0, b'k', 5, 1, 0, 0, 0, b'v'],
        ]
        .concat();
        assert_eq!(encode_call(&args, &kwargs).unwrap(), call);
        assert_eq!(decode_call(&call).unwrap(), (args, kwargs));

        let row: Row = vec![("a".into(), Value::Int(1))];
        let bytes = vec![1, 0, 0, 0, 1, 0, 0, 0, b'a', 3, 1, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(encode_row(&row).unwrap(), bytes);
        assert_eq!(decode_row(&bytes, &mut Vec::new()).unwrap(), row);
    }

    #[test]
    fn truncated_and_unknown_encodings_are_errors() {
        assert!(decode_value(&[3, 1, 0]).unwrap_err().to_string().contains("truncated"));
        assert!(decode_value(&[16]).unwrap_err().to_string().contains("unknown value tag 16"));
        assert!(
            decode_value(&[5, 0xFF, 0xFF, 0xFF, 0xFF]).unwrap_err().to_string().contains("negative length")
        );
    }
}
