//! How compiling an ActualQL query fails.

/// Why compiling stopped.
#[derive(Debug)]
pub enum Fail {
    /// Upstream's `CompileError`: reported with the expression stack.
    Compile(String),
    /// A plain `Error` upstream throws as it is (no expression stack).
    Plain(String),
    /// Not answered natively (the case is named).
    Unsupported(String),
}

pub type R<T> = std::result::Result<T, Fail>;

pub fn unsupported<T>(why: impl Into<String>) -> R<T> {
    Err(Fail::Unsupported(why.into()))
}
