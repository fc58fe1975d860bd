//! What a formula is evaluated with: the transaction's fields as named expressions,
//! today, and the balances fetched before the rules ran.

use std::collections::HashMap;

use super::value::V;

/// What a formula can read: the named expressions (lower-cased names; a value that
/// cannot be read exactly is its reason), today's serial number, and the prefetched
/// `BALANCE_OF` balances.
pub struct Context {
    pub names: HashMap<String, Result<V, String>>,
    pub today: f64,
    pub balances: HashMap<String, f64>,
}
