//! The JSON grammar, token by token: a cursor over one value that reads whitespace, literals,
//! strings and numbers as RFC 8259 defines them, eight bytes at a time where it can. The small
//! readers the fast path calls per token are `#[inline]`: they live in another module than their
//! callers, and without it a release build may not inline them there.

/// A number token, with its value as an integer scaled by a power of ten when that fits.
pub(super) struct Number<'a> {
    pub(super) text: &'a str,
    integer: bool,
    negative: bool,
    pub(super) mantissa: Option<u64>,
    pub(super) scale: i32,
}

impl Number<'_> {
    /// The nearest f64, if finite. When the digits and the power of ten are both exact in an f64
    /// (Clinger's fast path), one multiplication or division rounds correctly (and is finite);
    /// otherwise the standard parser.
    #[inline(always)]
    pub(super) fn to_f64(&self) -> Option<f64> {
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
        self.text.parse().ok().filter(|x: &f64| x.is_finite())
    }
}

/// A quoted field name, and its first eight bytes as a word to compare eight bytes at once.
#[derive(Debug)]
pub(super) struct Key {
    pub(super) bytes: Box<[u8]>,
    word: u64,
    mask: u64,
}

impl Key {
    pub(super) fn new(bytes: Vec<u8>) -> Self {
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

/// How many bytes of `bytes` come before the first quote, backslash or control character (all
/// of them if none), and whether those are ASCII; eight bytes at a time.
#[inline]
fn plain_run(bytes: &[u8]) -> (usize, bool) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut at = 0;
    let mut high = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        // A byte's high bit set by subtracting 1 (or 0x20) when it was clear: that byte was 0
        // (or below 0x20). A borrow may mark bytes above a marked one, never below: the lowest
        // mark is exact.
        let marks = ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (word.wrapping_sub(ONES * 0x20) & !word))
            & HIGH;
        if marks != 0 {
            let len = (marks.trailing_zeros() / 8) as usize;
            let before = if len == 0 { 0 } else { u64::MAX >> (64 - 8 * len) };
            return (at + len, (high | (word & before)) & HIGH == 0);
        }
        high |= word;
        at += 8;
    }
    let rest = &bytes[at..];
    let len = rest.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20).unwrap_or(rest.len());
    (at + len, high & HIGH == 0 && rest[..len].is_ascii())
}

