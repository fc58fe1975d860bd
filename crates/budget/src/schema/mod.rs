//! The schema the engine reads and writes: upstream's migrations (`migrate`), its views
//! (`views`) and the public fields of its tables (`fields`).

pub mod fields;
pub mod migrate;
pub mod views;
