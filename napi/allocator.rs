//! The addon's own allocations, its SQLite's included, go to mimalloc, linked into the
//! addon: the host process's allocator and its settings stay as the host made them.
//!
//! A download or an import frees buffers of a few hundred KiB to a few MiB on tokio's
//! worker and blocking threads, and SQLite's page cache grows and shrinks on them. With
//! glibc's malloc each of those threads gets its own arena and freed memory stays in
//! it, so peak RSS grew with the number of threads that touched it. mimalloc v2 (v3
//! kept freed memory for a second: peak RSS 60 % higher in the bench), without
//! transparent huge pages for its own mappings, with dynamic TLS (the addon is loaded
//! with `dlopen`), returning freed pages at once and committing pages as they are used
//! (bench/RESULTS.md, "The addon's allocator").

use std::os::raw::c_long;

use libmimalloc_sys::{mi_option_get, mi_option_set, mi_option_t};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc v2's option numbers (`mi_option_e` in mimalloc.h; the bindings name only
/// some of them), with the defaults they must have for the number to be the right one.
const EAGER_COMMIT: (mi_option_t, c_long) = (3, 1);
const PURGE_DELAY_MS: (mi_option_t, c_long) = (15, 10);

#[napi_derive::module_init]
fn set_up_allocator() {
    for ((option, default), value) in [(EAGER_COMMIT, 0), (PURGE_DELAY_MS, 0)] {
        // SAFETY: reads and sets options of the addon's own mimalloc, nothing else.
        unsafe {
            if mi_option_get(option) == default {
                mi_option_set(option, value);
            }
        }
    }
    // Before any budget opens. The bundled SQLite is the addon's own (not exported).
    let _ = actual_session::sqlite_allocates_through_rust();
}