/// A cursor over one JSON value.
pub(super) struct Scan<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) at: usize,
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
    pub(super) fn starts_with_key(&self, key: &Key) -> bool {
        match self.word(self.at) {
            Some(word) if key.bytes.len() <= 8 => word & key.mask == key.word,
            _ => self.bytes[self.at..].starts_with(&key.bytes),
        }
    }

    #[inline]
    pub(super) fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    #[inline]
    pub(super) fn eat(&mut self, byte: u8) -> bool {
        let hit = self.bytes.get(self.at) == Some(&byte);
        self.at += hit as usize;
        hit
    }

    #[inline]
    pub(super) fn expect(&mut self, byte: u8) -> Option<()> {
        self.eat(byte).then_some(())
    }

    #[inline]
    pub(super) fn eat_literal(&mut self, literal: &[u8]) -> bool {
        let hit = self.bytes[self.at..].starts_with(literal);
        self.at += if hit { literal.len() } else { 0 };
        hit
    }

    /// A string without escapes or control characters; its bytes between the quotes.
    #[inline]
    pub(super) fn plain_string(&mut self) -> Option<&'a [u8]> {
        self.expect(b'"')?;
        let start = self.at;
        let rest = &self.bytes[start..];
        let (len, _) = plain_run(rest);
        if rest.get(len) != Some(&b'"') {
            return None;
        }
        self.at = start + len + 1;
        Some(&rest[..len])
    }

    /// A JSON number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, scanned once.
    #[inline(always)]
    pub(super) fn number(&mut self) -> Option<Number<'a>> {
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
    #[inline]
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
    #[inline]
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

    #[inline]
    pub(super) fn integer(&mut self) -> Option<i64> {
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

    /// Skips a value outside the schema if it is a scalar the fast path reads: a number within
    /// an f64's range, a literal, a UTF-8 string without escapes; `None` for anything else,
    /// valid or not. (Skipping any value strictly, `value`, costs the fast path's loop a call.)
    #[inline]
    pub(super) fn skip_plain_scalar(&mut self) -> Option<()> {
        match self.bytes.get(self.at)? {
            b'"' => std::str::from_utf8(self.plain_string()?).ok().map(|_| ()),
            b't' => self.eat_literal(b"true").then_some(()),
            b'f' => self.eat_literal(b"false").then_some(()),
            b'n' => self.eat_literal(b"null").then_some(()),
            _ => self.number()?.to_f64().map(|_| ()),
        }
    }

    /// A string, strictly: escapes among JSON's (a `\u` high surrogate followed by a low one),
    /// no control character, UTF-8. Its bytes between the quotes, and whether it has escapes.
    pub(super) fn string(&mut self) -> Result<(&'a [u8], bool), Fault> {
        if !self.eat(b'"') {
            return Err(self.fault("expected a string"));
        }
        let start = self.at;
        let mut escaped = false;
        loop {
            // A run of ordinary bytes. A UTF-8 sequence never holds these three kinds of byte,
            // so a run boundary never splits a character.
            let rest = &self.bytes[self.at..];
            let (run, ascii) = plain_run(rest);
            if let Err(e) = if ascii { Ok("") } else { std::str::from_utf8(&rest[..run]) } {
                self.at += e.valid_up_to();
                return Err(self.fault("expected UTF-8 text in a string"));
            }
            self.at += run;
            match self.bytes.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok((&self.bytes[start..self.at - 1], escaped));
                }
                Some(b'\\') => {
                    escaped = true;
                    self.escape()?;
                }
                Some(_) => {
                    return Err(
                        self.fault("expected no control character (below 0x20) in a string: escape it")
                    );
                }
                None => return Err(self.fault("expected the '\"' that closes the string")),
            }
        }
    }

    /// The escape at the cursor (at its backslash).
    fn escape(&mut self) -> Result<(), Fault> {
        let backslash = self.at;
        self.at += 1;
        match self.bytes.get(self.at) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                self.at += 1;
                Ok(())
            }
            Some(b'u') => match self.hex_escape()? {
                0xD800..=0xDBFF => {
                    if self.bytes[self.at..].starts_with(b"\\u") {
                        let high_end = self.at;
                        self.at += 1;
                        if let 0xDC00..=0xDFFF = self.hex_escape()? {
                            return Ok(());
                        }
                        self.at = high_end;
                    }
                    Err(self
                        .fault("expected a \\u escape of a low surrogate (DC00 to DFFF) after a high one"))
                }
                0xDC00..=0xDFFF => {
                    self.at = backslash;
                    Err(self
                        .fault("expected no low surrogate (\\uDC00 to \\uDFFF) without a high one before it"))
                }
                _ => Ok(()),
            },
            _ => Err(self.fault(
                r#"expected an escape (\" \\ \/ \b \f \n \r \t or \u and four hex digits) after '\'"#,
            )),
        }
    }

    /// The code unit of a `u` and four hex digits at the cursor.
    fn hex_escape(&mut self) -> Result<u16, Fault> {
        self.at += 1;
        let mut unit = 0u16;
        for _ in 0..4 {
            let digit = self.bytes.get(self.at).and_then(|&b| (b as char).to_digit(16));
            let Some(digit) = digit else {
                return Err(self.fault("expected four hex digits after \\u"));
            };
            unit = unit << 4 | digit as u16;
            self.at += 1;
        }
        Ok(unit)
    }

    /// Any JSON value, strictly, nested at most `MAX_DEPTH` deep from `depth`.
    pub(super) fn value(&mut self, depth: usize) -> Result<(), Fault> {
        match self.bytes.get(self.at) {
            Some(b'"') => self.string().map(|_| ()),
            Some(b'{') => self.object(depth),
            Some(b'[') => {
                self.nest(depth)?;
                self.ws();
                if self.eat(b']') {
                    return Ok(());
                }
                loop {
                    self.value(depth + 1)?;
                    self.ws();
                    if self.eat(b']') {
                        return Ok(());
                    }
                    if !self.eat(b',') {
                        return Err(self.fault("expected ',' or ']' after a value in an array"));
                    }
                    self.ws();
                }
            }
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.checked_number().map(|_| ()),
            _ => Err(self.fault("expected a value (an object, array, string, number, true, false or null)")),
        }
    }

    /// An object (at its '{'), strictly, nested at most `MAX_DEPTH` deep from `depth`.
    fn object(&mut self, depth: usize) -> Result<(), Fault> {
        self.nest(depth)?;
        self.ws();
        if self.eat(b'}') {
            return Ok(());
        }
        loop {
            if self.bytes.get(self.at) != Some(&b'"') {
                return Err(self.fault("expected a key (a string in double quotes)"));
            }
            self.string()?;
            self.ws();
            if !self.eat(b':') {
                return Err(self.fault("expected ':' after the key"));
            }
            self.ws();
            self.value(depth + 1)?;
            self.ws();
            if self.eat(b'}') {
                return Ok(());
            }
            if !self.eat(b',') {
                return Err(self.fault("expected ',' or '}' after a value in an object"));
            }
            self.ws();
        }
    }

    /// Enters an object or array (at its bracket), unless that nests deeper than serde_json reads.
    fn nest(&mut self, depth: usize) -> Result<(), Fault> {
        if depth >= MAX_DEPTH {
            return Err(self.fault("expected values nested at most 127 deep"));
        }
        self.at += 1;
        Ok(())
    }

    fn literal(&mut self, literal: &'static [u8]) -> Result<(), Fault> {
        if self.eat_literal(literal) {
            return Ok(());
        }
        Err(self.fault(match literal {
            b"true" => "expected true",
            b"false" => "expected false",
            _ => "expected null",
        }))
    }

    /// A number in the grammar and within the range of an f64.
    #[inline]
    pub(super) fn checked_number(&mut self) -> Result<Number<'a>, Fault> {
        let start = self.at;
        let Some(number) = self.number() else {
            self.at = start;
            return Err(self.fault(
                "expected a JSON number: an optional '-', then 0 or digits not starting with 0, \
                 optionally '.' and digits, optionally 'e' or 'E', a sign and digits",
            ));
        };
        // Under 10^19 times 10^288 is within range whatever the digits: no need to compute it.
        let finite = match number.mantissa {
            Some(_) if number.scale <= 288 => true,
            _ => number.to_f64().is_some(),
        };
        if !finite {
            self.at = start;
            return Err(self.fault("expected a number within the range of a 64-bit float"));
        }
        Ok(number)
    }

    /// What was expected where the cursor is.
    pub(super) fn fault(&self, expected: &'static str) -> Fault {
        Fault { at: self.at, expected }
    }
}

