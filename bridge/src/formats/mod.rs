//! Record value formats: how the values a stream processor holds (JSON objects, say) become one
//! Arrow batch and come back from one. A format is its own concern, not part of the Arrow C Data
//! Interface code in `arrow`, and knows nothing of Python: a binding composes decode, apply and
//! encode itself.

pub mod json;
