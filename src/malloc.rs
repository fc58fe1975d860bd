//! glibc malloc settings for the host process, applied when the addon loads.
//!
//! A download or an import frees buffers of a few hundred KiB to a few MiB on tokio's
//! worker and blocking threads. With glibc's defaults each of those threads gets its own
//! arena and the mmap threshold rises after the first large free, so freed memory stays
//! in the arenas and the process's peak RSS grows with the number of threads that
//! touched it. A fixed 128 KiB threshold hands large buffers back to the kernel on free,
//! and two arenas keep freed memory reusable across threads. A user who set either with
//! glibc's own variables (`MALLOC_ARENA_MAX`, `MALLOC_MMAP_THRESHOLD_`) keeps theirs.

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[napi_derive::module_init]
fn tune_malloc() {
    let unset = |name: &str| std::env::var_os(name).is_none();
    // SAFETY: mallopt only changes allocator parameters; any value is accepted or refused.
    unsafe {
        if unset("MALLOC_MMAP_THRESHOLD_") {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        }
        if unset("MALLOC_ARENA_MAX") {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}