/// How deep values may nest: as deep as serde_json reads by default (and so never deep enough to
/// exhaust the stack).
const MAX_DEPTH: usize = 127;

/// Where a value leaves the grammar, and what the grammar expected there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Fault {
    pub(super) at: usize,
    pub(super) expected: &'static str,
}

/// The text of a string between its quotes with its escapes replaced, into `out`.
///
/// Only for strings `Scan::string` accepted: their escapes are valid.
pub(super) fn unescape(raw: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut i = 0;
    let hex = |at: usize| {
        raw[at..at + 4].iter().fold(0u32, |unit, &b| unit << 4 | (b as char).to_digit(16).unwrap_or(0))
    };
    while i < raw.len() {
        if raw[i] != b'\\' {
            out.push(raw[i]);
            i += 1;
            continue;
        }
        let byte = match raw[i + 1] {
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let mut code = hex(i + 2);
                i += 6;
                if (0xD800..0xDC00).contains(&code) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (hex(i + 2) - 0xDC00);
                    i += 6;
                }
                let c = char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                continue;
            }
            other => other,
        };
        out.push(byte);
        i += 2;
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::Rng;
    use super::*;

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

    /// Against a byte at a time, for every position of every kind of byte after every prefix.
    #[test]
    fn plain_run_finds_what_ends_a_run_eight_bytes_at_a_time() {
        let ends = |b: u8| b == b'"' || b == b'\\' || b < 0x20;
        for len in 0..20 {
            for at in 0..len {
                for byte in [b'"', b'\\', 0x00, 0x1f, 0x20, b'a', 0x7f, 0x80, 0xc3, 0xff] {
                    for fill in [b'x', 0xa9] {
                        let mut bytes = vec![fill; len];
                        bytes[at] = byte;
                        let run = bytes.iter().position(|&b| ends(b)).unwrap_or(len);
                        let expected = (run, bytes[..run].is_ascii());
                        assert_eq!(plain_run(&bytes), expected, "{bytes:?}");
                    }
                }
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
}
