//! The ground floor: the open budget and its writer, the error type, local changes as
//! CRDT messages, upstream's date rules, and JavaScript value semantics. Nothing here
//! knows a method.

pub mod budget;
pub mod changes;
pub mod dates;
pub mod error;
pub mod js;
pub mod split;
pub mod unicode_ranges;
