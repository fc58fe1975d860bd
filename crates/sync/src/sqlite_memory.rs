//! SQLite's allocations through Rust's global allocator. The bundled SQLite is private to
//! the binary that links it (its symbols are not exported), so this changes no other
//! SQLite in the process; it lets the addon's own allocator (`src/allocator.rs`) serve
//! the page cache and statements too, instead of the host's malloc.

use std::alloc::{alloc, dealloc, realloc, Layout};
use std::os::raw::{c_int, c_void};

use rusqlite::ffi;

/// Each block starts with its size, kept in a header that also keeps the block aligned
/// (SQLite needs 8 bytes, `xSize` needs the size back).
const HEADER: usize = 16;

fn layout(size: usize) -> Option<Layout> {
    Layout::from_size_align(size.checked_add(HEADER)?, HEADER).ok()
}

/// How many blocks SQLite asked for (the test's proof that it uses these methods).
#[cfg(test)]
static MALLOCS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

unsafe extern "C" fn x_malloc(size: c_int) -> *mut c_void {
    #[cfg(test)]
    MALLOCS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let Some(layout) = usize::try_from(size).ok().and_then(layout) else {
        return std::ptr::null_mut();
    };
    // SAFETY: the layout is non-zero (it holds the header).
    let base = unsafe { alloc(layout) };
    if base.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: `base` holds at least HEADER bytes, aligned for a usize.
    unsafe {
        base.cast::<usize>().write(layout.size() - HEADER);
        base.add(HEADER).cast()
    }
}

/// The block's start and its layout, from a pointer `x_malloc` returned.
unsafe fn block(p: *mut c_void) -> (*mut u8, Layout) {
    // SAFETY (caller): `p` came from `x_malloc`/`x_realloc`, so a header precedes it.
    unsafe {
        let base = p.cast::<u8>().sub(HEADER);
        let size = base.cast::<usize>().read();
        (base, layout(size).expect("a size this allocator stored"))
    }
}

unsafe extern "C" fn x_free(p: *mut c_void) {
    if !p.is_null() {
        // SAFETY: SQLite frees only what these methods allocated.
        unsafe {
            let (base, layout) = block(p);
            dealloc(base, layout);
        }
    }
}

unsafe extern "C" fn x_realloc(p: *mut c_void, size: c_int) -> *mut c_void {
    if p.is_null() {
        // SAFETY: as `x_malloc`.
        return unsafe { x_malloc(size) };
    }
    let Some(new) = usize::try_from(size).ok().and_then(layout) else {
        return std::ptr::null_mut();
    };
    // SAFETY: `p` is one of ours; the new size keeps the header's alignment.
    unsafe {
        let (base, old) = block(p);
        let moved = realloc(base, old, new.size());
        if moved.is_null() {
            return std::ptr::null_mut();
        }
        moved.cast::<usize>().write(new.size() - HEADER);
        moved.add(HEADER).cast()
    }
}

unsafe extern "C" fn x_size(p: *mut c_void) -> c_int {
    if p.is_null() {
        return 0;
    }
    // SAFETY: `p` is one of ours.
    unsafe { (block(p).1.size() - HEADER) as c_int }
}

unsafe extern "C" fn x_roundup(size: c_int) -> c_int {
    (size + 7) & !7
}

unsafe extern "C" fn x_init(_: *mut c_void) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_shutdown(_: *mut c_void) {}

/// Makes SQLite allocate through Rust's global allocator. Must run before SQLite is
/// first used in this binary (SQLite refuses it afterwards: `false`).
pub fn allocate_through_rust() -> bool {
    let methods = ffi::sqlite3_mem_methods {
        xMalloc: Some(x_malloc),
        xFree: Some(x_free),
        xRealloc: Some(x_realloc),
        xSize: Some(x_size),
        xRoundup: Some(x_roundup),
        xInit: Some(x_init),
        xShutdown: Some(x_shutdown),
        pAppData: std::ptr::null_mut(),
    };
    // SAFETY: SQLite copies the methods; they are thread-safe (the global allocator is).
    unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_MALLOC, &methods) == ffi::SQLITE_OK }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sqlite_runs_on_the_rust_allocator() {
        // This is the only test of this binary that opens SQLite before this call.
        assert!(super::allocate_through_rust());
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (v TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
             INSERT INTO t SELECT printf('%0500d', i) FROM n;",
        )
        .unwrap();
        let count: i64 = conn
            .query_row("SELECT COUNT(DISTINCT v) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 5000);
        assert!(super::MALLOCS.load(std::sync::atomic::Ordering::Relaxed) > 100);
    }
}
