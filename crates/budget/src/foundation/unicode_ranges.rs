//! Character classes kept as sorted, inclusive code point ranges (the letters of
//! upstream's `title()`, JavaScript's `\p{Diacritic}`), and the lookup they share.

use std::cmp::Ordering;

/// Whether `c` falls in one of `ranges` (sorted, not overlapping).
pub fn contains(ranges: &[(u32, u32)], c: char) -> bool {
    let c = c as u32;
    ranges
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                Ordering::Less
            } else if lo > c {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        })
        .is_ok()
}
