//! What client and gateway share about talking HTTP to an Actual server: the TLS
//! crypto provider and how a failed exchange is described.

/// rustls needs a process-wide crypto provider (`ring`: smaller than aws-lc and it
/// cross-builds); installing it twice is harmless.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Which way an exchange with the server failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportFailure {
    Timeout,
    Connect,
    /// The connection broke while the reply was read.
    Body,
    /// The request could not be built or sent.
    Request,
    Other,
}

impl TransportFailure {
    pub fn of(e: &reqwest::Error) -> Self {
        if e.is_timeout() {
            TransportFailure::Timeout
        } else if e.is_connect() {
            TransportFailure::Connect
        } else if e.is_body() || e.is_decode() {
            TransportFailure::Body
        } else if e.is_request() {
            TransportFailure::Request
        } else {
            TransportFailure::Other
        }
    }

    fn what(self) -> &'static str {
        match self {
            TransportFailure::Timeout => "the request timed out",
            TransportFailure::Connect => {
                "the connection failed (is the server running and the URL right?)"
            }
            TransportFailure::Body => "the connection broke while reading the reply",
            TransportFailure::Request => "the request could not be sent",
            TransportFailure::Other => "the HTTP exchange failed",
        }
    }
}

/// Describes a transport failure by its kind and innermost cause, without the URL
/// (which may carry a path we do not want to repeat) and without any header.
pub fn describe(e: &reqwest::Error) -> String {
    crate::error::with_root_cause(TransportFailure::of(e).what(), e)
}
