//! The schema of values that come without one, from the first batch: each field has the type
//! most values give it, so that a few bad values cost only themselves (they fail their own
//! decoding, and a stream processor sends them alone to its error policy) instead of turning a
//! column into strings for every value of the stream.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::datatypes::{Schema, SchemaRef};
use arrow::json::reader::infer_json_schema_from_iterator;
use serde_json::{Map, Value};

use super::Values;
use crate::error::{Error, Result};

/// A schema inferred from a batch, and from how many of its values.
#[derive(Debug, Clone)]
pub struct Inference {
    pub schema: SchemaRef,
    /// The values that agree with the schema: JSON objects each of whose fields is null or of
    /// the kind most values give it. (The fields that agree of the others count too.)
    pub agreeing: usize,
    /// The values of the batch.
    pub values: usize,
}

/// What a field's value says of its type. Null says nothing; numbers are one kind (arrow-json
/// makes them Int64, or Float64 if any has a fraction or an exponent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Number,
    Boolean,
    String,
    Array,
    Object,
}

fn kind(value: &Value) -> Option<Kind> {
    Some(match value {
        Value::Null => return None,
        Value::Bool(_) => Kind::Boolean,
        Value::Number(_) => Kind::Number,
        Value::String(_) => Kind::String,
        Value::Array(_) => Kind::Array,
        Value::Object(_) => Kind::Object,
    })
}

/// Infers the schema of `values` from their fields of the kind most values give them (a tie
/// goes to the kind given first); values that are not JSON objects do not count.
pub(super) fn infer(values: Values<'_>) -> Result<Inference> {
    let mut objects: Vec<Map<String, Value>> = values
        .iter()
        .filter_map(|value| match serde_json::from_slice(value) {
            Ok(Value::Object(object)) => Some(object),
            _ => None,
        })
        .collect();
    // Each field's kinds, in the order they were first given, with their counts.
    let mut tallies: HashMap<String, Vec<(Kind, usize)>> = HashMap::new();
    for (name, value) in objects.iter().flatten() {
        let Some(kind) = kind(value) else { continue };
        let tally = tallies.entry(name.clone()).or_default();
        match tally.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, count)) => *count += 1,
            None => tally.push((kind, 1)),
        }
    }
    let winners: HashMap<String, Kind> = tallies
        .into_iter()
        .map(|(name, tally)| {
            let (winner, _) =
                tally.iter().fold(tally[0], |best, &next| if next.1 > best.1 { next } else { best });
            (name, winner)
        })
        .collect();
    // Each value without its fields that disagree: what is left is inferred from (so that a
    // field given only by a value that disagrees elsewhere still has its type).
    let mut agreeing = 0;
    for object in &mut objects {
        let before = object.len();
        object.retain(|name, value| kind(value).is_none_or(|k| winners[name] == k));
        agreeing += usize::from(object.len() == before);
    }
    let schema: Schema =
        infer_json_schema_from_iterator(objects.into_iter().map(|o| Ok(Value::Object(o))))
            .map_err(|e| Error::Conversion(format!("cannot infer a schema from the first batch: {e}")))?;
    if schema.fields().is_empty() {
        return Err(Error::Conversion(
            "cannot infer a schema: the first batch has no JSON object with a field; give a schema".into(),
        ));
    }
    Ok(Inference { schema: Arc::new(schema), agreeing, values: values.len() })
}

#[cfg(test)]
mod tests {
    use arrow::datatypes::DataType;

    use super::*;

    fn inferred(values: &[&str]) -> Inference {
        let mut data = Vec::new();
        let mut ends = Vec::new();
        for v in values {
            data.extend_from_slice(v.as_bytes());
            ends.push(data.len() as i32);
        }
        infer(Values::new(&data, &ends).unwrap()).unwrap()
    }

    fn type_of<'a>(inference: &'a Inference, name: &str) -> &'a DataType {
        inference.schema.field_with_name(name).unwrap().data_type()
    }

    #[test]
    fn each_field_has_the_type_most_values_give_it() {
        let inference = inferred(&[
            r#"{"id": 1, "amount": 1.5, "note": null}"#,
            r#"{"id": 2, "amount": "abc", "note": "x"}"#,
            r#"{"id": 3, "amount": 3, "note": null}"#,
            r#"{"id": 4, "amount": 4.5, "note": null}"#,
            r#"{"id": 5,, "amount": 5.5}"#,
            r#"[1]"#,
        ]);
        assert_eq!(type_of(&inference, "id"), &DataType::Int64);
        // Integers and floats are numbers, Float64 together; the string loses three to one.
        assert_eq!(type_of(&inference, "amount"), &DataType::Float64);
        // Nulls do not vote: the one string does, though its value disagrees on the amount.
        assert_eq!(type_of(&inference, "note"), &DataType::Utf8);
        // Not the value with the string amount, nor the two that are not JSON objects.
        assert_eq!((inference.agreeing, inference.values), (3, 6));
    }

    #[test]
    fn a_tie_goes_to_the_kind_given_first_and_nested_values_keep_their_types() {
        let inference = inferred(&[
            r#"{"flag": true, "tags": [1, 2], "point": {"x": 1.5}}"#,
            r#"{"flag": "yes", "tags": [3], "point": {"x": 2}}"#,
        ]);
        assert_eq!(type_of(&inference, "flag"), &DataType::Boolean);
        assert!(
            matches!(type_of(&inference, "tags"), DataType::List(item) if item.data_type() == &DataType::Int64)
        );
        assert!(
            matches!(type_of(&inference, "point"), DataType::Struct(fields) if fields[0].data_type() == &DataType::Float64)
        );
        assert_eq!((inference.agreeing, inference.values), (1, 2));
    }
}
