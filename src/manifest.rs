//! Manifests: reading YAML and JSON the way the API server does, checking them
//! with a teacher's explanations, and the validated model the rest of podlearn
//! works from.
//!
//! Only validation builds the model in [`model`]: the runtime and the grader
//! never see a manifest that has not been checked.

pub mod model;
pub mod quantity;

pub use model::*;
pub use quantity::Quantity;
